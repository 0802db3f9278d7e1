"""Bad input: one clear error line, a non-zero exit, and nothing half-written."""

from __future__ import annotations

import json
import sqlite3

import openpyxl
import pyarrow.parquet as pq
import pytest

from arkit.cli import main
from arkit.errors import InputError
from arkit.ingest import ingest

GOOD_INVOICES = "invoice_id,customer_id,invoice_date,amount,due_date\nI1,C1,2026-01-02,5,2026-02-01"


@pytest.fixture
def good(raw, write, customers_csv):
    write(raw, "customers.csv", customers_csv)
    write(raw, "invoices.csv", GOOD_INVOICES)
    return raw


def _bad_sources(raw, write):
    """name -> (extra CLI arguments, the text the one error line must contain)."""
    write(raw, "empty.csv", "")
    (raw / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (raw / "truncated.csv").write_text(GOOD_INVOICES + "\nI2,C1,2026-0", encoding="utf-8")
    book = openpyxl.Workbook()
    book.active.title = "Invoices"
    book.save(raw / "book.xlsx")
    (raw / "mapping.yaml").write_text("invoices:\n  amount: Betrag\n", encoding="utf-8")
    (raw / "notes.csv").write_text("what,ever\n1,2\n", encoding="utf-8")
    sqlite3.connect(raw / "erp.db").close()
    customers = str(raw / "customers.csv")
    return {
        "missing file": ([str(raw / "nope.csv")], "nope.csv: no such file or folder"),
        "empty file": ([customers, f"invoices={raw / 'empty.csv'}"], "empty.csv: file is empty"),
        "binary renamed .csv": ([customers, f"invoices={raw / 'binary.csv'}"], "binary content"),
        "truncated CSV": (
            [customers, f"invoices={raw / 'truncated.csv'}"],
            "truncated.csv: line 3 has 3 fields where the header has 5",
        ),
        "wrong sheet": (
            [customers, f"invoices={raw / 'book.xlsx'}#Sheet9"],
            "book.xlsx: no sheet named 'Sheet9' (sheets: Invoices)",
        ),
        "mapping to a missing column": (
            [customers, str(raw / "invoices.csv"), "--mapping", str(raw / "mapping.yaml")],
            "mapping says invoices.amount is header 'Betrag', which the file does not have",
        ),
        "unrecognised file": (
            [customers, str(raw / "notes.csv")],
            "cannot tell which ledger table",
        ),
        "not a database URL": (
            ["--db", "not a url", "--db-table", "customers=kh"],
            "not a valid SQLAlchemy URL",
        ),
        "no database driver": (
            ["--db", "nosuchdb://x/y", "--db-table", "customers=kh"],
            "no driver for it",
        ),
        "missing database table": (
            ["--db", f"sqlite:///{raw / 'erp.db'}", "--db-table", "customers=kh"],
            "table kh for customers: no such table: kh",
        ),
    }


CASES = [
    "missing file",
    "empty file",
    "binary renamed .csv",
    "truncated CSV",
    "wrong sheet",
    "mapping to a missing column",
    "unrecognised file",
    "not a database URL",
    "no database driver",
    "missing database table",
]


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gives_one_line_and_leaves_the_ledger_untouched(case, good, write, capsys):
    out = good.parent / "ledger"
    assert main(["ingest", str(good), "--out", str(out), "--run-date", "2026-06-30"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    capsys.readouterr()
    args, expected = _bad_sources(good, write)[case]
    code = main(["ingest", *args, "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    error_lines = [line for line in err if "error:" in line]
    assert len(error_lines) == 1 and "Traceback" not in "\n".join(err)
    assert error_lines[0].startswith("arkit ingest: error: ")
    assert expected in error_lines[0]
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in good.parent.iterdir()) == ["ledger", "raw"]


def test_unknown_required_column_names_file_column_and_closest_headers(raw, write, customers_csv):
    write(raw, "customers.csv", customers_csv)
    write(raw, "fp.csv", "Invoice No,Customer ID,Inv Dt,Amount\nI1,C1,2026-01-02,5")
    with pytest.raises(InputError) as info:
        ingest(raw / "customers.csv", f"invoices={raw / 'fp.csv'}", out=raw.parent / "l")
    message = str(info.value)
    assert "fp.csv: invoices needs column(s) it does not have: invoice_date" in message
    assert "closest headers: 'Inv Dt'" in message
    assert "\n" not in message


def test_a_failure_while_writing_leaves_no_half_written_folder(good, monkeypatch):
    out = good.parent / "ledger"
    ingest(good, out=out, run_date="2026-06-30")
    manifest = (out / "manifest.json").read_text(encoding="utf-8")
    real_write = pq.write_table

    def write_then_fail(table, where, *args, **kwargs):
        if str(where).endswith("rejects.parquet"):
            raise OSError("disk full")
        return real_write(table, where, *args, **kwargs)

    monkeypatch.setattr(pq, "write_table", write_then_fail)
    with pytest.raises(OSError, match="disk full"):
        ingest(good, out=out, run_date="2026-07-01")
    assert (out / "manifest.json").read_text(encoding="utf-8") == manifest
    assert json.loads(manifest)["run_date"] == "2026-06-30"
    assert sorted(p.name for p in good.parent.iterdir()) == ["ledger", "raw"]


def test_refuses_to_replace_a_folder_that_is_not_a_ledger(good):
    out = good.parent / "documents"
    out.mkdir()
    (out / "thesis.docx").write_text("precious", encoding="utf-8")
    with pytest.raises(InputError, match="not a ledger folder"):
        ingest(good, out=out, run_date="2026-06-30")
    assert (out / "thesis.docx").read_text(encoding="utf-8") == "precious"


def test_options_are_checked(good):
    with pytest.raises(InputError, match="default_currency: 'dollars' is not a currency code"):
        ingest(good, out=good.parent / "l", default_currency="dollars")
    with pytest.raises(InputError, match="must differ"):
        ingest(good, out=good.parent / "l", decimal=",", thousands=",")
    with pytest.raises(InputError, match="run_date: 'tomorrow' is not a date"):
        ingest(good, out=good.parent / "l", run_date="tomorrow")


def test_customers_and_invoices_are_required(raw, write, customers_csv):
    write(raw, "customers.csv", customers_csv)
    with pytest.raises(
        InputError, match=r"no invoices table among the sources \(customers.csv = customers\)"
    ):
        ingest(raw, out=raw.parent / "l")
