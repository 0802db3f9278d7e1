"""Every reason code on hand-made rows: which row, which code, what message, and the totals."""

from __future__ import annotations

import json
from decimal import Decimal

import pandas as pd
import pytest

from arkit.ingest import REASONS, SEVERITY, ingest
from arkit.ledger import open_ledger

RUN = "2026-06-30"


def _ingest(raw, **kwargs):
    return ingest(raw, out=raw.parent / "ledger", run_date=RUN, **kwargs)


def _found(result) -> set[tuple[str, int, str]]:
    r = result.rejects
    return set(zip(r["table"], r["row"].astype(int), r["reason"], strict=True))


@pytest.fixture
def messy(raw, write):
    write(
        raw,
        "customers.csv",
        """
        客户编号,客户名称,付款条件,币种
        C1,Acme,NET30,CNY
        C2,Beta,月结30天,USD
        C3,Gamma,whenever we like,CNY
        C1,Acme,NET30,CNY
        C2,Beta Ltd,NET60,USD
        ,Nobody,NET30,CNY
        """,
    )
    write(
        raw,
        "invoices.csv",
        """
        发票号码,客户编号,开票日期,价税合计,到期日
        INV-1,C1,2026/3/5,"1,234.50",
        INV-2,C2,2026年1月15日,¥200.00,2026-03-01
        INV-3,C3,20260305,100,
        INV-4,C9,2026-03-01,100,2026-04-01
        INV-5,C1,2026-03-01,0,2026-04-01
        INV-6,C1,2026-03-01,(50.00),
        INV-7,C1,2026-03-10,abc,2026-04-01
        INV-8,C1,2026-03-10,10,2026-03-01
        INV-1,C1,2026/3/5,"1,234.50",
        INV-2,C2,2026-01-15,300,2026-03-01
        ,C1,2026-01-15,300,2026-02-01
        INV-9,C1,2026-02-30,300,2026-04-01
        INV-10,C1,1989-12-31,300,2026-04-01
        INV-11,C1,2026-03-01,,2026-04-01
        INV-12,C1,2028-01-01,300,2028-02-01
        """,
    )
    write(
        raw,
        "payments.csv",
        """
        收款单号,客户编号,收款日期,收款金额,发票号码,收款方式
        P1,C1,2026-04-01,1234.50,INV-1,bank
        P2,C2,2026-04-01,50,INV-99,bank
        P3,C2,2026-04-01,-50,,bank
        P4,C2,2026-04-02,-20,INV-2,Reversal
        P5,C9,2026-04-02,20,,bank
        P6,C1,not yet,20,,bank
        """,
    )
    return raw


EXPECTED = {
    ("customers", 4, "bad_terms"),
    ("customers", 5, "merged"),
    ("customers", 6, "duplicate_conflict"),
    ("customers", 7, "missing_key"),
    ("invoices", 4, "missing_due_date"),
    ("invoices", 5, "unknown_customer"),
    ("invoices", 6, "zero_amount"),
    ("invoices", 8, "bad_amount"),
    ("invoices", 9, "due_before_invoice"),
    ("invoices", 10, "merged"),
    ("invoices", 11, "duplicate_conflict"),
    ("invoices", 12, "missing_key"),
    ("invoices", 13, "bad_date"),
    ("invoices", 14, "date_out_of_range"),
    ("invoices", 15, "missing_value"),
    ("invoices", 16, "date_out_of_range"),
    ("payments", 3, "unknown_invoice"),
    ("payments", 4, "sign_mismatch"),
    ("payments", 6, "unknown_customer"),
    ("payments", 7, "bad_date"),
}


def test_each_bad_row_gets_its_reason_and_only_bad_rows_are_reported(messy):
    result = _ingest(messy)
    assert _found(result) == EXPECTED
    rejects = result.rejects.set_index(["table", "row"])
    assert set(rejects["severity"]) == {"rejected", "flagged", "merged"}
    assert all(rejects["severity"] == rejects["reason"].map(SEVERITY))


def test_messages_let_a_finance_person_find_the_row(messy):
    rejects = _ingest(messy).rejects.set_index(["table", "row"])["message"]
    assert rejects[("invoices", 9)] == (
        "row 9 of invoices.csv: invoice INV-8 has due date 2026-03-01 before its invoice date 2026-03-10"
    )
    assert rejects[("invoices", 5)] == (
        "row 5 of invoices.csv: invoice INV-4 is for customer C9, who is not in the customer list"
    )
    assert rejects[("invoices", 11)] == (
        "row 11 of invoices.csv: invoice INV-2 appears again with different values; "
        "the first occurrence (row 3) is kept"
    )
    assert rejects[("invoices", 8)] == (
        "row 8 of invoices.csv: invoice INV-7 has amount 'abc', which is not an amount"
    )
    assert rejects[("payments", 3)].startswith(
        "row 3 of payments.csv: payment P2 refers to invoice INV-99, which is not in the invoice list"
    )
    assert rejects[("invoices", 4)] == (
        "row 4 of invoices.csv: invoice INV-3 has no due date and customer C3 has no "
        "readable payment terms to derive one"
    )


def test_rejects_keep_the_raw_row_as_read(messy):
    rejects = _ingest(messy).rejects.set_index(["table", "row"])
    raw = json.loads(rejects.loc[("invoices", 8), "raw"])
    assert raw == {
        "发票号码": "INV-7",
        "客户编号": "C1",
        "开票日期": "2026-03-10",
        "价税合计": "abc",
        "到期日": "2026-04-01",
    }
    assert rejects.loc[("invoices", 8), "source"] == "invoices.csv"


def test_clean_ledger_holds_the_good_rows_with_fixups_applied(messy):
    result = _ingest(messy)
    ledger = open_ledger(result.folder)
    invoices = ledger.query("SELECT * FROM invoices ORDER BY invoice_id").set_index("invoice_id")
    assert list(invoices.index) == ["INV-1", "INV-2", "INV-6"]
    # NET30 from 2026-03-05; 月结30天 is not needed (INV-2 has a due date); (50.00) is a credit note
    assert invoices.loc["INV-1", "due_date"] == pd.Timestamp("2026-04-04")
    assert invoices.loc["INV-6", "amount"] == -50.0
    assert invoices.loc["INV-6", "doc_type"] == "credit_note"
    assert invoices.loc["INV-6", "due_date"] == pd.Timestamp("2026-03-31")
    assert invoices.loc["INV-2", "currency"] == "USD"  # from the customer, counted
    payments = ledger.query("SELECT * FROM payments ORDER BY payment_id").set_index("payment_id")
    assert list(payments.index) == ["P1", "P2", "P4"]
    assert pd.isna(payments.loc["P2", "invoice_id"])  # unknown invoice: kept as unapplied cash
    assert payments.loc["P4", "amount"] == -20.0  # a reversal keeps its sign
    customers = ledger.query("SELECT customer_id FROM customers ORDER BY 1")["customer_id"]
    assert list(customers) == ["C1", "C2", "C3"]  # C3 is flagged (bad terms) but kept


def test_manifest_reconciles_rows_money_and_counts_fixups(messy):
    manifest = _ingest(messy).manifest
    inv = manifest["reconciliation"]["invoices"]
    assert (inv["rows_read"], inv["rows_clean"], inv["rows_rejected"], inv["rows_merged"]) == (
        15,
        3,
        11,
        1,
    )
    money = inv["money"]["amount"]
    # read: the 13 readable amounts; clean: 1234.50 + 200.00 - 50.00; merged: the INV-1 copy
    assert money == {
        "read": "4329.00",
        "clean": "1384.50",
        "rejected": "1710.00",
        "merged": "1234.50",
        "unreadable_rows": 1,
    }
    assert Decimal(money["clean"]) + Decimal(money["rejected"]) + Decimal(
        money["merged"]
    ) == Decimal(money["read"])
    assert inv["fixups"] == {
        "credit_note_from_sign": 1,
        "currency_from_customer": 3,
        "derived_due_date": 2,
        "invoice_by_default": 2,
        "merged_duplicate": 1,
    }
    pay = manifest["reconciliation"]["payments"]
    assert pay["fixups"]["unapplied_unknown_invoice"] == 1
    assert pay["rows_flagged"] == 1 and pay["rows_clean"] == 3
    assert manifest["rejects"]["by_reason"]["merged"] == 2
    assert manifest["tables"]["invoices"] == {"rows": 3, "money": {"amount": "1384.50"}}


def test_every_reason_has_a_message_template():
    fields = {"where", "noun", "key", "column", "value", "other"}
    import string

    for code, template in REASONS.items():
        used = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        assert used <= fields, code
        assert used >= {"where"}, code


def test_doc_type_column_governs_signs(raw, write, customers_csv):
    write(raw, "customers.csv", customers_csv)
    write(
        raw,
        "invoices.csv",
        """
        invoice_id,customer_id,invoice_date,due_date,amount,doc_type
        I1,C1,2026-01-05,2026-02-04,100,Invoice
        I2,C1,2026-01-06,2026-02-05,-100,invoice
        I3,C1,2026-01-07,2026-02-06,40,Credit Note
        I4,C1,2026-01-08,2026-02-07,-30,credit_note
        I5,C1,2026-01-09,2026-02-08,25,memo
        """,
    )
    result = _ingest(raw)
    assert _found(result) == {("invoices", 3, "sign_mismatch"), ("invoices", 6, "bad_value")}
    amounts = result.open().query("SELECT invoice_id, amount FROM invoices ORDER BY 1")
    assert amounts["amount"].tolist() == [100.0, -40.0, -30.0]
    assert result.manifest["reconciliation"]["invoices"]["fixups"] == {
        "credit_sign_flipped": 1,
        "currency_from_customer": 3,
    }
    message = result.rejects.set_index("row").loc[3, "message"]
    assert (
        message == "row 3 of invoices.csv: invoice I2 has a negative amount -100 but is an invoice"
    )


def test_foreign_currency_needs_a_rate_when_reporting_currency_is_set(raw, write, customers_csv):
    write(raw, "customers.csv", customers_csv)
    write(
        raw,
        "invoices.csv",
        """
        invoice_id,customer_id,invoice_date,due_date,amount,currency
        I1,C1,2026-01-05,2026-02-04,100,CNY
        I2,C2,2026-01-06,2026-02-05,100,USD
        I3,C2,2026-01-07,2026-02-06,100,EUR
        I4,C2,2026-01-07,2026-02-06,100,
        """,
    )
    write(raw, "fx_rates.csv", "date,currency,rate_to_base\n2026-01-31,USD,7.12345678")
    result = _ingest(raw, reporting_currency="cny")
    assert _found(result) == {("invoices", 4, "missing_fx_rate")}
    assert result.rejects["message"].iloc[0] == (
        "row 4 of invoices.csv: invoice I3 is in EUR but fx_rates has no EUR rate to CNY"
    )
    # without a reporting currency nothing is converted, so nothing is missing
    assert _found(_ingest(raw)) == set()


def test_default_currency_is_applied_and_counted(raw, write, customers_csv):
    write(raw, "customers.csv", "customer_id,customer_name\nC1,Acme")
    write(
        raw,
        "invoices.csv",
        "invoice_id,customer_id,invoice_date,due_date,amount\nI1,C1,2026-01-05,2026-02-04,100",
    )
    result = _ingest(raw, default_currency="人民币")
    assert result.open().query("SELECT currency FROM invoices")["currency"].tolist() == ["CNY"]
    assert result.manifest["reconciliation"]["invoices"]["fixups"]["default_currency"] == 1


def test_reversal_payments_keep_their_negative_sign(raw, write, customers_csv):
    write(raw, "customers.csv", customers_csv)
    write(
        raw,
        "invoices.csv",
        "invoice_id,customer_id,invoice_date,due_date,amount\nI1,C1,2026-01-05,2026-02-04,100",
    )
    write(
        raw,
        "payments.csv",
        """
        payment_id,customer_id,payment_date,amount,invoice_id,method
        P1,C1,2026-01-20,100,I1,bank
        P2,C1,2026-01-25,-100,I1,退票
        P3,C1,2026-01-26,0,I1,bank
        """,
    )
    result = _ingest(raw)
    assert _found(result) == {("payments", 4, "zero_amount")}
    assert result.manifest["reconciliation"]["payments"]["money"]["amount"]["clean"] == "0.00"


def test_a_flagged_row_that_is_also_rejected_counts_once_as_rejected(raw, write):
    write(
        raw,
        "customers.csv",
        """
        customer_id,customer_name,payment_terms
        C1,Acme,whenever
        C1,Acme Ltd,whenever
        """,
    )
    write(
        raw,
        "invoices.csv",
        "invoice_id,customer_id,invoice_date,amount,due_date\nI1,C1,2026-01-02,5,2026-02-01",
    )
    result = _ingest(raw)
    assert _found(result) == {("customers", 2, "bad_terms"), ("customers", 3, "duplicate_conflict")}
    stats = result.manifest["reconciliation"]["customers"]
    assert (stats["rows_clean"], stats["rows_rejected"], stats["rows_flagged"]) == (1, 1, 1)
    assert stats["reasons"] == {"duplicate_conflict": 1, "bad_terms": 1}
