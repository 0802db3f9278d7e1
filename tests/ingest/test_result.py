"""IngestResult as text (CLI) and HTML (notebook), and the CLI success path."""

from __future__ import annotations

from arkit.cli import main
from arkit.ingest import ingest

INVOICES = """
    invoice_id,customer_id,invoice_date,amount,due_date
    I1,C1,2026-01-02,"1,000.00",2026-02-01
    I2,C1,2026-01-03,250.50,2026-02-02
    I2,C1,2026-01-03,250.50,2026-02-02
    I3,C9,2026-01-04,10,2026-02-03
"""


def test_summary_text_and_html(raw, write, customers_csv):
    write(raw, "customers.csv", customers_csv)
    write(raw, "invoices.csv", INVOICES)
    result = ingest(raw, out=raw.parent / "ledger", run_date="2026-06-30")
    lines = repr(result).splitlines()
    assert lines[0] == f"clean ledger: {raw.parent / 'ledger'}"
    assert lines[2].split() == [
        "invoices",
        "read",
        "4",
        "clean",
        "2",
        "rejected",
        "1",
        "merged",
        "1",
        "flagged",
        "0",
    ]
    assert lines[3] == "  reasons: merged 1, unknown_customer 1"
    frame = result.table_summary()
    assert frame.loc[
        "invoices", ["money read", "money clean", "money rejected", "money merged"]
    ].tolist() == [
        1511.0,
        1250.5,
        10.0,
        250.5,
    ]
    html = result._repr_html_()
    assert "<table" in html and "1,250.50" in html and "unknown_customer 1" in html


def test_cli_prints_the_summary_and_exits_zero(raw, write, customers_csv, capsys):
    write(raw, "customers.csv", customers_csv)
    write(raw, "invoices.csv", INVOICES)
    out = raw.parent / "ledger"
    assert main(["ingest", str(raw), "--out", str(out), "--run-date", "2026-06-30"]) == 0
    printed = capsys.readouterr().out
    assert printed.splitlines()[0] == f"clean ledger: {out}"
    assert sorted(p.name for p in out.iterdir()) == [
        "customers.parquet",
        "invoices.parquet",
        "manifest.json",
        "payments.parquet",
        "rejects.parquet",
    ]


def test_the_package_is_callable_as_arkit_ingest(raw, write, customers_csv):
    import arkit.ingest

    write(raw, "customers.csv", customers_csv)
    write(raw, "invoices.csv", INVOICES)
    result = arkit.ingest(raw, out=raw.parent / "ledger", run_date="2026-06-30")
    assert result.manifest["reconciliation"]["invoices"]["rows_clean"] == 2
    assert arkit.ingest.REASONS["zero_amount"].startswith("{where}")


def test_summary_money_is_the_document_amount_not_credit_limits(raw, write):
    write(raw, "customers.csv", "customer_id,customer_name,credit_limit\nC1,Acme,50000")
    write(
        raw,
        "invoices.csv",
        "invoice_id,customer_id,invoice_date,amount,due_date\nI1,C1,2026-01-02,5,2026-02-01",
    )
    frame = ingest(raw, out=raw.parent / "ledger", run_date="2026-06-30").table_summary()
    assert frame.loc["invoices", "money clean"] == 5.0
    assert frame["money clean"].isna().tolist() == [True, False]
