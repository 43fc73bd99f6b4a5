"""cli.ask and cli.answer, in process (argparse) and as a process."""
from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli import answer as answer_cli
from cli import ask as ask_cli

ROOT = Path(__file__).resolve().parents[1]


def parse(module, argv):
    parser = argparse.ArgumentParser()
    module.configure_parser(parser)
    return parser.parse_args(argv)


def test_ask_prints_the_answer(capsys):
    assert ask_cli.run(parse(ask_cli, ["claim deadline for May 2024", "--today", "2024-11-27"])) == 0
    assert "February 15, 2025" in capsys.readouterr().out


def test_ask_prints_plain_text_as_answer_writes_it(tmp_path, capsys):
    questions = ["claim deadline for May 2024", "Quand réclamer les fonds de mai 2024 ?",
                 "What can I claim right now?", "split 5000 60/40"]
    src = tmp_path / "t.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["question"], *([q] for q in questions)])
    out = tmp_path / "o.csv"
    answer_cli.run(parse(answer_cli, [str(src), "--today", "2024-11-27", "--out", str(out)]),
                   stderr=io.StringIO())
    answered = [row["answer"] for row in csv.DictReader(out.open(encoding="utf-8"))]
    for question, expected in zip(questions, answered):
        ask_cli.run(parse(ask_cli, [question, "--today", "2024-11-27"]))
        printed = capsys.readouterr().out
        assert "**" not in printed and "__" not in printed, printed
        assert printed.startswith(expected), (printed, expected)


def test_ask_json_has_iso_dates(capsys):
    ask_cli.run(parse(ask_cli, ["Quand réclamer les fonds de mai 2024 ?", "--today", "2024-11-27", "--json"]))
    data = json.loads(capsys.readouterr().out)
    assert data["lang"] == "fr" and data["timelines"][0]["claim_end"] == "2025-02-15"


@pytest.mark.process
@pytest.mark.parametrize("bad", ["2024-02-30", "yesterday", "1850-01-01"])
def test_ask_bad_today_exits_2(bad):
    proc = subprocess.run([sys.executable, "-m", "cli.ask", "hi", "--today", bad], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2 and "--today" in proc.stderr


@pytest.mark.process
def test_ask_does_not_import_the_bot_framework():
    code = "import sys, cli.ask; cli.ask.main(['hi', '--today', '2024-11-27']); " \
           "print([m for m in sys.modules if m.split('.')[0] in ('botbuilder', 'aiohttp')])"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip().endswith("[]")


def test_answer_csv_keeps_columns_and_reports_failed_rows(tmp_path, capsys):
    src = tmp_path / "t.csv"
    src.write_text("id,question,agent\n1,claim deadline for May 2024,bob\n2,,carl\n3,Quand réclamer les fonds de mai 2024 ?,al\n",
                   encoding="utf-8")
    out = tmp_path / "o.csv"
    rc = answer_cli.run(parse(answer_cli, [str(src), "--today", "2024-11-27", "--out", str(out)]), stderr=io.StringIO())
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rc == 1 and [r["id"] for r in rows] == ["1", "2", "3"] and rows[0]["agent"] == "bob"
    assert "February 15, 2025" in rows[0]["answer"] and not rows[0]["error"]
    assert rows[1]["error"] and not rows[1]["answer"]
    assert "15 février 2025" in rows[2]["answer"]


def test_answer_jsonl_with_per_row_lang_and_today(tmp_path, capsys):
    src = tmp_path / "t.jsonl"
    src.write_text('{"question": "FY21 H2 deadline", "lang": "fr"}\n{"question": "H1 deadline", "today": "2025-03-01"}\n'
                   'not json\n{"question": "x", "today": "2024-13-01"}\n', encoding="utf-8")
    err = io.StringIO()
    rc = answer_cli.run(parse(answer_cli, [str(src), "--today", "2024-11-27", "--json"]), stderr=err)
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rc == 1 and len(rows) == 4
    assert "15 février 2022" in rows[0]["answer"] and rows[0]["facts"]["deadlines"] == ["2021-12-31", "2022-02-15"]  # Microsoft's FY21 H2
    assert "August 15, 2025" in rows[1]["answer"]
    assert "invalid JSON" in rows[2]["error"] and "not a date" in rows[3]["error"]
    assert "answered 4/4 rows" in err.getvalue()  # plain progress lines when stderr is not a terminal


def test_answer_progress_bar_redraws_in_place(tmp_path, capsys):
    src = tmp_path / "t.jsonl"
    src.write_text('{"question": "hi"}\n' * 3, encoding="utf-8")
    err = io.StringIO()
    answer_cli.run(parse(answer_cli, [str(src), "--progress"]), stderr=err)
    assert err.getvalue().count("\r[") == 3 and "3/3 100%" in err.getvalue()


def test_answer_csv_without_question_column_exits_2(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text("id,text\n1,hello\n", encoding="utf-8")
    err = io.StringIO()
    assert answer_cli.run(parse(answer_cli, [str(src)]), stderr=err) == 2 and "question" in err.getvalue()
