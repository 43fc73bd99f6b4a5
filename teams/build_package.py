"""Build the Teams app package: fill the manifest template, validate it, zip it with the icons.

    python -m teams.build_package --out dist/coop-assistant.zip
    python -m teams.build_package --out /tmp/app.zip --app-id 00000000-0000-0000-0000-000000000000

The bot id is ``MicrosoftAppId`` from the environment / ``.env`` (the same setting the server
reads, via :class:`config.Settings`) unless ``--app-id`` is given; the Teams app id is
``TeamsAppId`` when set, else the bot id (one Azure registration, one app). The filled
manifest is validated against the committed JSON schema (``teams/schema/``) before the zip is
written; ``--out`` relative paths are relative to the repository root, never the current
directory.
"""
from __future__ import annotations

import argparse
import io
import json
import logging
import os
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
TEMPLATE = HERE / "manifest.json"
ICONS = ("color.png", "outline.png")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")

logger = logging.getLogger(__name__)


class PackageError(ValueError):
    pass


def schema_path(manifest_version: str) -> Path:
    return HERE / "schema" / f"v{manifest_version}" / "MicrosoftTeams.schema.json"


def fill(app_id: str, *, teams_app_id: str | None = None, version: str | None = None) -> dict[str, Any]:
    """The manifest with the ids and version filled in."""
    if not app_id or not GUID.match(app_id):
        raise PackageError(f"MicrosoftAppId must be a GUID (the Azure bot registration's app id), got {app_id!r}")
    teams_app_id = teams_app_id or app_id
    if not GUID.match(teams_app_id):
        raise PackageError(f"TeamsAppId must be a GUID, got {teams_app_id!r}")
    if version is None:
        from config import __version__ as version  # noqa: PLC0415
    values = {"MicrosoftAppId": app_id, "TeamsAppId": teams_app_id, "version": version}
    text = TEMPLATE.read_text(encoding="utf-8")

    def substitute(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise PackageError(f"manifest.json has an unknown placeholder {{{{{name}}}}}")
        return values[name]

    return json.loads(PLACEHOLDER.sub(substitute, text))


def validate(manifest: dict[str, Any]) -> None:
    """Raise :class:`PackageError` listing every schema violation."""
    import jsonschema  # noqa: PLC0415 - a build/test dependency only

    schema = json.loads(schema_path(manifest["manifestVersion"]).read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.path))
    if errors:
        lines = [f"  {'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors]
        raise PackageError("manifest does not match its schema:\n" + "\n".join(lines))
    for icon in manifest["icons"].values():
        if not (HERE / icon).is_file():
            raise PackageError(f"icon {icon} is missing: run python -m teams.make_icons")


def build(out: Path, app_id: str, *, teams_app_id: str | None = None, version: str | None = None) -> Path:
    manifest = fill(app_id, teams_app_id=teams_app_id, version=version)
    validate(manifest)
    out = out if out.is_absolute() else REPO_ROOT / out
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in ICONS:
            zf.write(HERE / icon, icon)
    out.write_bytes(buffer.getvalue())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teams.build_package", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("dist/coop-assistant.zip"))
    parser.add_argument("--app-id", help="bot id (default: MicrosoftAppId from the environment/.env)")
    parser.add_argument("--teams-app-id", help="Teams app id (default: TeamsAppId, else the bot id)")
    args = parser.parse_args(argv)
    app_id = args.app_id
    if not app_id:
        from config import Settings  # noqa: PLC0415

        app_id = Settings.from_env().app_id
    try:
        path = build(args.out, app_id, teams_app_id=args.teams_app_id or os.environ.get("TeamsAppId"))
    except PackageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
