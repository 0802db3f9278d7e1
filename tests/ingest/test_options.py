"""Options end to end: separators, day-first dates, the run date's one-year horizon."""

from __future__ import annotations

import json

from arkit.cli import main
from arkit.ingest import IngestResult, ingest


def test_european_amounts_and_day_first_dates_from_the_command_line(raw, write):
    write(raw, "customers.csv", "customer_id;customer_name;payment_terms\nC1;Müller;Net 30")
    write(
        raw,
        "invoices.csv",
        """
        invoice_id;customer_id;invoice_date;amount
        I1;C1;05/03/2026;"1.234,50"
        I2;C1;31/01/2026;"(10,00)"
        I3;C1;01/31/2026;5
        """,
    )
    out = raw.parent / "ledger"
    args = ["ingest", str(raw), "--out", str(out), "--decimal", ",", "--thousands", "."]
    assert main([*args, "--dayfirst", "--run-date", "2026-06-30"]) == 0
    result = IngestResult(out, json.loads((out / "manifest.json").read_text(encoding="utf-8")))
    invoices = result.open().query(
        "SELECT invoice_id, invoice_date, due_date, amount FROM invoices ORDER BY 1"
    )
    assert invoices["invoice_date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-03-05", "2026-01-31"]
    assert invoices["due_date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-04-04", "2026-03-02"]
    assert invoices["amount"].tolist() == [1234.5, -10.0]
    assert result.rejects[["row", "reason", "value"]].values.tolist() == [
        [4, "bad_date", "01/31/2026"]
    ]


def test_the_future_horizon_is_one_year_after_the_run_date(raw, write, customers_csv):
    write(raw, "customers.csv", customers_csv)
    write(
        raw,
        "invoices.csv",
        """
        invoice_id,customer_id,invoice_date,amount,due_date
        I1,C1,2026-01-02,5,2027-06-30
        I2,C1,2026-01-02,5,2027-07-01
        I3,C1,1990-01-01,5,1990-01-31
        I4,C1,1989-12-31,5,1990-01-30
        """,
    )
    result = ingest(raw, out=raw.parent / "ledger", run_date="2026-06-30")
    rejects = result.rejects[["row", "reason", "column"]].values.tolist()
    assert rejects == [
        [3, "date_out_of_range", "due_date"],
        [5, "date_out_of_range", "invoice_date"],
    ]


def test_unreadable_flags_and_currencies_are_bad_values(raw, write, customers_csv):
    write(raw, "customers.csv", customers_csv)
    write(
        raw,
        "invoices.csv",
        """
        invoice_id,customer_id,invoice_date,amount,due_date,disputed,currency
        I1,C1,2026-01-02,5,2026-02-01,是,人民币
        I2,C1,2026-01-02,5,2026-02-01,perhaps,CNY
        I3,C1,2026-01-02,5,2026-02-01,N,dollars
        """,
    )
    result = ingest(raw, out=raw.parent / "ledger", run_date="2026-06-30")
    assert result.rejects[["row", "reason", "column", "value"]].values.tolist() == [
        [3, "bad_value", "disputed", "perhaps"],
        [4, "bad_value", "currency", "dollars"],
    ]
    clean = result.open().query("SELECT disputed, currency FROM invoices")
    assert clean.values.tolist() == [[True, "CNY"]]
