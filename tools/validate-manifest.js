#!/usr/bin/env node
// Validate a Teams app manifest offline against Microsoft's own schema.
//
//   node tools/validate-manifest.js path/to/manifest.json
//
// Prints one JSON object on stdout: {"valid": bool, "schema": "<bundled schema file>", "errors": [...]}.
// Exit codes: 0 valid, 1 the manifest has errors, 2 the check could not run (usage, unreadable
// file, schema not bundled).
//
// The schema is looked up in @microsoft/app-manifest's bundled copies and handed to
// AppManifestUtils.validateAgainstSchema explicitly, so the library never reaches its download
// fallback. As a second guard every outbound connection is refused: this script must work
// with no network at all.
"use strict";

const fs = require("fs");
const net = require("net");
const path = require("path");

function refuseNetwork() {
  const refuse = () => {
    throw new Error("validate-manifest: network access is disabled (offline validation only)");
  };
  net.Socket.prototype.connect = refuse;
  globalThis.fetch = refuse;
}

// https://developer.microsoft.com[/en-us]/json-schemas/teams/v1.30/MicrosoftTeams.schema.json
const SCHEMA_URL =
  /^https:\/\/developer\.microsoft\.com\/(?:[a-z]{2}(?:-[a-z]{2})?\/)?json-schemas\/teams\/(v\d+\.\d+|vDevPreview)\/MicrosoftTeams\.schema\.json$/i;

function report(result, code) {
  process.stdout.write(JSON.stringify(result, null, 2) + "\n");
  process.exit(code);
}

function cannotRun(message) {
  report({ valid: false, schema: null, errors: [message] }, 2);
}

function bundledSchemaPath(schemaUrl) {
  const match = SCHEMA_URL.exec(schemaUrl || "");
  if (!match) {
    return null;
  }
  const packageRoot = path.dirname(require.resolve("@microsoft/app-manifest/package.json"));
  const file = path.join(packageRoot, "build", "json-schemas", "teams", match[1], "MicrosoftTeams.schema.json");
  return fs.existsSync(file) ? file : null;
}

function readJson(file) {
  // Microsoft's schema files hold \a and \v escapes that JSON.parse rejects (the library does the same).
  const text = fs.readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  return JSON.parse(text.replace(/\\a/g, "\\u0007").replace(/\\v/g, "\\u000b"));
}

async function main() {
  refuseNetwork();
  const manifestPath = process.argv[2];
  if (!manifestPath || process.argv.length > 3) {
    cannotRun("usage: node tools/validate-manifest.js <manifest.json>");
  }

  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, "utf8").replace(/^\uFEFF/, ""));
  } catch (err) {
    cannotRun(`cannot read ${manifestPath} as JSON: ${err.message}`);
  }
  if (manifest === null || typeof manifest !== "object" || Array.isArray(manifest)) {
    report({ valid: false, schema: null, errors: ["the manifest must be a JSON object"] }, 1);
  }

  const schemaFile = bundledSchemaPath(manifest.$schema);
  if (!schemaFile) {
    cannotRun(
      `$schema ${JSON.stringify(manifest.$schema)} is not a Teams schema bundled with @microsoft/app-manifest; ` +
        "use https://developer.microsoft.com/json-schemas/teams/v<version>/MicrosoftTeams.schema.json",
    );
  }
  const schema = readJson(schemaFile);

  let AppManifestUtils;
  try {
    ({ AppManifestUtils } = require("@microsoft/app-manifest"));
  } catch (err) {
    cannotRun(`cannot load @microsoft/app-manifest (run npm ci --prefix tools): ${err.message}`);
  }
  const errors = await AppManifestUtils.validateAgainstSchema(manifest, schema);

  // Teams rejects an app whose version is not MAJOR.MINOR.PATCH; the schema defines `semver`
  // but does not apply it to `version`, so apply the schema's own pattern here.
  const semver = schema.definitions && schema.definitions.semver && schema.definitions.semver.pattern;
  if (semver && typeof manifest.version === "string" && !new RegExp(semver).test(manifest.version)) {
    errors.push(`/version must be MAJOR.MINOR.PATCH (semver), not ${JSON.stringify(manifest.version)}`);
  }

  const shownSchema = path.relative(process.cwd(), schemaFile);
  report({ valid: errors.length === 0, schema: shownSchema, errors }, errors.length === 0 ? 0 : 1);
}

if (require.main === module) {
  main().catch((err) => cannotRun(`validation failed to run: ${err && err.message}`));
}

module.exports = { refuseNetwork };
