#!/usr/bin/env node
// Checks Adaptive Cards with Microsoft's own library (npm adaptivecards 3.0.6), as Teams would
// take them from a bot: schema 1.5 at most.
//
//   node tools/validate-cards.js < cards.json      # a JSON array of {"name": ..., "card": {...}}
//   node tools/validate-cards.js some/dir          # every *.json file in it is one card
//
// For each card: parse with a SerializationContext targeting 1.5 (unknown element/action types,
// bad enum values, properties newer than 1.5), card.validateProperties() (duplicate or missing
// input ids, required inputs without label/error message, too many actions, card version above
// 1.5), and a check of our own: any property the library does not know (a misspelt
// "isMultiLine" is otherwise dropped without a word). Prints a JSON report on stdout; exits 1
// when any card has a problem, 2 when the input cannot be read.
"use strict";

const fs = require("fs");
const path = require("path");
const AC = require("adaptivecards/dist/adaptivecards.js"); // the plain require fails on Node 20

const TARGET = AC.Versions.v1_5;
// Keys the library does not model but Teams reads.
const HOST_EXTENSIONS = new Set(["msteams"]);

function readInput(argv) {
  if (argv.length > 0) {
    const dir = argv[0];
    return fs.readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => ({ name: f, card: JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) }));
  }
  const items = JSON.parse(fs.readFileSync(0, "utf8"));
  if (!Array.isArray(items)) {
    throw new Error("stdin must hold a JSON array of {name, card}");
  }
  return items.map((item, i) => ({ name: item && item.name ? String(item.name) : `#${i}`, card: item && item.card }));
}

function propertyNames(instance) {
  const schema = instance.getSchema();
  const names = new Set();
  for (let i = 0; i < schema.getCount(); i++) {
    names.add(schema.getItemAt(i).name);
  }
  return names;
}

// Collections the library parses by hand rather than through its property schema.
const HAND_PARSED = new Map([
  [AC.AdaptiveCard, ["body", "actions"]],
  [AC.Container, ["items"]],
  [AC.Column, ["items"]],
  [AC.TableCell, ["items"]],
  [AC.ColumnSet, ["columns"]],
  [AC.ActionSet, ["actions"]],
  [AC.RichTextBlock, ["inlines"]],
  [AC.ShowCardAction, ["card"]],
  [AC.Table, ["rows"]],
  [AC.TableRow, ["cells"]],
]);

const knownByClass = new Map();
function namesFor(cls) {
  if (!knownByClass.has(cls)) {
    const names = propertyNames(new cls());
    if (names.has("type")) names.add("fallback"); // every element and action may have one
    for (const [base, extra] of HAND_PARSED) {
      if (cls === base || cls.prototype instanceof base) extra.forEach((n) => names.add(n));
    }
    knownByClass.set(cls, names);
  }
  return knownByClass.get(cls);
}

// The library class for an object found under `key` of a parent of type `parentType`.
function classFor(obj, key, parentType) {
  const type = typeof obj.type === "string" ? obj.type : undefined;
  if (type === "AdaptiveCard" || key === "card") return AC.AdaptiveCard;
  if (type) {
    const element = AC.GlobalRegistry.elements.findByName(type);
    if (element) return element.objectType;
    const action = AC.GlobalRegistry.actions.findByName(type);
    if (action) return action.objectType;
    const others = { Column: AC.Column, TableRow: AC.TableRow, TableCell: AC.TableCell, TextRun: AC.TextRun };
    return others[type]; // unknown types are reported by the parser already
  }
  if (key === "facts") return AC.Fact;
  if (key === "choices") return AC.Choice;
  if (key === "columns") return parentType === "Table" ? AC.TableColumnDefinition : AC.Column;
  if (key === "backgroundImage") return AC.BackgroundImage;
  return undefined;
}

// Walks the raw JSON and names each property the library's schema for that object lacks.
function unknownProperties(node, where, key, parentType, out) {
  if (Array.isArray(node)) {
    node.forEach((item, i) => unknownProperties(item, `${where}[${i}]`, key, parentType, out));
    return;
  }
  if (!node || typeof node !== "object") return;
  const cls = classFor(node, key, parentType);
  const known = cls ? namesFor(cls) : undefined;
  for (const [prop, value] of Object.entries(node)) {
    if (known && !known.has(prop) && !HOST_EXTENSIONS.has(prop) && !(cls === AC.AdaptiveCard && prop === "$schema")) {
      out.push({ phase: "Parse", event: "UnknownProperty", where: `${where}.${prop}`,
                 message: `Property "${prop}" is not part of ${node.type || cls.name} (misspelt?); it would be ignored.` });
    }
    if (prop !== "data" && !HOST_EXTENSIONS.has(prop)) { // action data is ours, free-form
      unknownProperties(value, `${where}.${prop}`, prop, node.type || parentType, out);
    }
  }
}

function describe(source) {
  if (!source) return undefined;
  const type = typeof source.getJsonTypeName === "function" ? source.getJsonTypeName() : undefined;
  const id = source.id ? `#${source.id}` : "";
  return type ? `${type}${id}` : undefined;
}

function validateCard(json) {
  const problems = [];
  const report = { version: json && json.version, size_bytes: Buffer.byteLength(JSON.stringify(json) || "", "utf8") };
  if (!json || typeof json !== "object" || Array.isArray(json)) {
    problems.push({ phase: "Parse", event: "MissingCardType", message: "a card must be a JSON object" });
    return { ...report, problems };
  }
  const context = new AC.SerializationContext(TARGET);
  const card = new AC.AdaptiveCard();
  card.maxVersion = TARGET; // versions above 1.5 fail validation
  try {
    card.parse(json, context);
  } catch (err) {
    problems.push({ phase: "Parse", event: "Exception", message: String(err && err.message ? err.message : err) });
    return { ...report, problems };
  }
  for (let i = 0; i < context.eventCount; i++) {
    const e = context.getEventAt(i);
    problems.push({ phase: AC.ValidationPhase[e.phase], event: AC.ValidationEvent[e.event],
                    source: describe(e.source), message: e.message });
  }
  for (const e of card.validateProperties().validationEvents) {
    problems.push({ phase: "Validation", event: AC.ValidationEvent[e.event], source: describe(e.source),
                    message: e.message });
  }
  unknownProperties(json, "$", undefined, undefined, problems);
  return { ...report, problems };
}

function main() {
  let items;
  try {
    items = readInput(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`validate-cards: ${err.message}\n`);
    process.exit(2);
  }
  const cards = items.map(({ name, card }) => ({ name, ...validateCard(card) }));
  const ok = cards.every((c) => c.problems.length === 0);
  process.stdout.write(JSON.stringify({ ok, target_version: TARGET.toString(), cards }, null, 2) + "\n");
  process.exit(ok ? 0 : 1);
}

main();
