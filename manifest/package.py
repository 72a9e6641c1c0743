"""Build the Teams app package a council uploads: a zip of manifest.json, color.png, outline.png.

    MicrosoftAppId=<the bot's app id> python -m manifest.package [--out build/teams-app.zip] [--version 1.2.3]

manifest/manifest.json is a template: `{{MicrosoftAppId}}` becomes the bot's Microsoft App ID
(also used as the Teams app id and for webApplicationInfo, which the RSC read-receipt
permission needs) and `{{Version}}` the app version (pyproject's, unless --version is given;
Teams wants it raised on every re-upload). MicrosoftAppId comes from the environment or a
.env file in the working directory, like the bot's own settings; only the id is read, so no
secret is needed to build a package.

Before anything is written the filled manifest is checked against Microsoft's bundled schema
(node tools/validate-manifest.js) and the icons against Teams' rules; a package that Teams
would reject is never written, and a failed run leaves any earlier zip untouched.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from manifest.png import PngError, read_png

HERE = Path(__file__).resolve().parent
PROJECT_ROOT = HERE.parent
TEMPLATE = HERE / "manifest.json"
DEFAULT_OUT = PROJECT_ROOT / "build" / "teams-app.zip"
VALIDATOR = PROJECT_ROOT / "tools" / "validate-manifest.js"
APP_MANIFEST_PACKAGE = PROJECT_ROOT / "tools" / "node_modules" / "@microsoft" / "app-manifest"
NPM_HINT = "run npm ci --prefix tools"

GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
COLOR_SIZE = (192, 192)
OUTLINE_SIZE = (32, 32)
# Fixed timestamp on zip entries: the same inputs give the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class PackageError(Exception):
    """The package cannot be built; the message says what to fix."""


def app_id_from_env(env: Mapping[str, str]) -> str:
    app_id = (env.get("MicrosoftAppId") or "").strip()
    if not app_id:
        raise PackageError(
            "MicrosoftAppId is not set: set it to the bot's Microsoft App ID (a GUID) - "
            "a Teams package without an app id cannot be uploaded"
        )
    if not GUID.match(app_id):
        raise PackageError(f"MicrosoftAppId must be a GUID such as 00000000-0000-0000-0000-000000000000, not {app_id!r}")
    return app_id


def project_version() -> str:
    with open(PROJECT_ROOT / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def fill_manifest(template: Any, values: Mapping[str, str]) -> Any:
    """Replace every {{Name}} in the template's strings; an unknown name is an error."""
    if isinstance(template, dict):
        return {key: fill_manifest(value, values) for key, value in template.items()}
    if isinstance(template, list):
        return [fill_manifest(item, values) for item in template]
    if isinstance(template, str):
        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                raise PackageError(f"manifest.json uses {{{{{name}}}}} but the packager has no value for it")
            return values[name]

        return PLACEHOLDER.sub(replace, template)
    return template


def check_icons(color: Path, outline: Path) -> list[str]:
    """Teams' icon rules: colour 192x192; outline 32x32, white pixels on transparency only."""
    problems: list[str] = []
    images = {}
    for path in (color, outline):
        try:
            images[path] = read_png(str(path))
        except FileNotFoundError:
            problems.append(f"{path.name} is missing")
        except PngError as exc:
            problems.append(f"{path.name}: {exc}")
    if color in images and (images[color].width, images[color].height) != COLOR_SIZE:
        problems.append(f"{color.name} must be 192x192, not {images[color].width}x{images[color].height}")
    if outline in images:
        image = images[outline]
        if (image.width, image.height) != OUTLINE_SIZE:
            problems.append(f"{outline.name} must be 32x32, not {image.width}x{image.height}")
        coloured = sum(1 for r, g, b, a in image.pixels() if a and (r, g, b) != (255, 255, 255))
        if coloured:
            problems.append(f"{outline.name} must be white on transparent; {coloured} visible pixels are not white")
        if all(a == 255 for *_rgb, a in image.pixels()):
            problems.append(f"{outline.name} must have a transparent background")
    return problems


def validate_manifest(manifest: Mapping[str, Any]) -> list[str]:
    """Errors from Microsoft's schema for this manifest (empty when valid), checked offline by node."""
    node = shutil.which("node")
    if node is None:
        raise PackageError("node is not installed; it runs Microsoft's manifest validator (tools/validate-manifest.js)")
    if not APP_MANIFEST_PACKAGE.is_dir():
        raise PackageError(f"tools/node_modules is missing Microsoft's manifest schemas: {NPM_HINT}")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "manifest.json"
        path.write_text(json.dumps(manifest), encoding="utf-8")
        done = subprocess.run([node, str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=120)
    try:
        result = json.loads(done.stdout)
    except json.JSONDecodeError:
        raise PackageError(f"the manifest validator failed: {done.stderr.strip() or done.stdout.strip()}") from None
    if done.returncode == 2:
        raise PackageError(f"the manifest validator could not run: {'; '.join(result['errors'])}")
    return list(result["errors"])


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def build_package(app_id: str, out: Path = DEFAULT_OUT, version: str | None = None) -> Path:
    """Fill, check and zip the manifest and icons into `out`; raises PackageError, writing nothing, if any check fails."""
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    manifest = fill_manifest(template, {"MicrosoftAppId": app_id, "Version": version or project_version()})
    color = HERE / manifest["icons"]["color"]
    outline = HERE / manifest["icons"]["outline"]
    problems = validate_manifest(manifest) + check_icons(color, outline)
    if problems:
        raise PackageError("the package would be rejected by Teams:\n  " + "\n  ".join(problems))

    out.parent.mkdir(parents=True, exist_ok=True)
    entries = {"manifest.json": manifest_bytes(manifest), color.name: color.read_bytes(), outline.name: outline.read_bytes()}
    # Write beside the target and rename, so a failure never leaves a half-written zip.
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries.items():
                info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the package is not secret
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return out


def _load_dotenv() -> None:
    # Same rule as bot.settings: a .env in the working directory, never overriding the environment.
    path = Path.cwd() / ".env"
    if path.is_file():
        from dotenv import load_dotenv

        load_dotenv(path, override=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m manifest.package", description="Build the Teams app package.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="zip to write (default: build/teams-app.zip)")
    parser.add_argument("--version", help="app version, MAJOR.MINOR.PATCH (default: pyproject's)")
    args = parser.parse_args(argv)
    _load_dotenv()
    try:
        app_id = app_id_from_env(os.environ)
        out = build_package(app_id, args.out, args.version)
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out} (app id {app_id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
