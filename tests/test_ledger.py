"""Ledger derived views: open items, customer balances and settlements.

Every expected value is worked out by hand from tests/ledger_fixture.py (see the
comments next to the rows there); the same queries on a Parquet folder give the same
answers as on in-memory frames.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from ledger_fixture import AS_OF, fixture_tables

from arkit.errors import LedgerError
from arkit.ledger import Ledger, compose_sql, default_memory_limit, open_ledger, save_ledger


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger.from_frames(**fixture_tables())


def _by_id(frame: pd.DataFrame, key: str = "invoice_id") -> pd.DataFrame:
    return frame.set_index(key).sort_index()


def test_open_items_apply_every_rule_as_of_the_date(ledger):
    items = _by_id(ledger.open_items(AS_OF))
    # I1: 1000 - P1 400 (P2 is after as_of) = 600; I2: 500 - CN1 200 (CN2 after) = 300;
    # I3 overpaid, I6 paid again after a reversal, I4 issued after as_of: not open.
    expected = {"D1": 150.0, "I1": 600.0, "I2": 300.0, "I5": 1200.0, "I7": 100.0}
    assert items["open_amount"].to_dict() == expected
    assert items.loc["I1", "applied"] == 400.0
    assert items.loc["I2", "applied"] == 200.0
    # days past due: 03-31 minus due date; due today is 0; not yet due is negative
    assert items["days_past_due"].to_dict() == {"D1": 28, "I1": 50, "I2": 14, "I5": -30, "I7": 0}
    assert items.loc["I1", "days_outstanding"] == 80
    assert items.loc["D1", "doc_type"] == "debit_note"


def test_disputed_is_the_flag_or_a_dispute_open_on_the_date(ledger):
    items = _by_id(ledger.open_items(AS_OF))
    # I1 has an open dispute, I5 the flag, I2's dispute closed on 03-10.
    assert items.index[items["disputed"]].tolist() == ["I1", "I5"]


def test_open_items_later_date_picks_up_later_events(ledger):
    items = _by_id(ledger.open_items("2026-04-30"))
    # I1 settled by P2; D1 written off; I2 -= CN2; I4 issued, 100 prepaid by P4.
    expected = {"I2": 200.0, "I4": 700.0, "I5": 1200.0, "I7": 100.0}
    assert items["open_amount"].to_dict() == expected


def test_invoice_dimensions_fall_back_to_the_customer(ledger):
    items = _by_id(ledger.open_items(AS_OF))
    assert items.loc["I5", "customer_name"] == "Gamma"
    assert items.loc["I5", "region"] == "North"
    assert items.loc["I5", "salesperson"] == "Li"
    assert items.loc["I5", "collector"] == "Qian"
    assert (items["currency"] == "CNY").all()


def test_missing_due_date_is_the_invoice_date(ledger):
    as_of = dt.date(2026, 1, 15)
    items = _by_id(ledger.open_items(as_of))
    assert items.loc["I3", "due_date"] == pd.Timestamp("2026-01-05")
    assert items.loc["I3", "days_past_due"] == 10


def test_customer_balances_keep_unapplied_cash_and_credits(ledger):
    balances = _by_id(ledger.customer_balances(AS_OF), "customer_id")
    # C2: P4 paid an invoice not issued yet (100 unapplied), CN3 has no reference (75),
    # I3 overpaid by 50. C3: P5 has no invoice (250). C1 has nothing on account.
    assert balances.index.tolist() == ["C2", "C3"]
    assert balances.loc[
        "C2", ["unapplied_cash", "unreferenced_credits", "overpayments"]
    ].tolist() == [
        100.0,
        75.0,
        50.0,
    ]
    assert balances.loc["C2", "credit_balance"] == 125.0
    assert balances.loc["C3", "unapplied_cash"] == 250.0
    assert balances.loc["C3", "credit_balance"] == 0.0


def test_cash_before_its_invoice_is_applied_once_the_invoice_exists(ledger):
    balances = _by_id(ledger.customer_balances("2026-04-30"), "customer_id")
    assert balances.loc["C2", "unapplied_cash"] == 0.0
    assert balances.loc["C2", "credit_balance"] == 125.0


def test_nothing_is_lost_ar_net_equals_documents_minus_cash(ledger):
    # Net receivable = open items - unapplied cash - credit balances must equal
    # (all documents issued by as_of) - (all cash received by as_of).
    for as_of in ("2026-01-20", AS_OF, "2026-04-30"):
        items = ledger.open_items(as_of)["open_amount"].sum()
        balances = ledger.customer_balances(as_of)
        net = items - balances["unapplied_cash"].sum() - balances["credit_balance"].sum()
        docs = ledger.query(
            "SELECT sum(amount) AS s FROM invoices WHERE invoice_date <= CAST($d AS DATE)", d=as_of
        )["s"].iloc[0]
        cash = ledger.query(
            "SELECT sum(amount) AS s FROM payments WHERE payment_date <= CAST($d AS DATE)", d=as_of
        )["s"].iloc[0]
        assert round(net, 2) == round(docs - cash, 2)


def test_settlements_of_the_whole_ledger(ledger):
    paid = _by_id(ledger.settlements())
    assert paid.index.tolist() == ["D1", "I1", "I3", "I6"]
    assert paid["paid_date"].dt.strftime("%Y-%m-%d").to_dict() == {
        "D1": "2026-04-15",  # written off
        "I1": "2026-04-05",
        "I3": "2026-01-20",  # overpaid counts as paid
        "I6": "2026-02-20",  # paid, reversed, paid again: the last crossing
    }
    assert paid["days_to_pay"].to_dict() == {"D1": 73, "I1": 85, "I3": 15, "I6": 50}
    assert paid["days_late"].to_dict() == {"D1": 43, "I1": 55, "I3": 15, "I6": 20}
    assert paid["settled_by_credit"].to_dict() == {
        "D1": True,
        "I1": False,
        "I3": False,
        "I6": False,
    }


def test_settlements_as_of_ignore_later_events(ledger):
    paid = _by_id(ledger.settlements(AS_OF))
    assert paid.index.tolist() == ["I3", "I6"]
    early = _by_id(ledger.settlements("2026-02-15"))
    assert early.index.tolist() == ["I3"]  # I6 is reopened by the reversal on 02-10


def test_early_payment_has_negative_days_late():
    led = Ledger.from_frames(
        customers=pd.DataFrame({"customer_id": ["C"], "customer_name": ["c"]}),
        invoices=pd.DataFrame(
            {
                "invoice_id": ["I"],
                "customer_id": ["C"],
                "invoice_date": ["2026-01-01"],
                "due_date": ["2026-01-31"],
                "amount": [10.0],
            }
        ),
        payments=pd.DataFrame(
            {
                "payment_id": ["P"],
                "customer_id": ["C"],
                "payment_date": ["2026-01-21"],
                "amount": [10.0],
                "invoice_id": ["I"],
            }
        ),
    )
    row = led.settlements().iloc[0]
    assert (row["days_to_pay"], row["days_late"], row["days_late_clipped"]) == (20, -10, 0)


@pytest.mark.parametrize("view", ["open_items", "customer_balances", "settlements"])
def test_parquet_folder_gives_the_same_answers(tmp_path, ledger, view):
    folder = save_ledger(tmp_path / "ledger", fixture_tables())
    on_disk = open_ledger(folder)
    key = "customer_id" if view == "customer_balances" else "invoice_id"
    left = _by_id(getattr(ledger, view)(AS_OF), key)
    right = _by_id(getattr(on_disk, view)(AS_OF), key)
    pd.testing.assert_frame_equal(left, right)


def test_money_stays_exact_in_arrow(ledger):
    table = ledger.transform_arrow("open_items", as_of=dt.date(2026, 3, 31))
    assert str(table.schema.field("open_amount").type) == "decimal128(18, 2)"


def test_compose_sql_inlines_declared_inputs_once():
    sql = compose_sql("open_items")
    assert sql.count("receivable_status AS (") == 1
    assert sql.index("receivable_status AS (") < sql.index("open_items_result")


def test_transform_reports_a_missing_parameter(ledger):
    with pytest.raises(TypeError, match="as_of"):
        ledger.transform("open_items")


def test_bad_as_of_is_one_clear_error(ledger):
    with pytest.raises(LedgerError, match="as_of: '2026-13-01' is not a date"):
        ledger.open_items("2026-13-01")


SQL_TRANSFORMS = sorted(
    path.stem for path in (Path(__file__).parents[1] / "arkit" / "sql").glob("*.sql")
)


@pytest.mark.parametrize("name", SQL_TRANSFORMS)
def test_every_transform_transpiles_to_spark(name):
    sqlglot = pytest.importorskip("sqlglot")
    spark = sqlglot.transpile(
        compose_sql(name),
        read="duckdb",
        write="spark",
        unsupported_level=sqlglot.ErrorLevel.RAISE,
    )
    assert len(spark) == 1
    sqlglot.parse_one(spark[0], read="spark")  # and Spark's parser reads it back


def test_parameters_a_transform_does_not_use_are_ignored(ledger):
    # callers pass one set of report settings to several transforms
    frame = ledger.transform("customer_balances", as_of=dt.date(2026, 3, 31), by="unused")
    assert len(frame) == 2


def _setting(led: Ledger, name: str) -> str:
    return led.con.execute("SELECT current_setting($name)", {"name": name}).fetchone()[0]


def _as_duckdb_shows(size: str) -> str:
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{size}'")
    return con.execute("SELECT current_setting('memory_limit')").fetchone()[0]


def test_memory_limit_caps_the_engine(tmp_path, monkeypatch):
    monkeypatch.setenv("ARKIT_MEMORY_LIMIT", "700MB")
    folder = save_ledger(tmp_path / "ledger", fixture_tables())
    # An explicit argument wins over the environment.
    assert _setting(open_ledger(folder, memory_limit="500MB"), "memory_limit") == (
        _as_duckdb_shows("500MB")
    )
    assert _setting(open_ledger(folder), "memory_limit") == _as_duckdb_shows("700MB")
    with pytest.raises(LedgerError, match="memory_limit: 'lots' is not a memory size"):
        open_ledger(folder, memory_limit="lots")
    monkeypatch.setenv("ARKIT_MEMORY_LIMIT", "plenty")
    with pytest.raises(LedgerError, match="ARKIT_MEMORY_LIMIT: 'plenty' is not a memory size"):
        open_ledger(folder)


def test_every_ledger_is_capped_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("ARKIT_MEMORY_LIMIT", raising=False)
    expected = _as_duckdb_shows(default_memory_limit())
    folder = save_ledger(tmp_path / "ledger", fixture_tables())
    for led in (open_ledger(folder), Ledger.from_frames(**fixture_tables())):
        assert _setting(led, "memory_limit") == expected
        # Spills go to a private folder under the system temp dir, not ./.tmp.
        spill = Path(_setting(led, "temp_directory"))
        assert spill.parent == Path(tempfile.gettempdir())
        assert spill.name.startswith("arkit-spill-")
        assert _setting(led, "enable_progress_bar") is False


@pytest.mark.parametrize(
    ("ram_gb", "expected"),
    [(24, "3072MB"), (8, "3072MB"), (4, "1638MB")],  # min(3 GB, 0.4 x 4096 MB = 1638.4)
)
def test_default_memory_limit_is_the_smaller_of_3gb_and_40_percent(monkeypatch, ram_gb, expected):
    pages = {"SC_PAGE_SIZE": 4096, "SC_PHYS_PAGES": ram_gb * 1024**3 // 4096}
    monkeypatch.setattr(os, "sysconf", pages.__getitem__)
    assert default_memory_limit() == expected


def test_settlements_paid_after_a_date(ledger):
    paid = _by_id(ledger.settlements(paid_after="2026-02-20"))
    # I6 was paid on 02-20 itself and I3 in January: not after
    assert paid.index.tolist() == ["D1", "I1"]


def _scoped_fixture() -> dict[str, pd.DataFrame]:
    tables = fixture_tables()
    tables["disputes"] = pd.concat(
        [
            tables["disputes"],
            pd.DataFrame(
                {"dispute_id": ["DS3"], "invoice_id": ["I3"], "opened_date": ["2026-03-02"]}
            ),
        ]
    )
    tables["payment_schedule"] = pd.DataFrame(
        {
            "invoice_id": ["I1", "I1", "I3"],
            "instalment": [1, 2, 1],
            "due_date": ["2026-02-10", "2026-03-10", "2026-02-01"],
            "amount": [500.0, 500.0, 300.0],
        }
    )
    tables["invoice_lines"] = pd.DataFrame(
        {
            "invoice_id": ["I1", "I3", "I5"],
            "line_no": [1, 1, 1],
            "product_id": ["P-A", "P-B", "P-C"],
            "net_amount": [1000.0, 300.0, 1200.0],
        }
    )
    tables["promises"] = pd.DataFrame(
        {
            "promise_id": ["PR1", "PR2", "PR3"],
            "customer_id": ["C1", "C2", "C3"],
            "promised_date": ["2026-04-10"] * 3,
            "amount": [100.0, 200.0, 300.0],
        }
    )
    tables["fx_rates"] = pd.DataFrame(
        {
            "date": ["2026-01-01", "2026-01-01"],
            "currency": ["USD", "EUR"],
            "rate_to_base": [7.1, 7.8],
        }
    )
    return tables


def _ids(led: Ledger, table: str, key: str) -> list[str]:
    return sorted(led.query(f"SELECT {key} FROM {table}")[key])


@pytest.mark.parametrize("storage", ["frames", "parquet"])
def test_restrict_keeps_the_customers_and_their_documents(tmp_path, storage):
    tables = _scoped_fixture()
    if storage == "frames":
        full = Ledger.from_frames(**tables)
    else:
        full = open_ledger(save_ledger(tmp_path / "ledger", tables))
    # C2 is left out; an unknown id is ignored
    led = full.restrict(["C1", "C3", "NOPE"], label="east")
    assert _ids(led, "customers", "customer_id") == ["C1", "C3"]
    c1_c3_docs = ["CN1", "CN2", "D1", "I1", "I2", "I5", "I6", "I7", "WO1"]
    assert _ids(led, "invoices", "invoice_id") == c1_c3_docs
    assert _ids(led, "payments", "payment_id") == ["P1", "P2", "P5", "P6", "P7", "P8"]
    assert _ids(led, "promises", "promise_id") == ["PR1", "PR3"]
    # keyed by invoice: I3 belongs to C2
    assert _ids(led, "disputes", "dispute_id") == ["DS1", "DS2"]
    assert _ids(led, "payment_schedule", "invoice_id") == ["I1", "I1"]
    assert _ids(led, "invoice_lines", "invoice_id") == ["I1", "I5"]
    assert _ids(led, "fx_rates", "currency") == ["EUR", "USD"]
    assert led.source.endswith("(scope: east)")
    # the original ledger is untouched
    assert len(_ids(full, "invoices", "invoice_id")) == 12
    assert _ids(full, "disputes", "dispute_id") == ["DS1", "DS2", "DS3"]


def test_restricted_open_items_are_the_full_ones_of_those_customers():
    full = Ledger.from_frames(**fixture_tables())
    expected = _by_id(full.open_items(AS_OF).query("customer_id != 'C1'"))
    scoped = _by_id(full.restrict(["C2", "C3"]).open_items(AS_OF))
    pd.testing.assert_frame_equal(scoped, expected)
    assert scoped.index.tolist() == ["D1", "I5"]


def test_restricting_twice_narrows_and_keeps_the_memory_cap(tmp_path):
    folder = save_ledger(tmp_path / "ledger", fixture_tables())
    led = open_ledger(folder, memory_limit="500MB").restrict(["C1", "C3"]).restrict(["C2", "C3"])
    assert _ids(led, "customers", "customer_id") == ["C3"]
    assert _setting(led, "memory_limit") == _as_duckdb_shows("500MB")


def test_documents_without_doc_type_are_typed_by_their_sign():
    # an export with no doc_type column: the negative document is a credit note that
    # nets its reference invoice, and it settles the invoice in the settlements view
    led = Ledger.from_frames(
        customers=pd.DataFrame({"customer_id": ["C"], "customer_name": ["c"]}),
        invoices=pd.DataFrame(
            {
                "invoice_id": ["I1", "I2", "CN1"],
                "customer_id": ["C", "C", "C"],
                "invoice_date": ["2026-01-01", "2026-01-05", "2026-01-20"],
                "due_date": ["2026-01-31", "2026-02-04", "2026-01-20"],
                "amount": [100.0, 40.0, -100.0],
                "reference_invoice_id": [None, None, "I1"],
            }
        ),
    )
    typed = led.transform("documents").set_index("invoice_id")["doc_type"].to_dict()
    assert typed == {"I1": "invoice", "I2": "invoice", "CN1": "credit_note"}
    items = led.open_items(dt.date(2026, 2, 28))
    assert items["invoice_id"].tolist() == ["I2"]
    settled = led.settlements().set_index("invoice_id")
    assert settled.loc["I1", "paid_date"].date() == dt.date(2026, 1, 20)
