"""Build the Teams app package: fill the manifest template, validate it and its French
localization, zip them with the icons.

    python -m teams.build_package --app-id 00000000-0000-0000-0000-000000000000 \
        --privacy-url https://example.com/privacy --terms-url https://example.com/terms

The bot id is ``--app-id``, else ``MicrosoftAppId`` from the environment / ``.env`` (the same
setting the server reads); the Teams app id is ``--teams-app-id`` / ``TeamsAppId`` when set,
else the bot id (one Azure registration, one app). The privacy statement and terms of use are
your organisation's pages (the bot stores reminder subscriptions, calendar links and
conversation state): ``--privacy-url`` / ``PRIVACY_URL`` and ``--terms-url`` /
``TERMS_OF_USE_URL``, https only. The filled manifest is validated against the committed JSON
schema (``teams/schema/``) and every localization file against the localization schema before
the zip is written; ``--out`` relative paths are relative to the repository root.
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
HTTPS_URL = re.compile(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$")
APP_ID_HELP = ("pass --app-id <GUID> or set MicrosoftAppId (environment or .env) to the Azure "
               "bot registration's application (client) id")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")

logger = logging.getLogger(__name__)


class PackageError(ValueError):
    pass


def schema_path(manifest_version: str) -> Path:
    return HERE / "schema" / f"v{manifest_version}" / "MicrosoftTeams.schema.json"


def localization_schema_path(manifest_version: str) -> Path:
    return HERE / "schema" / f"v{manifest_version}" / "MicrosoftTeams.Localization.schema.json"


def fill(app_id: str, *, teams_app_id: str | None = None, version: str | None = None,
         privacy_url: str | None = None, terms_url: str | None = None) -> dict[str, Any]:
    """The manifest with the ids, version and your privacy/terms URLs filled in."""
    if not app_id:
        raise PackageError(f"no bot id: {APP_ID_HELP}")
    if not GUID.match(app_id):
        raise PackageError(f"the bot id must be a GUID, got {app_id!r}: {APP_ID_HELP}")
    teams_app_id = teams_app_id or app_id
    if not GUID.match(teams_app_id):
        raise PackageError(f"TeamsAppId must be a GUID, got {teams_app_id!r}")
    for name, option, url in (("PRIVACY_URL", "--privacy-url", privacy_url),
                              ("TERMS_OF_USE_URL", "--terms-url", terms_url)):
        if not url or not HTTPS_URL.match(url):
            raise PackageError(f"{name} must be the https URL of your organisation's page "
                               f"(pass {option} or set {name}), got {url!r}")
    if version is None:
        from config import __version__ as version  # noqa: PLC0415
    values = {"MicrosoftAppId": app_id, "TeamsAppId": teams_app_id, "version": version,
              "PrivacyUrl": privacy_url, "TermsOfUseUrl": terms_url}
    text = TEMPLATE.read_text(encoding="utf-8")

    def substitute(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise PackageError(f"manifest.json has an unknown placeholder {{{{{name}}}}}")
        return values[name]

    return json.loads(PLACEHOLDER.sub(substitute, text))


def _schema_errors(schema_file: Path, document: dict[str, Any], what: str) -> None:
    import jsonschema  # noqa: PLC0415 - a build/test dependency only

    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    if errors:
        lines = [f"  {'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in errors]
        raise PackageError(f"{what} does not match its schema:\n" + "\n".join(lines))


def localization_files(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``{file name: parsed JSON}`` of every additional language of ``manifest``."""
    info = manifest.get("localizationInfo") or {}
    out = {}
    for language in info.get("additionalLanguages", []):
        path = HERE / language["file"]
        if not path.is_file():
            raise PackageError(f"localization file {language['file']} ({language['languageTag']}) is missing")
        out[language["file"]] = json.loads(path.read_text(encoding="utf-8"))
    return out


def validate(manifest: dict[str, Any]) -> None:
    """Raise :class:`PackageError` listing every schema violation of the manifest and of its
    localization files; every localized command must exist in the manifest."""
    version = manifest["manifestVersion"]
    _schema_errors(schema_path(version), manifest, "manifest")
    commands = [c for cl in manifest["bots"][0].get("commandLists", []) for c in cl["commands"]]
    for name, strings in localization_files(manifest).items():
        _schema_errors(localization_schema_path(version), strings, name)
        for key in strings:
            match = re.match(r"^bots\[0\]\.commandLists\[(\d+)\]\.commands\[(\d+)\]\.", key)
            if match:
                lists = manifest["bots"][0]["commandLists"]
                i, j = int(match.group(1)), int(match.group(2))
                if i >= len(lists) or j >= len(lists[i]["commands"]):
                    raise PackageError(f"{name}: {key} names a command the manifest does not have")
        missing = [f"commands[{j}]" for j in range(len(commands))
                   if f"bots[0].commandLists[0].commands[{j}].title" not in strings]
        if missing:
            raise PackageError(f"{name}: no translation for {', '.join(missing)}")
    for icon in manifest["icons"].values():
        if not (HERE / icon).is_file():
            raise PackageError(f"icon {icon} is missing: run python -m teams.make_icons")


def build(out: Path, app_id: str, *, teams_app_id: str | None = None, version: str | None = None,
          privacy_url: str | None = None, terms_url: str | None = None) -> Path:
    manifest = fill(app_id, teams_app_id=teams_app_id, version=version,
                    privacy_url=privacy_url, terms_url=terms_url)
    validate(manifest)
    out = out if out.is_absolute() else REPO_ROOT / out
    out.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for icon in ICONS:
            zf.write(HERE / icon, icon)
        for name, strings in localization_files(manifest).items():
            zf.writestr(name, json.dumps(strings, indent=2, ensure_ascii=False))
    out.write_bytes(buffer.getvalue())
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teams.build_package", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("dist/coop-assistant.zip"))
    parser.add_argument("--app-id", help="bot id, a GUID (default: MicrosoftAppId from the environment/.env)")
    parser.add_argument("--teams-app-id", help="Teams app id (default: TeamsAppId, else the bot id)")
    parser.add_argument("--privacy-url", help="your privacy statement, https (default: PRIVACY_URL)")
    parser.add_argument("--terms-url", help="your terms of use, https (default: TERMS_OF_USE_URL)")
    args = parser.parse_args(argv)
    env = _environment()
    try:
        path = build(args.out, args.app_id or env.get("MicrosoftAppId", ""),
                     teams_app_id=args.teams_app_id or env.get("TeamsAppId"),
                     privacy_url=args.privacy_url or env.get("PRIVACY_URL"),
                     terms_url=args.terms_url or env.get("TERMS_OF_USE_URL"))
    except PackageError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(path)
    return 0


def _environment() -> dict[str, str]:
    """The process environment over the repository's ``.env`` (as the server reads it),
    without validating the server's own settings: packaging needs none of them."""
    values: dict[str, str] = {}
    dotenv = REPO_ROOT / ".env"
    if dotenv.is_file():
        from dotenv import dotenv_values  # noqa: PLC0415

        values.update({k: v for k, v in dotenv_values(dotenv).items() if v})
    values.update({k: v for k, v in os.environ.items() if v})
    return {k: v.strip() for k, v in values.items()}


if __name__ == "__main__":
    sys.exit(main())
