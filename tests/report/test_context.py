"""ReportContext.save_table / save_metrics write what scripts and Excel users expect."""

import json

import openpyxl
import pandas as pd

from arkit.ledger import save_ledger
from arkit.report import ReportContext


def _context(tmp_path):
    ledger = save_ledger(
        tmp_path / "ledger",
        {"customers": pd.DataFrame({"customer_id": ["C1"], "customer_name": ["Acme"]})},
    )
    return ReportContext.from_params(
        ledger=str(ledger), as_of="2026-11-30", output_dir=str(tmp_path / "out")
    )


def test_excel_options_reach_the_workbook(tmp_path):
    ctx = _context(tmp_path)
    frame = pd.DataFrame({"customer": ["Acme"], "open_amount": [1234.5], "share": [0.25]})
    ctx.save_table(
        "top", frame, excel=True, money_columns=["open_amount"], percent_columns=["share"]
    )
    sheet = openpyxl.load_workbook(tmp_path / "out" / "tables" / "top.xlsx").active
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["share"].value == 0.25 and "%" in row["share"].number_format
    assert row["open_amount"].value == 1234.5 and "#,##0.00" in row["open_amount"].number_format
    assert pd.read_csv(tmp_path / "out" / "tables" / "top.csv")["open_amount"].tolist() == [1234.5]


def test_metrics_merge_and_stay_json(tmp_path):
    ctx = _context(tmp_path)
    ctx.save_metrics(total_ar=100, as_of=ctx.as_of)
    ctx.save_metrics(dso=float("nan"))
    saved = json.loads((tmp_path / "out" / "metrics.json").read_text(encoding="utf-8"))
    assert saved == {"total_ar": 100, "as_of": "2026-11-30", "dso": None}


def test_without_output_dir_nothing_is_written(tmp_path):
    ctx = _context(tmp_path)
    ctx.output_dir = None
    assert ctx.save_table("t", pd.DataFrame({"a": [1]})) is None
    assert not (tmp_path / "out").exists()
