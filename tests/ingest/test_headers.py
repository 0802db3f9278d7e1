"""Header recognition, table detection and mapping files."""

from __future__ import annotations

from pathlib import Path

import pytest

from arkit.errors import InputError
from arkit.ingest import ingest, load_mapping
from arkit.ingest._headers import match_headers

EXAMPLE_MAPPING = Path(__file__).parents[2] / "params" / "mappings" / "example.yaml"


@pytest.mark.parametrize(
    ("headers", "table", "expected"),
    [
        (
            ["客户编号", "客户名称", "业务员", "区域", "信用额度", "付款条件", "币种"],
            "customers",
            [
                "customer_id",
                "customer_name",
                "region",
                "salesperson",
                "credit_limit",
                "payment_terms",
                "currency",
            ],
        ),
        (
            ["客户ID", "客户名称", "销售员", "地区", "账期"],
            "customers",
            ["customer_id", "customer_name", "region", "salesperson", "payment_terms"],
        ),
        (
            ["发票号码", "客户代码", "开票日期", "金额", "到期日", "币种"],
            "invoices",
            ["invoice_id", "customer_id", "invoice_date", "amount", "due_date", "currency"],
        ),
        (
            ["单据编号", "客户编号", "单据日期", "价税合计", "应收日期"],
            "invoices",
            ["invoice_id", "customer_id", "invoice_date", "amount", "due_date"],
        ),
        (
            ["Invoice No.", "Customer ID", "Invoice Date", "Amount (CNY)", "Due Date", "Sales Rep"],
            "invoices",
            ["invoice_id", "customer_id", "invoice_date", "amount", "due_date", "salesperson"],
        ),
        (
            ["收款单号", "客户编号", "收款日期", "收款金额", "发票号码"],
            "payments",
            ["payment_id", "customer_id", "payment_date", "amount", "invoice_id"],
        ),
    ],
)
def test_common_headers_need_no_configuration(headers, table, expected):
    match = match_headers(headers, table)
    assert match.complete
    assert sorted(match.columns) == sorted(expected)


def test_the_more_specific_header_wins_when_both_are_present():
    match = match_headers(["发票号码", "客户编号", "开票日期", "金额", "价税合计"], "invoices")
    assert match.columns["amount"] == "价税合计"


@pytest.mark.parametrize(
    ("headers", "table"),
    [
        ("客户编号,客户名称,区域", "customers"),
        ("发票号码,客户编号,客户名称,开票日期,金额", "invoices"),  # names a customer too
        ("收款单号,客户编号,客户名称,收款日期,收款金额,发票号码", "payments"),
        ("date,currency,rate_to_base", "fx_rates"),
    ],
)
def test_the_table_is_detected_from_headers(tmp_path, headers, table):
    path = tmp_path / "export.csv"
    path.write_text(headers + "\n", encoding="utf-8")
    customers = tmp_path / "c.csv"
    customers.write_text("customer_id,customer_name\n", encoding="utf-8")
    invoices = tmp_path / "i.csv"
    invoices.write_text("invoice_id,customer_id,invoice_date,amount\n", encoding="utf-8")
    result = ingest(path, customers, invoices, out=tmp_path / "ledger")
    assert result.manifest["sources"][0]["table"] == table


def test_mapping_file_maps_unknown_headers(tmp_path):
    mapping = load_mapping(EXAMPLE_MAPPING)
    assert mapping["invoices"]["amount"] == "Bruttobetrag"
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "debitoren.csv").write_text(
        "Debitor,Debitorname,Zahlungsbedingung\nD1,Müller GmbH,Net 30\n", encoding="utf-8"
    )
    (raw / "belege.csv").write_text(
        # the mapping says "Bruttobetrag"; case and spacing in the export do not matter
        "Belegnummer,Debitor,Belegdatum,BRUTTO BETRAG,Nettofälligkeit\nB1,D1,2026-01-05,119.00,\n",
        encoding="utf-8",
    )
    result = ingest(raw, out=tmp_path / "ledger", mapping=EXAMPLE_MAPPING, run_date="2026-06-30")
    invoice = result.open().query("SELECT invoice_id, customer_id, amount FROM invoices")
    assert invoice.values.tolist() == [["B1", "D1", 119.0]]
    assert result.manifest["reconciliation"]["invoices"]["fixups"]["derived_due_date"] == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("invoices: [a, b]", "invoices must map columns to source headers"),
        ("receipts:\n  amount: X\n", "unknown table 'receipts'"),
        ("invoices:\n  total: X\n", "invoices has no column 'total'"),
        ("invoices: {amount: [unclosed\n", "not valid YAML"),
    ],
)
def test_bad_mapping_files_are_named(tmp_path, text, message):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_mapping(path)
    with pytest.raises(InputError, match="no such file"):
        load_mapping(tmp_path / "absent.yaml")
