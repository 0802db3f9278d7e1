"""The aging report notebook runs under papermill and publishes what the library computes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from ledger_fixture import random_tables

from arkit.aging import aging, aging_items, aging_summary, top_overdue
from arkit.kpis import ar_kpis, kpi_history
from arkit.ledger import open_ledger, save_ledger

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "aging.py"
AS_OF = "2026-06-30"

pytestmark = [pytest.mark.notebook, pytest.mark.slow]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    jupytext = pytest.importorskip("jupytext")
    papermill = pytest.importorskip("papermill")
    base = tmp_path_factory.mktemp("aging_report")
    ledger_dir = save_ledger(base / "ledger", random_tables(5, 200))
    notebook = base / "aging.ipynb"
    jupytext.write(jupytext.read(NOTEBOOK), notebook)
    out = base / "out"
    papermill.execute_notebook(
        str(notebook),
        str(base / "executed.ipynb"),
        parameters={
            "ledger": str(ledger_dir),
            "as_of": AS_OF,
            "output_dir": str(out),
            "history_months": 6,
            "top_n": 5,
        },
        kernel_name="python3",
        progress_bar=False,
        cwd=str(base),
    )
    return open_ledger(ledger_dir), out


def test_metrics_match_the_library(report):
    ledger, out = report
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    expected = ar_kpis(ledger, AS_OF).iloc[0]
    assert metrics["as_of"] == AS_OF
    for key in ("total_ar", "not_due", "overdue", "over_90"):
        assert metrics[key] == pytest.approx(expected[key], abs=0.005)
    for key in ("dso", "bpdso", "add", "cei"):
        assert metrics[key] == pytest.approx(expected[key])
    assert metrics["total_ar"] > 0


def test_aging_by_customer_table(report):
    ledger, out = report
    table = pd.read_csv(out / "tables" / "aging_by_customer.csv", dtype={"customer_id": str})
    expected = aging(ledger, AS_OF, received_after=True)
    assert list(table.columns[:9]) == [
        "customer_id",
        "customer_name",
        "currency",
        "not_due",
        "1-30",
        "31-60",
        "61-90",
        "91-120",
        "121+",
    ]
    pd.testing.assert_frame_equal(
        table.set_index("customer_id")[["total", "overdue"]].sort_index(),
        expected.set_index("customer_id")[["total", "overdue"]].sort_index(),
    )
    assert (out / "tables" / "aging_by_customer.xlsx").exists()


def test_summary_and_history_tables(report):
    ledger, out = report
    summary = pd.read_csv(out / "tables" / "aging_summary.csv")
    expected = aging_summary(ledger, AS_OF)
    assert summary["amount"].tolist() == pytest.approx(expected["amount"].tolist())
    history = pd.read_csv(out / "tables" / "aging_history.csv")
    assert len(history) == 6
    assert history["period_end"].iloc[-1] == AS_OF
    want = kpi_history(ledger, AS_OF, months=6)
    assert history["total_ar"].tolist() == pytest.approx(want["total_ar"].tolist())
    assert history["dso"].tolist() == pytest.approx(want["dso"].tolist())


def test_drilldown_workbook_has_library_values_and_formats(report):
    openpyxl = pytest.importorskip("openpyxl")
    ledger, out = report
    # the notebook lists the open lines of the 5 customers with the most overdue
    chosen = top_overdue(aging(ledger, AS_OF, received_after=True), 5)["customer_id"].head(5)
    expected = aging_items(ledger, AS_OF, chosen.tolist())
    sheet = openpyxl.load_workbook(out / "tables" / "aging_drilldown.xlsx").active
    header = [cell.value for cell in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(expected) > 0
    column = {name: header.index(name) for name in header}
    first = rows[0]
    assert first[column["invoice_id"]].value == expected["invoice_id"].iloc[0]
    amount = first[column["open_amount"]]
    assert amount.value == pytest.approx(expected["open_amount"].iloc[0], abs=0.005)
    assert amount.number_format == "#,##0.00;(#,##0.00)"
    days = first[column["days_past_due"]]
    assert days.value == expected["days_past_due"].iloc[0]
    assert days.number_format == "#,##0"
    due = first[column["due_date"]]
    assert due.value.date() == expected["due_date"].iloc[0].date()
    assert due.number_format == "yyyy-mm-dd"
    total = sum(row[column["open_amount"]].value for row in rows)
    assert total == pytest.approx(expected["open_amount"].sum(), abs=0.005)
