"""Readers: encodings, workbooks with title rows, Parquet, SQL databases, folders."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arkit.errors import InputError
from arkit.ingest import ingest
from arkit.ingest._readers import masked_url

FIXTURES = Path(__file__).parent / "fixtures"
RUN = "2026-06-30"


def test_gbk_csv_with_chinese_headers(tmp_path):
    result = ingest(FIXTURES, out=tmp_path / "ledger", run_date=RUN)
    sources = {s["label"]: s for s in result.manifest["sources"]}
    assert sources["customers_gbk.csv"]["encoding"] == "gb18030"
    assert sources["invoices_gbk.csv"]["columns"] == {
        "invoice_id": "单据编号",
        "customer_id": "客户代码",
        "invoice_date": "单据日期",
        "amount": "含税金额",
        "due_date": "应收日期",
        "currency": "币种",
        "salesperson": "业务员",
    }
    ledger = result.open()
    customers = ledger.query("SELECT * FROM customers ORDER BY customer_id").set_index(
        "customer_id"
    )
    assert customers.loc["K001", "customer_name"] == "上海华东贸易有限公司"
    assert customers["credit_limit"].tolist() == [50000.0, 120000.0, 0.0]  # "-" is zero
    invoices = ledger.query("SELECT * FROM invoices ORDER BY invoice_id").set_index("invoice_id")
    # 月结30天: end of January + 30 days; 货到付款: due on the invoice date
    assert invoices.loc["FP-2026-001", "due_date"] == pd.Timestamp("2026-03-02")
    assert invoices.loc["FP-2026-002", "due_date"] == pd.Timestamp("2026-02-03")
    assert invoices.loc["FP-2026-003", "doc_type"] == "credit_note"
    assert result.manifest["reconciliation"]["invoices"]["money"]["amount"]["clean"] == "15820.00"
    assert result.rejects[["row", "reason"]].values.tolist() == [[5, "unknown_customer"]]


def test_utf8_bom_and_semicolons(raw, write, tmp_path):
    write(raw, "c.csv", "\ufeffCustomer ID;Customer Name\nC1;Acme", encoding="utf-8")
    write(
        raw,
        "i.csv",
        "Invoice No;Customer ID;Invoice Date;Amount;Due Date\nI1;C1;2026-01-02;5;2026-02-01",
    )
    result = ingest(raw, out=tmp_path / "ledger", run_date=RUN)
    encodings = {s["label"]: s["encoding"] for s in result.manifest["sources"]}
    assert encodings == {"c.csv": "utf-8-sig", "i.csv": "utf-8"}
    assert result.manifest["reconciliation"]["customers"]["rows_clean"] == 1


def test_csv_row_numbers_are_physical_lines(raw, write, tmp_path):
    write(raw, "customers.csv", "customer_id,customer_name\nC1,Acme")
    # a title line, a blank line and a quoted value with a comma: rows still point at their line
    (raw / "invoices.csv").write_text(
        "Invoice export 2026\ninvoice_id,customer_id,invoice_date,amount,due_date\n"
        'I1,C1,2026-01-02,"1,000.00",2026-02-01\n\nI2,C1,2026-01-02,oops,2026-02-01\n',
        encoding="utf-8",
    )
    result = ingest(raw, out=tmp_path / "ledger", run_date=RUN)
    assert result.rejects[["row", "reason"]].values.tolist() == [[5, "bad_amount"]]
    source = next(s for s in result.manifest["sources"] if s["table"] == "invoices")
    assert source["header_row"] == 2


def _invoice_sheet(ws) -> None:
    ws.append(["应收账款明细表 2026年6月"])
    ws.append([])
    ws.append(["发票号码", "客户编号", "开票日期", "价税合计", "到期日", "是否争议"])
    # 1.1 * 3 is 3.3000000000000003 in binary floating point, as a formula cell caches it
    ws.append(["INV-1", 1001, dt.datetime(2026, 3, 5), 1.1 * 3, dt.date(2026, 4, 4), "是"])
    ws.append(["INV-2", 1001, "2026/3/6", "2,000.10", None, "否"])
    ws.append(["INV-3", 1001, "someday", 10, None, None])


def test_xlsx_with_a_title_row_reports_sheet_rows(raw, write, tmp_path):
    write(raw, "customers.csv", "客户编号,客户名称,付款条件\n1001,Acme,Net 30")
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing here"])
    _invoice_sheet(book.create_sheet("发票"))
    book.save(raw / "book.xlsx")
    result = ingest(
        raw / "customers.csv",
        "invoices=" + str(raw / "book.xlsx") + "#发票",
        out=tmp_path / "l",
        run_date=RUN,
    )
    assert result.rejects[["source", "row", "reason"]].values.tolist() == [
        ["book.xlsx#发票", 6, "bad_date"]
    ]
    invoices = (
        result.open().query("SELECT * FROM invoices ORDER BY invoice_id").set_index("invoice_id")
    )
    assert invoices["customer_id"].tolist() == ["1001", "1001"]  # a numeric cell id stays "1001"
    assert invoices.loc["INV-2", "due_date"] == pd.Timestamp("2026-04-05")  # Net 30, derived
    assert invoices["disputed"].tolist() == [True, False]
    assert result.manifest["reconciliation"]["invoices"]["money"]["amount"]["clean"] == "2003.40"
    source = next(s for s in result.manifest["sources"] if s["table"] == "invoices")
    assert (source["sheet"], source["header_row"]) == ("发票", 3)


def test_legacy_xls_with_a_title_row(raw, write, tmp_path):
    xlwt = pytest.importorskip("xlwt")
    write(raw, "customers.csv", "customer_id,customer_name\n1001,Acme")
    book = xlwt.Workbook()
    ws = book.add_sheet("Invoices")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    ws.write(0, 0, "Receivables as of June 2026")
    for col, header in enumerate(
        ["Invoice No", "Customer ID", "Invoice Date", "Amount", "Due Date"]
    ):
        ws.write(2, col, header)
    ws.write(3, 0, "INV-1")
    ws.write(3, 1, 1001)
    ws.write(3, 2, dt.datetime(2026, 3, 5), date_style)
    ws.write(3, 3, 99.9)
    ws.write(3, 4, dt.datetime(2026, 4, 4), date_style)
    ws.write(4, 0, "INV-2")
    ws.write(4, 1, 1002)
    ws.write(4, 2, dt.datetime(2026, 3, 5), date_style)
    ws.write(4, 3, 5)
    ws.write(4, 4, dt.datetime(2026, 4, 4), date_style)
    book.save(str(raw / "legacy.xls"))
    result = ingest(raw, out=tmp_path / "l", run_date=RUN)
    assert result.rejects[["source", "row", "reason"]].values.tolist() == [
        ["legacy.xls#Invoices", 5, "unknown_customer"]
    ]
    invoices = result.open().query("SELECT * FROM invoices")
    assert invoices[["invoice_id", "customer_id", "invoice_date", "amount"]].values.tolist() == [
        ["INV-1", "1001", pd.Timestamp("2026-03-05"), 99.9]
    ]


def test_parquet_with_typed_columns(raw, write, tmp_path):
    write(raw, "customers.csv", "customer_id,customer_name\n7,Acme")
    table = pa.table(
        {
            "invoice_id": ["I1", "I2", "I3"],
            "customer_id": pa.array([7, 7, 7], pa.int64()),
            "invoice_date": pa.array([dt.date(2026, 1, 5)] * 3, pa.date32()),
            "due_date": pa.array([dt.datetime(2026, 2, 4)] * 3, pa.timestamp("us")),
            "amount": pa.array([Decimal("0.10"), Decimal("-0.20"), None], pa.decimal128(12, 2)),
        }
    )
    pq.write_table(table, raw / "invoices.parquet")
    result = ingest(raw, out=tmp_path / "l", run_date=RUN)
    assert result.rejects[["row", "reason"]].values.tolist() == [[3, "missing_value"]]
    assert result.manifest["reconciliation"]["invoices"]["money"]["amount"]["clean"] == "-0.10"


def test_float_amounts_from_parquet_are_read_to_the_cent(raw, write, tmp_path):
    write(raw, "customers.csv", "customer_id,customer_name\nC1,Acme")
    pq.write_table(
        pa.table(
            {
                "invoice_id": [f"I{i}" for i in range(10)],
                "customer_id": ["C1"] * 10,
                "invoice_date": ["2026-01-05"] * 10,
                "due_date": ["2026-02-04"] * 10,
                "amount": [0.1] * 10,
            }
        ),
        raw / "invoices.parquet",
    )
    result = ingest(raw, out=tmp_path / "l", run_date=RUN)
    assert result.manifest["reconciliation"]["invoices"]["money"]["amount"]["clean"] == "1.00"


def _erp_db(path: Path) -> None:
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE kh (客户编号 TEXT, 客户名称 TEXT, 账期 TEXT)")
        con.execute("INSERT INTO kh VALUES ('C1', 'Acme', 'NET30'), ('C2', 'Beta', 'COD')")
        con.execute("CREATE TABLE fp (id TEXT, cust TEXT, dt TEXT, amt REAL, status INT)")
        con.executemany(
            "INSERT INTO fp VALUES (?, ?, ?, ?, ?)",
            [
                ("I1", "C1", "2026-01-05", 100.25, 1),
                ("I2", "C2", "2026-01-06", 50.0, 1),
                ("I3", "C2", "2026-01-07", 7.0, 0),
            ],
        )


def test_sqlite_tables_and_queries_with_environment_variables(tmp_path, monkeypatch):
    _erp_db(tmp_path / "erp.db")
    monkeypatch.setenv("ARKIT_TEST_DB_DIR", str(tmp_path))
    url = "sqlite:///${ARKIT_TEST_DB_DIR}/erp.db"
    query = (
        "SELECT id AS invoice_id, cust AS customer_id, dt AS invoice_date, amt AS amount "
        "FROM fp WHERE status = 1"
    )
    result = ingest(
        out=tmp_path / "ledger",
        db=url,
        db_tables={"customers": "kh"},
        db_queries={"invoices": query},
        run_date=RUN,
    )
    invoices = result.open().query("SELECT invoice_id, amount, due_date FROM invoices ORDER BY 1")
    assert invoices.values.tolist() == [
        ["I1", 100.25, pd.Timestamp("2026-02-04")],
        ["I2", 50.0, pd.Timestamp("2026-01-06")],
    ]
    text = (tmp_path / "ledger" / "manifest.json").read_text(encoding="utf-8")
    assert str(tmp_path) not in text  # the manifest keeps ${VAR}, never its value
    db_sources = [s for s in json.loads(text)["sources"] if s["format"] == "database"]
    assert {s["url"] for s in db_sources} == {url}


def test_database_url_secrets_are_masked_and_must_be_set(tmp_path, monkeypatch):
    assert masked_url("postgresql://ar:${AR_PW}@erp:5432/ar") == "postgresql://ar:***@erp:5432/ar"
    monkeypatch.delenv("ARKIT_TEST_UNSET", raising=False)
    with pytest.raises(InputError, match="environment variable ARKIT_TEST_UNSET is not set"):
        ingest(
            out=tmp_path / "l",
            db="sqlite:///${ARKIT_TEST_UNSET}/x.db",
            db_tables={"customers": "kh"},
        )


def test_a_folder_means_its_top_level_files(raw, write, tmp_path, customers_csv):
    write(raw, "customers.csv", customers_csv)
    write(
        raw,
        "invoices.csv",
        "invoice_id,customer_id,invoice_date,amount,due_date\nI1,C1,2026-01-02,5,2026-02-01",
    )
    (raw / "truth").mkdir()
    write(raw / "truth", "invoices.csv", "this is ground truth, not an export")
    write(raw, "README.md", "notes")
    result = ingest(raw, out=tmp_path / "ledger", run_date=RUN)
    assert sorted(s["label"] for s in result.manifest["sources"]) == [
        "customers.csv",
        "invoices.csv",
    ]


def test_several_files_of_one_table_are_combined(raw, write, tmp_path, customers_csv):
    write(raw, "customers.csv", customers_csv)
    write(
        raw,
        "inv_2025.csv",
        "invoice_id,customer_id,invoice_date,amount,due_date\nI1,C1,2025-12-02,5,2026-01-01",
    )
    write(
        raw,
        "inv_2026.csv",
        "发票号码,客户编号,开票日期,金额,到期日\nI2,C1,2026-01-02,7,2026-02-01\nI1,C1,2025-12-02,5,2026-01-01",
    )
    result = ingest(raw, out=tmp_path / "ledger", run_date=RUN)
    assert result.rejects[["source", "row", "reason"]].values.tolist() == [
        ["inv_2026.csv", 3, "merged"]
    ]
    assert result.manifest["reconciliation"]["invoices"]["money"]["amount"] == {
        "read": "17.00",
        "clean": "12.00",
        "rejected": "0.00",
        "merged": "5.00",
        "unreadable_rows": 0,
    }


def test_gbk_is_detected_even_when_the_first_64_kib_are_ascii(raw, write, tmp_path):
    rows = "".join(f"C{i},Name {i}\n" for i in range(8000))
    (raw / "customers.csv").write_text(
        f"customer_id,customer_name\n{rows}K1,上海华东\n", encoding="gbk"
    )
    write(
        raw,
        "invoices.csv",
        "invoice_id,customer_id,invoice_date,amount,due_date\nI1,K1,2026-01-01,5,2026-02-01",
    )
    result = ingest(raw, out=tmp_path / "ledger", run_date=RUN)
    assert result.manifest["sources"][0]["encoding"] == "gb18030"
    name = result.open().query("SELECT customer_name FROM customers WHERE customer_id = 'K1'")
    assert name["customer_name"].tolist() == ["上海华东"]


def test_a_quoted_line_break_does_not_shift_row_numbers(raw, write, tmp_path):
    write(raw, "customers.csv", "customer_id,customer_name,payment_terms\nC1,Acme,NET30")
    (raw / "invoices.csv").write_text(
        "invoice_id,customer_id,invoice_date,amount,po_number\n"
        'I1,C1,2026-01-02,5,"PO 1\nsecond line"\n'
        'I2,C1,2026-01-03,oops,"PO 2"\n',
        encoding="utf-8",
    )
    result = ingest(raw, out=tmp_path / "ledger", run_date=RUN)
    assert result.rejects[["row", "reason"]].values.tolist() == [[4, "bad_amount"]]
    po = result.open().query("SELECT po_number FROM invoices")["po_number"].tolist()
    assert po == ["PO 1\nsecond line"]


def test_quoted_line_breaks_and_blank_lines_together_keep_physical_row_numbers(
    raw, write, tmp_path
):
    write(raw, "customers.csv", "customer_id,customer_name,payment_terms\nC1,Acme,NET30")
    (raw / "invoices.csv").write_text(
        "invoice_id,customer_id,invoice_date,amount,po_number\n"
        'I1,C1,2026-01-02,5,"PO 1\n\nthird line"\n'
        "\n"
        'I2,C1,2026-01-03,oops,"PO 2"\n'
        'I3,C1,2026-01-04,"1,0",PO 3\n',
        encoding="utf-8",
    )
    result = ingest(raw, out=tmp_path / "ledger", run_date=RUN)
    rows = result.rejects[["row", "reason"]].values.tolist()
    assert rows == [[6, "bad_amount"], [7, "bad_amount"]]


def test_utf16_text_export_and_float_noise_from_computed_cells(raw, write, tmp_path):
    write(raw, "customers.csv", "customer_id,customer_name,payment_terms\nC1,Acme,NET30")
    text = "invoice_id\tcustomer_id\tinvoice_date\tamount\nI1\tC1\t2026-01-02\t5.5\n"
    (raw / "invoices.txt").write_bytes(text.encode("utf-16"))
    pq.write_table(
        pa.table(
            {
                "payment_id": ["P1", "P2"],
                "customer_id": ["C1", "C1"],
                "payment_date": ["2026-01-20", "2026-01-21"],
                "amount": [0.1 + 0.2, 1.005],  # 0.30000000000000004 is 0.30; 1.005 has 3 decimals
            }
        ),
        raw / "payments.parquet",
    )
    result = ingest(raw, out=tmp_path / "ledger", run_date=RUN)
    encodings = {s["label"]: s.get("encoding") for s in result.manifest["sources"]}
    assert encodings["invoices.txt"] == "utf-16"
    assert result.rejects[["table", "row", "reason"]].values.tolist() == [
        ["payments", 2, "bad_amount"]
    ]
    assert result.manifest["reconciliation"]["payments"]["money"]["amount"]["clean"] == "0.30"
    assert result.manifest["reconciliation"]["invoices"]["money"]["amount"]["clean"] == "5.50"


def test_a_table_with_headers_only_is_empty_not_an_error(raw, write, tmp_path, customers_csv):
    write(raw, "customers.csv", customers_csv)
    write(raw, "invoices.csv", "invoice_id,customer_id,invoice_date,amount,due_date")
    result = ingest(raw, out=tmp_path / "ledger", run_date=RUN)
    stats = result.manifest["reconciliation"]["invoices"]
    assert (stats["rows_read"], stats["money"]["amount"]["read"]) == (0, "0.00")
    assert result.open().query("SELECT count(*) AS n FROM invoices")["n"].iloc[0] == 0
