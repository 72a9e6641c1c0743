"""The Teams app package: manifest against Microsoft's bundled schema, icons, and the packager."""
from __future__ import annotations

import copy
import json
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from manifest import make_icons
from manifest.package import (
    APP_MANIFEST_PACKAGE,
    HERE,
    PROJECT_ROOT,
    TEMPLATE,
    VALIDATOR,
    PackageError,
    check_icons,
    fill_manifest,
    project_version,
)
from manifest.png import SIGNATURE, decode_png, encode_png

APP_ID = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
PERSONAL_COMMANDS = ["help", "whoami", "feedback"]  # `my supervision` only for those with a supervisor: not in the menu


def require_node_tools() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: it runs Microsoft's manifest validator (tools/validate-manifest.js)")
    if not APP_MANIFEST_PACKAGE.is_dir():
        pytest.fail("tools/node_modules is missing Microsoft's manifest schemas: run npm ci --prefix tools")
    return node


def validate(manifest: Any, tmp_path: Path) -> tuple[int, dict[str, Any]]:
    node = require_node_tools()
    path = tmp_path / "manifest-under-test.json"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    done = subprocess.run([node, str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=120)
    return done.returncode, json.loads(done.stdout)


@pytest.fixture
def template() -> dict[str, Any]:
    return json.loads(TEMPLATE.read_text(encoding="utf-8"))


@pytest.fixture
def filled(template: dict[str, Any]) -> dict[str, Any]:
    return fill_manifest(template, {"MicrosoftAppId": APP_ID, "Version": "1.2.3"})


def bot(manifest: dict[str, Any]) -> dict[str, Any]:
    (only,) = manifest["bots"]
    return only


# --- the manifest ---------------------------------------------------------------------------


@pytest.mark.process
def test_filled_manifest_passes_microsofts_schema(filled, tmp_path):
    code, result = validate(filled, tmp_path)
    assert result["errors"] == [] and code == 0
    assert result["schema"].endswith(f"v{filled['manifestVersion']}/MicrosoftTeams.schema.json")


def test_schema_version_is_current_and_matches_the_schema_url(template):
    major, minor = (int(part) for part in template["manifestVersion"].split("."))
    assert (major, minor) >= (1, 20)
    assert template["$schema"] == (
        f"https://developer.microsoft.com/json-schemas/teams/v{template['manifestVersion']}/MicrosoftTeams.schema.json"
    )


def test_template_placeholders_are_the_app_id_and_version(template):
    text = TEMPLATE.read_text(encoding="utf-8")
    assert set(re.findall(r"\{\{(\w+)\}\}", text)) == {"MicrosoftAppId", "Version"}
    assert template["id"] == bot(template)["botId"] == template["webApplicationInfo"]["id"] == "{{MicrosoftAppId}}"
    assert template["version"] == "{{Version}}"


def test_bot_scopes_commands_and_files(filled):
    entry = bot(filled)
    assert entry["botId"] == APP_ID
    assert set(entry["scopes"]) == {"personal", "team"}
    assert entry["supportsFiles"] is True and entry["isNotificationOnly"] is False
    by_scope = {scope: [c["title"] for c in lst["commands"]] for lst in entry["commandLists"] for scope in lst["scopes"]}
    assert by_scope == {"personal": PERSONAL_COMMANDS, "team": ["help"]}
    assert all(c.get("description") for lst in entry["commandLists"] for c in lst["commands"])


def test_read_receipt_permission_is_resource_specific_for_the_app(filled):
    assert {"name": "ChatMessageReadReceipt.Read.Chat", "type": "Application"} in (
        filled["authorization"]["permissions"]["resourceSpecific"]
    )
    # RSC needs the app's Entra id in webApplicationInfo.
    assert filled["webApplicationInfo"]["id"] == APP_ID


def test_names_descriptions_and_developer_links(filled):
    assert filled["name"] == {"short": "QA Assistant", "full": "Children's Services QA Assistant"}
    full = filled["description"]["full"]
    for topic in ("audit", "oversight", "supervision", "practice week", "case references"):
        assert topic in full.lower()
    developer = filled["developer"]
    for key in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert developer[key].startswith("https://")
    assert re.fullmatch(r"#[0-9A-Fa-f]{6}", filled["accentColor"])
    assert filled["validDomains"]


@pytest.mark.parametrize(
    ("break_it", "expected_path"),
    [
        (lambda m: m.__setitem__("version", "1.0"), "/version"),
        (lambda m: m.__setitem__("id", "not-a-guid"), "/id"),
        (lambda m: bot(m).__setitem__("scopes", ["personal", "everywhere"]), "/bots/0/scopes/1"),
        (lambda m: m["authorization"]["permissions"]["resourceSpecific"][0].__setitem__("type", "Sometimes"),
         "/authorization/permissions/resourceSpecific/0/type"),
        (lambda m: m["name"].__setitem__("short", "Q" * 31), "/name/short"),
        (lambda m: m.pop("developer"), "must have required property 'developer'"),
    ],
    ids=["bad-version", "bad-id", "unknown-scope", "bad-permission-type", "long-short-name", "no-developer"],
)
@pytest.mark.process
def test_broken_manifests_are_reported(filled, tmp_path, break_it, expected_path):
    broken = copy.deepcopy(filled)
    break_it(broken)
    code, result = validate(broken, tmp_path)
    assert code == 1 and result["valid"] is False
    assert any(expected_path in error for error in result["errors"]), result["errors"]


@pytest.mark.process
def test_unfilled_template_fails_validation(template, tmp_path):
    code, result = validate(template, tmp_path)
    assert code == 1
    assert {"/id", "/bots/0/botId", "/version"} <= {error.split()[0] for error in result["errors"]}


@pytest.mark.process
def test_a_schema_that_is_not_bundled_is_refused_not_downloaded(filled, tmp_path):
    filled["$schema"] = "https://developer.microsoft.com/json-schemas/teams/v1.99/MicrosoftTeams.schema.json"
    code, result = validate(filled, tmp_path)
    assert code == 2
    assert "not a Teams schema bundled" in result["errors"][0]


@pytest.mark.process
def test_validator_guard_blocks_the_librarys_download_fallback():
    # Given a schema URL it has no copy of, the library would fetch it; the guard stops that.
    node = require_node_tools()
    probe = (
        f"require({json.dumps(str(VALIDATOR))}).refuseNetwork();"
        "const { AppManifestUtils } = require('@microsoft/app-manifest');"
        "AppManifestUtils.validateAgainstSchema("
        "{ $schema: 'https://developer.microsoft.com/json-schemas/teams/v1.99/MicrosoftTeams.schema.json' })"
        ".then(() => console.log('FETCHED'), (e) => console.log(e.message));"
        "const net = require('net');"
        "try { new net.Socket().connect(443, '127.0.0.1'); console.log('CONNECTED'); } catch (e) { console.log(e.message); }"
    )
    done = subprocess.run([node, "-e", probe], capture_output=True, text=True, timeout=60, cwd=PROJECT_ROOT / "tools")
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and "FETCHED" not in lines and "CONNECTED" not in lines, done.stdout + done.stderr
    assert all("network access is disabled" in line for line in lines)


# --- icons ----------------------------------------------------------------------------------


def ihdr(path: Path) -> tuple[int, int, int, int, int]:
    data = path.read_bytes()
    assert data.startswith(SIGNATURE)
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", data[16:29])
    return width, height, depth, colour, interlace


def test_icons_have_teams_sizes():
    assert ihdr(HERE / "color.png")[:2] == (192, 192)
    assert ihdr(HERE / "outline.png")[:2] == (32, 32)


def test_outline_is_white_on_transparent():
    image = decode_png((HERE / "outline.png").read_bytes())
    visible = [(r, g, b) for r, g, b, a in image.pixels() if a]
    assert visible and set(visible) == {(255, 255, 255)}
    assert sum(1 for *_rgb, a in image.pixels() if a == 0) > image.width * image.height // 2


def test_color_icon_is_in_colour_and_opaque():
    image = decode_png((HERE / "color.png").read_bytes())
    assert all(a == 255 for *_rgb, a in image.pixels())
    assert image.pixel(0, 0)[:3] == make_icons.ACCENT  # full-bleed background
    assert image.pixel(88, 114)[:3] == (255, 255, 255)  # the tick's lowest point


def test_committed_icons_are_what_the_script_draws():
    assert (HERE / "color.png").read_bytes() == make_icons.color_icon()
    assert (HERE / "outline.png").read_bytes() == make_icons.outline_icon()


def filtered_png(width: int, height: int, rgba: bytes, filters: list[int]) -> bytes:
    """Encode with the given row filters (PNG spec 9.2), independently of manifest.png's writer."""
    stride, bpp = width * 4, 4
    rows, prev = [], bytes(stride)
    for y in range(height):
        row = rgba[y * stride : (y + 1) * stride]
        kind = filters[y % len(filters)]
        out = bytearray()
        for i, value in enumerate(row):
            left = row[i - bpp] if i >= bpp else 0
            up, up_left = prev[i], (prev[i - bpp] if i >= bpp else 0)
            if kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else up_left)
            else:
                predictor = [0, left, up, (left + up) // 2][kind]
            out.append((value - predictor) & 0xFF)
        rows.append(bytes([kind]) + bytes(out))
        prev = row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")


def test_png_reader_undoes_every_row_filter():
    rng = random.Random(7)
    width, height = 9, 10
    rgba = bytes(rng.randrange(256) for _ in range(width * height * 4))
    assert decode_png(filtered_png(width, height, rgba, [0, 1, 2, 3, 4])).rgba == rgba
    assert decode_png(encode_png(width, height, rgba)).rgba == rgba


def test_icon_check_catches_wrong_sizes_and_colours(tmp_path):
    def write(name: str, size: int, pixel: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(encode_png(size, size, pixel * size * size))
        return path

    assert check_icons(HERE / "color.png", HERE / "outline.png") == []
    problems = check_icons(write("color.png", 96, b"\x10\x20\x30\xff"), write("outline.png", 32, b"\xff\x00\x00\x80"))
    assert any("color.png must be 192x192" in p for p in problems)
    assert any("outline.png must be white on transparent" in p for p in problems)
    opaque = check_icons(HERE / "color.png", write("opaque.png", 32, b"\xff\xff\xff\xff"))
    assert opaque == ["opaque.png must have a transparent background"]


# --- the packager ---------------------------------------------------------------------------


def run_packager(tmp_path: Path, *args: str, app_id: str | None = APP_ID) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "MicrosoftAppId"}
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    if app_id is not None:
        env["MicrosoftAppId"] = app_id
    # cwd is a scratch folder, so no developer's .env is picked up.
    return subprocess.run(
        [sys.executable, "-m", "manifest.package", *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.process
def test_package_holds_exactly_the_filled_manifest_and_icons(tmp_path):
    require_node_tools()
    out = tmp_path / "out" / "teams-app.zip"
    done = run_packager(tmp_path, "--out", str(out))
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        text = archive.read("manifest.json").decode("utf-8")
        assert archive.read("color.png") == (HERE / "color.png").read_bytes()
        assert archive.read("outline.png") == (HERE / "outline.png").read_bytes()
    assert "{{" not in text
    manifest = json.loads(text)
    assert manifest["id"] == bot(manifest)["botId"] == manifest["webApplicationInfo"]["id"] == APP_ID
    assert manifest["version"] == project_version()
    code, result = validate(manifest, tmp_path)
    assert code == 0, result["errors"]


@pytest.mark.process
def test_package_takes_a_version(tmp_path):
    require_node_tools()
    out = tmp_path / "teams-app.zip"
    assert run_packager(tmp_path, "--out", str(out), "--version", "2.4.6").returncode == 0
    with zipfile.ZipFile(out) as archive:
        assert json.loads(archive.read("manifest.json"))["version"] == "2.4.6"


@pytest.mark.process
def test_package_without_an_app_id_is_refused(tmp_path):
    out = tmp_path / "teams-app.zip"
    done = run_packager(tmp_path, "--out", str(out), app_id=None)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "error: MicrosoftAppId is not set: set it to the bot's Microsoft App ID (a GUID) - "
        "a Teams package without an app id cannot be uploaded"
    ]
    assert not out.exists()


@pytest.mark.process
def test_package_with_a_malformed_app_id_is_refused(tmp_path):
    done = run_packager(tmp_path, "--out", str(tmp_path / "x.zip"), app_id="my-bot")
    assert done.returncode != 0 and "MicrosoftAppId must be a GUID" in done.stderr
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.process
def test_invalid_manifest_writes_nothing_and_keeps_the_old_package(tmp_path):
    require_node_tools()
    out = tmp_path / "teams-app.zip"
    out.write_bytes(b"the previous package")
    done = run_packager(tmp_path, "--out", str(out), "--version", "1.0")
    assert done.returncode == 1
    assert "/version must be MAJOR.MINOR.PATCH" in done.stderr
    assert out.read_bytes() == b"the previous package"
    assert [p.name for p in tmp_path.iterdir()] == ["teams-app.zip"]


def test_unknown_placeholder_is_an_error(template):
    template["developer"]["name"] = "{{CouncilName}}"
    with pytest.raises(PackageError, match=r"\{\{CouncilName\}\}"):
        fill_manifest(template, {"MicrosoftAppId": APP_ID, "Version": "1.0.0"})


# -- make: every target that runs the node tools installs them first --------------------------

NODE_TOOLS_STAMP = "npm ci --prefix tools"


@pytest.mark.process
@pytest.mark.parametrize("target, runs", [
    ("package", "-m manifest.package"),  # Microsoft's manifest schema (tools/validate-manifest.js)
    ("test", "-m pytest"),  # this file and tests/test_cards_dump.py run the validators
    ("test-fast", "-m pytest -q -m fast"),  # tests/test_cards_validate.py runs the card validator
    ("playground", "-m playground.run"),
    ("e2e", "-m pytest -m e2e"),
])
def test_make_targets_that_need_the_node_tools_install_them_first(target, runs):
    make = shutil.which("make")
    if make is None:
        pytest.fail("make is not installed: the Makefile's targets cannot be checked")
    # -n: print, run nothing; -B: as on a fresh clone, where nothing has been built yet.
    done = subprocess.run([make, "-n", "-B", "-C", str(PROJECT_ROOT), target], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "MAKEFLAGS": ""})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    install = [i for i, line in enumerate(lines) if NODE_TOOLS_STAMP in line]
    command = [i for i, line in enumerate(lines) if runs in line]
    assert install and command, done.stdout
    assert install[0] < command[0], done.stdout
