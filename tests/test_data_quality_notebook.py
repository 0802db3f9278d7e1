"""The data quality report, executed with papermill on hand-built ledger folders."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from arkit.ledger import save_ledger

pytestmark = [pytest.mark.notebook, pytest.mark.slow]

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "data_quality.py"
AS_OF = "2026-03-20"

CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["C1", "C2", "C3"],
        "customer_name": ["Acme", "<script>alert(1)</script>", "华东贸易"],
    }
)
INVOICES = pd.DataFrame(
    {
        "invoice_id": ["I1", "I2", "I3", "I4"],
        "customer_id": ["C1", "C2", "C2", "C3"],
        "invoice_date": ["2026-01-05", "2026-02-10", "2026-02-15", "2026-03-31"],
        "amount": ["100.00", "250.50", "-50.00", "1000.00"],
        "doc_type": ["invoice", "invoice", "credit_note", "invoice"],
    }
)
PAYMENTS = pd.DataFrame(
    {
        "payment_id": ["P1", "P2", "P3"],
        "customer_id": ["C1", "C2", "C3"],
        "payment_date": ["2026-02-01", "2026-03-01", "2026-03-15"],
        "amount": ["100.00", "200.00", "30.00"],
        "invoice_id": ["I1", "I2", None],
    }
)
# Worked example: invoices read 6 = 4 clean + 1 rejected (499.50) + 1 exact duplicate of I1;
# payments read 4 = 3 clean (one flagged as unapplied cash) + 1 rejected (75.25).
RECONCILIATION = {
    "customers": {
        "rows_read": 4, "rows_clean": 3, "rows_rejected": 1, "rows_merged": 0,
        "money_read": "0", "money_clean": "0", "money_rejected": "0", "money_merged": "0",
    },
    "invoices": {
        "rows_read": 6, "rows_clean": 4, "rows_rejected": 1, "rows_merged": 1,
        "money_read": "1900.00", "money_clean": "1300.50", "money_rejected": "499.50",
        "money_merged": "100.00",
    },
    "payments": {
        "rows_read": 4, "rows_clean": 3, "rows_rejected": 1, "rows_merged": 0,
        "money_read": "405.25", "money_clean": "330.00", "money_rejected": "75.25",
        "money_merged": "0",
    },
}  # fmt: skip
REJECTS = pd.DataFrame(
    {
        "table": ["customers", "invoices", "payments", "payments"],
        "source_file": ["customers.csv", "invoices.csv", "payments.csv", "payments.csv"],
        "source_row": [5, 7, 3, 4],
        "reason": ["missing_key", "unknown_customer", "bad_date", "unknown_invoice"],
        "severity": ["rejected", "rejected", "rejected", "flagged"],
        "message": [
            "customer_id is empty for customer <script>alert(1)</script>",
            "customer C9 is not in customers",
            "payment_date '31/02/2026' is not a date",
            "invoice I9 not found: kept as unapplied cash",
        ],
        "raw": [
            json.dumps({"customer_id": "", "customer_name": "<script>alert(1)</script>"}),
            json.dumps({"invoice_id": "I5", "customer_id": "C9", "amount": "499.50"}),
            json.dumps({"payment_id": "P4", "payment_date": "31/02/2026", "amount": "75.25"}),
            json.dumps({"payment_id": "P3", "invoice_id": "I9", "amount": "30.00"}),
        ],
        "amount": [None, "499.50", "75.25", "30.00"],
    }
)


def _ingest_manifest(reconciliation: dict) -> dict:
    return {
        "arkit_version": "0.1.0",
        "sources": [
            {"path": "raw/customers.csv", "sha256": "a" * 64},
            {"path": "raw/invoices.csv", "sha256": "b" * 64},
            {"path": "raw/payments.csv", "sha256": "c" * 64},
        ],
        "reconciliation": reconciliation,
        "fixups": {
            "invoices": {"due_date_derived": 2, "duplicate_merged": 1},
            "payments": {"unapplied_cash": 1},
        },
    }


def _ledger(folder: Path, manifest: dict | None, rejects: pd.DataFrame | None) -> Path:
    tables = {"customers": CUSTOMERS, "invoices": INVOICES, "payments": PAYMENTS}
    save_ledger(folder, tables, manifest)
    if rejects is not None:
        rejects.to_parquet(folder / "rejects.parquet", index=False)
    return folder


def _run(tmp_path: Path, ledger: Path, **params) -> tuple[Path, dict]:
    import jupytext
    import nbformat
    import papermill

    source = tmp_path / "data_quality.ipynb"
    nbformat.write(jupytext.read(NOTEBOOK), source)
    out = tmp_path / "out"
    executed = tmp_path / "executed.ipynb"
    papermill.execute_notebook(
        str(source),
        str(executed),
        parameters={"ledger": str(ledger), "as_of": AS_OF, "output_dir": str(out), **params},
        kernel_name="python3",
        progress_bar=False,
    )
    return out, nbformat.read(executed, as_version=4)


def _html_outputs(notebook) -> list[str]:
    return [
        output["data"]["text/html"]
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        if "text/html" in output.get("data", {})
    ]


def _outputs(notebook, mime: str) -> str:
    return "\n".join(
        output.get("data", {}).get(mime, "")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )


def test_data_quality_report_on_an_ingested_ledger(tmp_path):
    ledger = _ledger(tmp_path / "ledger", _ingest_manifest(RECONCILIATION), REJECTS)
    out, executed = _run(tmp_path, ledger, max_rejects_shown=2)

    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics == {
        "rows_read": 14,
        "rows_clean": 10,
        "rows_rejected": 3,
        "rows_merged": 1,
        "rows_flagged": 1,
        "money_rejected": 574.75,
        "reconciled": True,
        "fixups": 4,
        "latest_invoice_date": "2026-03-31",
        "latest_payment_date": "2026-03-15",
        "source_files": 3,
    }

    recon = pd.read_csv(out / "tables" / "reconciliation.csv")
    assert recon["table"].tolist() == ["customers", "invoices", "payments"]
    assert recon["rows_read"].tolist() == [4, 6, 4]
    assert recon["money_clean"].tolist() == [0.0, 1300.50, 330.00]
    assert recon["rows_check"].tolist() == recon["money_check"].tolist() == ["✓"] * 3

    by_reason = pd.read_csv(out / "tables" / "rejects_by_reason.csv")
    assert by_reason["reason"].tolist() == [
        "bad_date",
        "missing_key",
        "unknown_customer",
        "unknown_invoice",
    ]
    assert by_reason["severity"].tolist() == ["rejected", "rejected", "rejected", "flagged"]
    assert by_reason["rows"].tolist() == [1, 1, 1, 1]
    assert by_reason["money"].fillna(-1).tolist() == [75.25, -1, 499.50, 30.00]

    fixups = pd.read_csv(out / "tables" / "fixups.csv")
    assert fixups.to_dict("records") == [
        {"table": "invoices", "fix_up": "due_date_derived", "rows": 2},
        {"table": "invoices", "fix_up": "duplicate_merged", "rows": 1},
        {"table": "payments", "fix_up": "unapplied_cash", "rows": 1},
    ]

    freshness = pd.read_csv(out / "tables" / "freshness.csv")
    assert freshness.to_dict("records") == [
        {"table": "invoices", "latest_date": "2026-03-31", "days_before_as_of": -11,
         "rows_after_as_of": 1},
        {"table": "payments", "latest_date": "2026-03-15", "days_before_as_of": 5,
         "rows_after_as_of": 0},
    ]  # fmt: skip

    # the Excel worklist holds every reject, as numbers, in source order
    worklist = pd.read_excel(out / "tables" / "rejects.xlsx")
    assert worklist["source_row"].tolist() == [5, 7, 3, 4]
    assert worklist["amount"].fillna(0).tolist() == [0, 499.50, 75.25, 30.00]

    # top rejected rows: largest amounts first, cut at max_rejects_shown
    (top,) = [h for h in _html_outputs(executed) if 'headers="source_row"' in h]
    assert re.findall(r'headers="source_row"[^>]*>(.*?)</td>', top) == ["7", "3"]
    assert re.findall(r'headers="amount"[^>]*>(.*?)</td>', top) == ["499.50", "75.25"]
    assert "2 more rows in the worklist" in _outputs(executed, "text/markdown")
    html = _outputs(executed, "text/html")
    assert "<script>alert(1)</script>" not in html  # messages quote user text, escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "1,300.50" in html


def test_a_cent_off_is_not_reconciled(tmp_path):
    broken = json.loads(json.dumps(RECONCILIATION))
    broken["payments"]["money_clean"] = "329.99"
    ledger = _ledger(tmp_path / "ledger", _ingest_manifest(broken), REJECTS)
    out, _ = _run(tmp_path, ledger)

    assert json.loads((out / "metrics.json").read_text())["reconciled"] is False
    recon = pd.read_csv(out / "tables" / "reconciliation.csv").set_index("table")
    assert recon.loc["payments", "money_check"] == "✗"
    assert recon.loc["payments", "rows_check"] == "✓"
    assert recon.loc["invoices", "money_check"] == "✓"


def test_ledger_without_ingest_details(tmp_path):
    ledger = _ledger(tmp_path / "ledger", None, None)
    out, executed = _run(tmp_path, ledger)

    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["rows_read"] is None
    assert metrics["reconciled"] is None
    assert metrics["rows_flagged"] is None
    assert metrics["fixups"] == 0
    assert metrics["latest_invoice_date"] == "2026-03-31"
    recon = pd.read_csv(out / "tables" / "reconciliation.csv")
    assert recon.to_dict("records") == [
        {"table": "customers", "rows_clean": 3},
        {"table": "invoices", "rows_clean": 4},
        {"table": "payments", "rows_clean": 3},
    ]
    assert not (out / "tables" / "rejects.xlsx").exists()
    markdown = _outputs(executed, "text/markdown")
    assert "records no ingest reconciliation" in markdown
    assert "No `rejects.parquet`" in markdown
