"""The Teams app package: the filled manifest and every localization it lists (French, German)
validate against the committed v1.30 schemas, the icons have Teams' sizes, the command list is
one a partner uses (and the bot understands every command in each language it has a pack for),
and the build command writes a zip with the manifest, the localization files and the icons."""
from __future__ import annotations

import json
import struct
import zipfile

import jsonschema
import pytest

from teams import build_package
from teams.build_package import HERE, PackageError, validate

APP_ID = "11111111-2222-3333-4444-555555555555"
URLS = {"privacy_url": "https://contoso.example/privacy", "terms_url": "https://contoso.example/terms"}


def fill(app_id, **kwargs):
    return build_package.fill(app_id, **{**URLS, **kwargs})


def build(out, app_id, **kwargs):
    return build_package.build(out, app_id, **{**URLS, **kwargs})


def localizations() -> dict[str, str]:
    """language tag → file of every additional language the manifest lists."""
    manifest = json.loads((HERE / "manifest.json").read_text(encoding="utf-8"))
    return {entry["languageTag"]: entry["file"] for entry in manifest["localizationInfo"]["additionalLanguages"]}


def localized(lang: str) -> dict:
    return json.loads((HERE / localizations()[lang]).read_text(encoding="utf-8"))


def needs_understanding(lang: str) -> None:
    """Skip when the language's understanding pack (vocabulary, intents, model) is not there
    yet: its catalogue and manifest strings can ship before it (issue #21: de-say, de-read)."""
    from understanding import packs

    if lang not in packs.available():
        pytest.skip(f"no understanding pack for {lang!r} yet")


def _png_size(data: bytes) -> tuple[int, int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, color_type = struct.unpack(">IIBB", data[16:26])
    return width, height, color_type


def test_filled_manifest_validates_against_its_schema():
    manifest = fill(APP_ID)
    schema = json.loads(build_package.schema_path(manifest["manifestVersion"]).read_text())
    jsonschema.Draft4Validator(schema).validate(manifest)
    validate(manifest)
    bot = manifest["bots"][0]
    assert bot["botId"] == APP_ID and manifest["id"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    commands = [c["title"] for c in bot["commandLists"][0]["commands"]]
    assert "When must I claim H1 funds?" in commands and len(commands) <= 12
    for needed in ("What can I claim right now?", "My reminders", "Stop reminders", "Forget my data"):
        assert needed in commands
    assert "permissions" not in manifest  # the bot uses neither identity nor messageTeamMembers
    assert manifest["developer"]["privacyUrl"] == URLS["privacy_url"]
    assert manifest["developer"]["termsOfUseUrl"] == URLS["terms_url"]
    assert manifest["$schema"].endswith(f"/v{manifest['manifestVersion']}/MicrosoftTeams.schema.json")


def test_schema_rejects_a_broken_manifest():
    manifest = fill(APP_ID)
    manifest["bots"][0]["scopes"] = ["everywhere"]
    with pytest.raises(PackageError, match="scopes"):
        validate(manifest)


def test_bot_id_must_be_a_guid():
    with pytest.raises(PackageError, match="GUID"):
        fill("")
    with pytest.raises(PackageError, match="GUID"):
        fill("not-a-guid")


def test_icons_have_teams_sizes():
    assert _png_size((HERE / "color.png").read_bytes()) == (192, 192, 6)
    assert _png_size((HERE / "outline.png").read_bytes()) == (32, 32, 6)  # RGBA: transparent


def test_outline_icon_is_white_on_transparent():
    from teams.make_icons import draw

    data = draw(32, None, stroke=0.07)
    assert data == (HERE / "outline.png").read_bytes()  # the committed icon is the script's output
    import zlib

    idat = data[data.index(b"IDAT") + 4:data.index(b"IEND") - 8]
    pixels = zlib.decompress(idat)
    rows = [pixels[i * 129 + 1:(i + 1) * 129] for i in range(32)]
    colours = {tuple(row[j:j + 3]) for row in rows for j in range(0, 128, 4) if row[j + 3]}
    alphas = {row[j + 3] for row in rows for j in range(0, 128, 4)}
    assert colours == {(255, 255, 255)} and 0 in alphas


def test_build_writes_the_zip(tmp_path):
    out = build(tmp_path / "pkg" / "coop-assistant.zip", APP_ID)
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == sorted(["color.png", "manifest.json", "outline.png", *localizations().values()])
        assert {"fr.json", "de.json"} <= set(zf.namelist())
        manifest = json.loads(zf.read("manifest.json"))
        french = json.loads(zf.read("fr.json"))
    validate(manifest)
    assert french["name.short"] and french["bots[0].commandLists[0].commands[0].title"]
    assert manifest["bots"][0]["botId"] == APP_ID


def test_build_command_reads_the_app_id_from_the_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.setenv("PRIVACY_URL", URLS["privacy_url"])
    monkeypatch.setenv("TERMS_OF_USE_URL", URLS["terms_url"])
    out = tmp_path / "app.zip"
    assert build_package.main(["--out", str(out)]) == 0
    assert zipfile.ZipFile(out).read("manifest.json")
    monkeypatch.delenv("MicrosoftAppId")
    assert build_package.main(["--out", str(out), "--app-id", "nope"]) == 2
    assert "--app-id" in capsys.readouterr().err  # the error says how to pass one
    assert build_package.main(["--out", str(out), "--app-id", APP_ID]) == 0


def test_missing_app_id_or_urls_say_how_to_pass_them(monkeypatch):
    monkeypatch.setattr(build_package, "_environment", lambda: {})
    with pytest.raises(PackageError, match="--app-id <GUID> or set MicrosoftAppId"):
        build_package.fill("", **URLS)
    with pytest.raises(PackageError, match="--privacy-url or set PRIVACY_URL"):
        build_package.fill(APP_ID, terms_url=URLS["terms_url"])
    with pytest.raises(PackageError, match="TERMS_OF_USE_URL"):
        build_package.fill(APP_ID, privacy_url=URLS["privacy_url"], terms_url="http://insecure.example/t")


def test_the_manifest_lists_french_and_german():
    assert localizations() == {"fr": "fr.json", "de": "de.json"}


@pytest.mark.parametrize("lang", sorted(localizations()))
def test_every_localization_validates_and_covers_every_command(lang):
    manifest = fill(APP_ID)
    strings = localized(lang)
    schema = json.loads(build_package.localization_schema_path("1.30").read_text())
    jsonschema.Draft4Validator(schema).validate(strings)
    # the same keys as the French file (bot name, descriptions, every starter and its description)
    assert set(strings) == set(localized("fr"))
    commands = manifest["bots"][0]["commandLists"][0]["commands"]
    titles = [strings[f"bots[0].commandLists[0].commands[{j}].title"] for j in range(len(commands))]
    assert len(set(titles)) == len(commands)
    expected = {"fr": ("Mes rappels", "Oublie mes données"), "de": ("Meine Erinnerungen", "Vergiss meine Daten")}
    assert set(expected.get(lang, ())) <= set(titles)
    broken = dict(strings)
    broken.pop("description.full")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(schema).validate(broken)


@pytest.mark.parametrize("lang", ["en", *sorted(localizations())])
def test_the_bot_understands_every_command_in_its_language(lang):
    from datetime import date

    from understanding import respond

    needs_understanding(lang)
    commands = [title for title, _ in _commands(lang)]
    for command in commands:
        reply = respond(command, today=date(2026, 12, 1))
        assert reply.lang == lang, command
        assert reply.intent not in ("fallback", "unknown", "out_of_scope"), (command, reply.intent)


# --- prompt starters (issue #19): one per task first, FY labels with their months ---------------


def _commands(lang):
    manifest = fill(APP_ID)
    commands = manifest["bots"][0]["commandLists"][0]["commands"]
    if lang == "en":
        return [(c["title"], c.get("description", "")) for c in commands]
    strings = localized(lang)
    return [(strings[f"bots[0].commandLists[0].commands[{j}].title"],
             strings[f"bots[0].commandLists[0].commands[{j}].description"]) for j in range(len(commands))]


TASKS = {"reminders": {"subscribe", "list_reminders", "unsubscribe"}, "calendar": {"calendar"},
         "help": {"help"}, "forget": {"forget"}}


def _task(intent):
    return next((task for task, intents in TASKS.items() if intent in intents), "ask")


@pytest.mark.parametrize("lang", ["en", *sorted(localizations())])
def test_the_first_starters_are_one_per_task_and_every_task_has_some(lang):
    """Teams shows the first prompt starters of a new chat (and the bot sends no welcome that
    competes with them): the first four are one per task, asking a deadline first; asking has
    several starters (today, an activity, a half, an FY label, PoE, how to claim)."""
    from collections import Counter
    from datetime import date

    from understanding import respond

    needs_understanding(lang)
    tasks = [_task(respond(title, today=date(2026, 12, 1)).intent) for title, _ in _commands(lang)]
    assert tasks[:4] == ["ask", "reminders", "calendar", "help"]
    counts = Counter(tasks)
    assert counts["ask"] >= 5 and counts["reminders"] == 3 and counts["calendar"] >= 1
    assert counts["forget"] == 1
    assert all(len(title) <= 128 and description for title, description in _commands(lang))


def test_every_fy_label_in_the_package_says_its_months_in_microsofts_calendar():
    """SPEC rule 8: Microsoft's labels (FY26 H1 = July – December 2025), and a text that
    writes an FY label also states the calendar months it means."""
    import re

    from core import calendar
    from core.periods import month_of
    from understanding.fmt import month_name

    manifest = fill(APP_ID)
    texts = {"en": [manifest["description"]["full"], manifest["description"]["short"]]}
    for lang in localizations():
        strings = localized(lang)
        texts[lang] = [strings["description.full"], strings["description.short"]]
    for lang in list(texts):
        texts[lang] += [f"{title} {description}" for title, description in _commands(lang)]
    seen = 0
    for lang, found in texts.items():
        for text in found:
            for yy, name in re.findall(r"\bFY(\d{2}) (H[12])\b", text):
                half = calendar().half_from_label(2000 + int(yy), name, "microsoft")
                (y0, m0), (y1, m1) = month_of(half.first), month_of(half.last)
                assert y0 == y1
                months = f"{month_name(m0, None, lang)} – {month_name(m1, None, lang)} {y0}"
                assert months in text, (lang, f"FY{yy} {name}", months, text)
                seen += 1
    assert seen >= 4  # the FY starter and the long description, in both languages


def test_the_compose_extension_and_the_copilot_agent_are_declared():
    """Issue #21: the search-based message extension (the bot's, answered by ``bot.compose``)
    and the custom engine agent for Microsoft 365 Copilot validate with the rest, and the
    French file names the same command."""
    from bot import compose

    manifest = fill(APP_ID)
    validate(manifest)
    [extension] = manifest["composeExtensions"]
    assert extension["botId"] == APP_ID and extension.get("composeExtensionType", "botBased") == "botBased"
    [command] = extension["commands"]
    assert command["id"] == compose.COMMAND_ID and command["type"] == "query"
    assert set(command["context"]) == {"compose", "commandBox", "message"}
    [parameter] = command["parameters"]
    assert parameter["name"] == compose.PARAMETER
    # described for Copilot: what it looks up, what the parameter takes, in words a model can use
    assert "FY27 H1" in parameter["semanticDescription"] and "July - December 2026" in parameter["semanticDescription"]
    assert "claiming window" in command["semanticDescription"] and command["samplePrompts"]
    assert manifest["copilotAgents"] == {"customEngineAgents": [{"type": "bot", "id": APP_ID}]}
    assert "personal" in manifest["bots"][0]["scopes"]  # a custom engine agent's bot must have it
    french = json.loads((HERE / "fr.json").read_text(encoding="utf-8"))
    assert french["composeExtensions[0].commands[0].title"] == "Échéance co-op"
    assert french["composeExtensions[0].commands[0].parameters[0].description"]
    broken = fill(APP_ID)
    broken["copilotAgents"]["customEngineAgents"][0]["type"] = "declarative"
    with pytest.raises(PackageError, match="copilotAgents"):
        validate(broken)
    broken = fill(APP_ID)
    broken["composeExtensions"][0]["commands"][0]["context"] = ["everywhere"]
    with pytest.raises(PackageError, match="composeExtensions"):
        validate(broken)


def test_the_package_carries_the_compose_extension(tmp_path):
    out = build(tmp_path / "coop.zip", APP_ID)
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["composeExtensions"][0]["botId"] == APP_ID
    assert manifest["copilotAgents"]["customEngineAgents"][0]["id"] == APP_ID
