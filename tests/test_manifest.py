"""The Teams app package: the filled manifest validates against the committed v1.30 schema,
the icons have Teams' sizes, and the build command writes a zip with the three files."""
from __future__ import annotations

import json
import struct
import zipfile

import jsonschema
import pytest

from teams import build_package
from teams.build_package import HERE, PackageError, build, fill, validate

APP_ID = "11111111-2222-3333-4444-555555555555"


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
    assert "When must I claim H1 funds?" in commands and len(commands) <= 10
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
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(zf.read("manifest.json"))
    validate(manifest)
    assert manifest["bots"][0]["botId"] == APP_ID


def test_build_command_reads_the_app_id_from_the_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MicrosoftAppId", APP_ID)
    monkeypatch.setenv("MicrosoftAppPassword", "secret-for-test")
    out = tmp_path / "app.zip"
    assert build_package.main(["--out", str(out)]) == 0
    assert zipfile.ZipFile(out).read("manifest.json")
    monkeypatch.delenv("MicrosoftAppId")
    monkeypatch.delenv("MicrosoftAppPassword")
    assert build_package.main(["--out", str(out), "--app-id", "nope"]) == 2
