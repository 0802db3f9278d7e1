"""The data quality report, executed with papermill on hand-built ledger folders."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
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
# Worked example: invoices read 6 = 4 clean (1300.50) + 1 rejected (499.50) + 1 exact duplicate
# of I1 (100.00); payments read 5 = 3 clean (330.00, one flagged as unapplied cash) + 2 rejected:
# a bad date (75.25) and an unreadable amount (in no money total).
RECONCILIATION = {
    "customers": {
        "rows_read": 4, "rows_clean": 3, "rows_rejected": 1, "rows_merged": 0, "rows_flagged": 0,
        "money": {"credit_limit": {"read": "0", "clean": "0", "rejected": "0", "merged": "0",
                                   "unreadable_rows": 0}},
        "reasons": {"missing_key": 1}, "fixups": {},
    },
    "invoices": {
        "rows_read": 6, "rows_clean": 4, "rows_rejected": 1, "rows_merged": 1, "rows_flagged": 0,
        "money": {"amount": {"read": "1900.00", "clean": "1300.50", "rejected": "499.50",
                             "merged": "100.00", "unreadable_rows": 0}},
        "reasons": {"unknown_customer": 1, "merged": 1},
        "fixups": {"due_date_from_terms": 2, "merged_duplicate": 1},
    },
    "payments": {
        "rows_read": 5, "rows_clean": 3, "rows_rejected": 2, "rows_merged": 0, "rows_flagged": 1,
        "money": {"amount": {"read": "405.25", "clean": "330.00", "rejected": "75.25",
                             "merged": "0", "unreadable_rows": 1}},
        "reasons": {"bad_date": 1, "bad_amount": 1, "unknown_invoice": 1},
        "fixups": {"unapplied_cash": 1},
    },
}  # fmt: skip
SCRIPT = "<script>alert(1)</script>"
REJECTS = [
    ("customers", "customers.csv", 5, "missing_key", "rejected", "customer_id", "", ""),
    ("invoices", "invoices.csv", 7, "unknown_customer", "rejected", "customer_id", SCRIPT, "I5"),
    ("invoices", "invoices.csv", 8, "merged", "merged", "", "", "I1"),
    ("payments", "payments.csv", 3, "bad_date", "rejected", "payment_date", "31/02/2026", "P4"),
    ("payments", "payments.csv", 4, "unknown_invoice", "flagged", "invoice_id", "I9", "P3"),
    ("payments", "payments.csv", 6, "bad_amount", "rejected", "amount", "12,3,4", "P5"),
]


def _rejects_table() -> pa.Table:
    from arkit.ingest import REASONS, REJECTS_SCHEMA

    rows = []
    for table, source, row, reason, severity, column, value, key in REJECTS:
        where = f"row {row} of {source}"
        message = REASONS[reason].format(
            where=where, noun=table[:-1], key=key, column=column, value=value, other="row 2"
        )
        raw = json.dumps({"key": key, column or "note": value}, ensure_ascii=False)
        rows.append(
            {"table": table, "source": source, "row": row, "reason": reason,
             "severity": severity, "column": column, "value": value, "key": key,
             "message": message, "raw": raw}
        )  # fmt: skip
    return pa.Table.from_pylist(rows, schema=REJECTS_SCHEMA)


def _ingest_manifest(reconciliation: dict) -> dict:
    return {
        "arkit_version": "0.1.0",
        "sources": [
            {"label": "raw/customers.csv", "table": "customers", "sha256": "a" * 64},
            {"label": "raw/invoices.csv", "table": "invoices", "sha256": "b" * 64},
            {"label": "raw/payments.csv", "table": "payments", "sha256": "c" * 64},
        ],
        "reconciliation": reconciliation,
        "rejects": {"rows": len(REJECTS)},
    }


def _ledger(folder: Path, manifest: dict | None, rejects: pa.Table | None) -> Path:
    tables = {"customers": CUSTOMERS, "invoices": INVOICES, "payments": PAYMENTS}
    save_ledger(folder, tables, manifest)
    if rejects is not None:
        pq.write_table(rejects, folder / "rejects.parquet")
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


def _outputs_mimes(notebook) -> set[str]:
    return {
        mime
        for cell in notebook.cells
        for output in cell.get("outputs", [])
        for mime in output.get("data", {})
    }


def _outputs(notebook, mime: str) -> str:
    return "\n".join(
        output.get("data", {}).get(mime, "")
        for cell in notebook.cells
        for output in cell.get("outputs", [])
    )


def test_data_quality_report_on_an_ingested_ledger(tmp_path):
    ledger = _ledger(tmp_path / "ledger", _ingest_manifest(RECONCILIATION), _rejects_table())
    out, executed = _run(tmp_path, ledger, max_rejects_shown=2)

    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics == {
        "rows_read": 15,
        "rows_clean": 10,
        "rows_rejected": 4,
        "rows_merged": 1,
        "rows_flagged": 1,
        "money_rejected": 574.75,  # invoices 499.50 + payments 75.25
        "reconciled": True,
        "fixups": 4,
        "latest_invoice_date": "2026-03-31",
        "latest_payment_date": "2026-03-15",
        "source_files": 3,
    }

    recon = pd.read_csv(out / "tables" / "reconciliation.csv")
    assert recon["table"].tolist() == ["customers", "invoices", "payments"]
    assert recon["rows_read"].tolist() == [4, 6, 5]
    assert recon["rows_flagged"].tolist() == [0, 0, 1]
    assert recon["check"].tolist() == ["✓"] * 3
    money = pd.read_csv(out / "tables" / "reconciliation_money.csv")
    assert money[["table", "column"]].values.tolist() == [
        ["customers", "credit_limit"],
        ["invoices", "amount"],
        ["payments", "amount"],
    ]
    assert money["money_clean"].tolist() == [0.0, 1300.50, 330.00]
    assert money["unreadable_rows"].tolist() == [0, 0, 1]
    assert money["check"].tolist() == ["✓"] * 3

    by_reason = pd.read_csv(out / "tables" / "rejects_by_reason.csv")
    assert by_reason[["table", "reason", "severity", "rows"]].values.tolist() == [
        ["customers", "missing_key", "rejected", 1],
        ["invoices", "merged", "merged", 1],
        ["invoices", "unknown_customer", "rejected", 1],
        ["payments", "bad_amount", "rejected", 1],
        ["payments", "bad_date", "rejected", 1],
        ["payments", "unknown_invoice", "flagged", 1],
    ]
    assert by_reason["example"][4] == (
        "row 3 of payments.csv: payment P4 has payment_date '31/02/2026', which is not a date"
    )

    fixups = pd.read_csv(out / "tables" / "fixups.csv")
    assert fixups.values.tolist() == [
        ["invoices", "due_date_from_terms", 2],
        ["invoices", "merged_duplicate", 1],
        ["payments", "unapplied_cash", 1],
    ]

    freshness = pd.read_csv(out / "tables" / "freshness.csv")
    assert freshness.values.tolist() == [
        ["invoices", "2026-03-31", -11, 1],  # one invoice dated after the report date
        ["payments", "2026-03-15", 5, 0],
    ]

    # the Excel worklist: rejected rows then flagged ones, in source order; merged left out
    worklist = pd.read_excel(out / "tables" / "rejects.xlsx")
    assert worklist[["table", "row"]].values.tolist() == [
        ["customers", 5],
        ["invoices", 7],
        ["payments", 3],
        ["payments", 6],
        ["payments", 4],
    ]
    assert worklist["raw"][0] == '{"key": "", "customer_id": ""}'

    # the report lists the first max_rejects_shown rows to fix and says how many more
    (top,) = [h for h in _html_outputs(executed) if 'headers="message"' in h]
    assert re.findall(r'headers="row"[^>]*>(.*?)</td>', top) == ["5", "7"]
    assert "3 more rows in the worklist" in _outputs(executed, "text/markdown")
    (rows_table,) = [h for h in _html_outputs(executed) if 'headers="rows_flagged"' in h]
    assert re.findall(r'headers="rows_read"[^>]*>(.*?)</td>', rows_table) == ["4", "6", "5", "15"]
    html = _outputs(executed, "text/html")
    assert SCRIPT not in html  # messages quote exported values; they are escaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "1,300.50" in html
    summary = _outputs(executed, "text/markdown")
    assert "invoices **499.50**, payments **75.25** (amounts as exported, currencies not" in summary
    assert "image/png" in _outputs_mimes(executed)  # the chart is a static PNG


def test_a_cent_off_is_not_reconciled(tmp_path):
    broken = json.loads(json.dumps(RECONCILIATION))
    broken["payments"]["money"]["amount"]["clean"] = "329.99"
    ledger = _ledger(tmp_path / "ledger", _ingest_manifest(broken), _rejects_table())
    out, executed = _run(tmp_path, ledger)

    assert json.loads((out / "metrics.json").read_text())["reconciled"] is False
    assert pd.read_csv(out / "tables" / "reconciliation.csv")["check"].tolist() == ["✓"] * 3
    money = pd.read_csv(out / "tables" / "reconciliation_money.csv")
    assert money["check"].tolist() == ["✓", "✓", "✗"]
    assert "does not reconcile" in _outputs(executed, "text/markdown")


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


def test_data_quality_report_on_a_real_ingest(tmp_path):
    from arkit.ingest import ingest
    from arkit.synth import generate

    raw = generate(customers=30, years=1, seed=5).write(tmp_path / "raw", messy=True)
    result = ingest(raw, out=tmp_path / "ledger", run_date="2026-11-30")
    out, _ = _run(tmp_path, result.folder, as_of="2026-11-30")

    recon = result.manifest["reconciliation"]
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    for stage in ("read", "clean", "rejected", "merged", "flagged"):
        assert metrics[f"rows_{stage}"] == sum(s[f"rows_{stage}"] for s in recon.values())
    assert metrics["reconciled"] is True
    assert metrics["money_rejected"] == float(
        sum(Decimal(recon[t]["money"]["amount"]["rejected"]) for t in ("invoices", "payments"))
    )
    assert metrics["fixups"] == sum(sum(s["fixups"].values()) for s in recon.values())

    rejects = result.rejects
    by_reason = pd.read_csv(out / "tables" / "rejects_by_reason.csv")
    assert (
        by_reason.groupby("reason")["rows"].sum().to_dict()
        == (result.manifest["rejects"]["by_reason"])
    )
    worklist = pd.read_excel(out / "tables" / "rejects.xlsx")
    assert len(worklist) == int((rejects["severity"] != "merged").sum())
    assert set(worklist["severity"]) == {"rejected", "flagged"}
