"""Aging: bucket boundaries, grouping, currencies, instalments and history.

Expected values are hand-computed from tests/ledger_fixture.py; the invariants
(buckets add up to totals, history equals point-in-time aging) are checked on
random ledgers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest
from ledger_fixture import AS_OF, fixture_tables, random_tables, with_schedules

from arkit import aging as A
from arkit.errors import LedgerError, ParamsError
from arkit.ledger import Ledger, open_ledger, save_ledger

BUCKETS = ["not_due", "1-30", "31-60", "61-90", "91-120", "121+"]


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger.from_frames(**fixture_tables())


def _one_customer_ledger(days_past_due: list[int], as_of: dt.date, **extra) -> Ledger:
    """One invoice per age, amounts 1, 2, 4, ... so every bucket sum names its invoices."""
    due = [as_of - dt.timedelta(days=d) for d in days_past_due]
    invoices = pd.DataFrame(
        {
            "invoice_id": [f"I{d}" for d in days_past_due],
            "customer_id": "C",
            "invoice_date": [d - dt.timedelta(days=30) for d in due],
            "due_date": due,
            "amount": [float(2**i) for i in range(len(due))],
        }
    )
    return Ledger.from_frames(
        customers=pd.DataFrame({"customer_id": ["C"], "customer_name": ["c"]}),
        invoices=invoices,
        **extra,
    )


def test_bucket_boundaries_are_inclusive_and_due_today_is_not_due():
    as_of = dt.date(2026, 6, 30)
    led = _one_customer_ledger([-5, 0, 1, 30, 31, 60, 61, 90, 91, 120, 121, 400], as_of)
    row = A.aging(led, as_of).iloc[0]
    # not due: -5, 0 -> 1+2; 1-30: 1, 30 -> 4+8; 31-60 -> 16+32; 61-90 -> 64+128 ...
    assert row[BUCKETS].tolist() == [3.0, 12.0, 48.0, 192.0, 768.0, 3072.0]
    assert row["total"] == 4095.0
    assert row["overdue"] == 4092.0
    assert row["over_90"] == 256.0 + 512 + 1024 + 2048


def test_invoice_date_basis_counts_from_the_invoice_date():
    as_of = dt.date(2026, 6, 30)
    # invoice dates are due dates - 30, so ages are days past due + 30
    led = _one_customer_ledger([-30, 0, 1, 31], as_of)
    row = A.aging(led, as_of, basis="invoice_date", edges="30,60").iloc[0]
    assert A.bucket_labels((30, 60), "invoice_date") == ["0-30", "31-60", "61+"]
    # ages 0 and 30 -> 0-30; 31 -> 31-60; 61 -> over 60
    assert row[["0-30", "31-60", "61+"]].tolist() == [1.0 + 2.0, 4.0, 8.0]


def test_custom_edges_change_the_columns():
    as_of = dt.date(2026, 6, 30)
    led = _one_customer_ledger([0, 7, 8, 15], as_of)
    row = A.aging(led, as_of, edges=(7, 14)).iloc[0]
    assert row[["not_due", "1-7", "8-14", "15+"]].tolist() == [1.0, 2.0, 4.0, 8.0]


def test_aging_by_customer_of_the_worked_example(ledger):
    table = A.aging(ledger, AS_OF).set_index("customer_id")
    assert table.index.tolist() == ["C3", "C1", "C2"]  # largest total first
    assert table.loc["C1", BUCKETS].tolist() == [100.0, 300.0, 600.0, 0.0, 0.0, 0.0]
    assert table.loc["C3", BUCKETS].tolist() == [1200.0, 150.0, 0.0, 0.0, 0.0, 0.0]
    assert table.loc["C1", "customer_name"] == "Acme"
    assert table.loc["C1", "disputed"] == 600.0  # I1's open dispute
    assert table.loc["C3", "disputed"] == 1200.0  # I5's flag
    # C2 has nothing open but its cash and credits are shown, not lost
    assert table.loc["C2", ["total", "unapplied_cash", "credit_balance"]].tolist() == [
        0.0,
        100.0,
        125.0,
    ]
    assert table.loc["C2", "net_balance"] == -225.0
    assert table.loc["C3", "net_balance"] == 1350.0 - 250.0
    assert table["lines"].to_dict() == {"C3": 2, "C1": 3, "C2": 0}


def test_payments_received_after_the_as_of_date(ledger):
    table = A.aging(ledger, AS_OF, received_after=True).set_index("customer_id")
    assert table["received_after"].to_dict() == {"C3": 0.0, "C1": 600.0, "C2": 0.0}  # P2


@pytest.mark.parametrize(
    ("by", "expected"),
    [
        ("region", {"North": 2350.0, "South": 0.0}),
        ("salesperson", {"Li": 1350.0, "Wang": 1000.0}),
        ("collector", {"Qian": 1350.0, "Zhao": 1000.0}),
        ("segment", {"Key": 1000.0, "SMB": 1350.0}),
        ("currency", {"CNY": 2350.0}),
        ("all", {"all": 2350.0}),
    ],
)
def test_grouping_dimensions(ledger, by, expected):
    table = A.aging(ledger, AS_OF, by=by)
    key = "group" if by == "all" else by
    assert table.set_index(key)["total"].to_dict() == expected


def test_summary_shares_of_the_total(ledger):
    summary = A.aging_summary(ledger, AS_OF).set_index("bucket")
    assert summary["amount"].tolist() == [1300.0, 450.0, 600.0, 0.0, 0.0, 0.0]
    assert summary.loc["31-60", "share"] == pytest.approx(600 / 2350)
    assert summary["lines"].tolist() == [2, 2, 1, 0, 0, 0]


def test_drill_down_lists_the_open_lines_with_their_bucket(ledger):
    items = A.aging_items(ledger, AS_OF, ["C1"])
    assert items["invoice_id"].tolist() == ["I1", "I2", "I7"]  # most overdue first
    assert items["bucket"].tolist() == ["31-60", "1-30", "not_due"]
    assert items["open_amount"].tolist() == [600.0, 300.0, 100.0]


def test_top_overdue_customers(ledger):
    top = A.top_overdue(A.aging(ledger, AS_OF), 5)
    assert top["customer_id"].tolist() == ["C1", "C3"]  # C2 has nothing overdue


@pytest.mark.parametrize("seed", range(12))
def test_buckets_add_up_to_the_total_exactly_on_random_ledgers(seed):
    led = Ledger.from_frames(**random_tables(seed, 80, ("CNY", "USD")))
    edges = [(30, 60, 90, 120), (15, 45), (1, 2, 3, 365)][seed % 3]
    by = [*A.GROUPINGS, "all"][seed % 7]
    basis = A.BASES[seed % 2]
    for as_of in ("2025-03-15", "2025-12-31", "2026-09-30"):
        table = A.aging(led, as_of, by=by, basis=basis, edges=edges, exact=True)
        labels = A.bucket_labels(edges, basis)
        sums = table[labels].sum(axis=1)
        assert (sums == table["total"]).all()
        assert all(isinstance(v, Decimal) for v in table["total"])
        # and the groups add up to the ledger's open items
        open_total = led.transform_arrow("open_items", as_of=dt.date.fromisoformat(as_of))
        by_currency = open_total.group_by("currency").aggregate([("open_amount", "sum")])
        expected = dict(
            zip(
                by_currency.column("currency").to_pylist(),
                by_currency.column("open_amount_sum").to_pylist(),
                strict=True,
            )
        )
        got = table.groupby("currency")["total"].sum()
        assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}


@pytest.mark.parametrize("seed", range(4))
def test_history_equals_point_in_time_aging_at_every_month_end(seed):
    # with instalment plans: history must split them exactly as the point-in-time aging
    led = Ledger.from_frames(**with_schedules(random_tables(100 + seed, 80), seed))
    as_of = dt.date(2026, 5, 20)
    history = A.aging_history(led, as_of, months=18, exact=True)
    assert len(history) == 18
    assert history["period_end"].iloc[-1] == as_of
    for index in (0, 5, 11, 17):
        row = history.iloc[index]
        point = A.aging(led, row["period_end"], by="all", exact=True)
        for column in [*BUCKETS, "total", "overdue", "over_90", "disputed"]:
            expected = point[column].iloc[0] if len(point) else Decimal(0)
            assert row[column] == expected, (row["period_end"], column)


def test_per_instalment_aging_settles_instalments_in_order():
    as_of = dt.date(2026, 6, 30)
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2"],
            "customer_id": "C",
            "invoice_date": ["2026-01-01", "2026-06-01"],
            "due_date": ["2026-03-01", "2026-07-01"],
            "amount": [900.0, 50.0],
        }
    )
    schedule = pd.DataFrame(
        {
            "invoice_id": ["I1", "I1", "I1"],
            "instalment": [1, 2, 3],
            # due 121, 61 and 0 days before as_of
            "due_date": ["2026-03-01", "2026-04-30", "2026-06-30"],
            "amount": [300.0, 300.0, 300.0],
        }
    )
    payments = pd.DataFrame(
        {
            "payment_id": ["P1"],
            "customer_id": ["C"],
            "payment_date": ["2026-05-01"],
            "amount": [400.0],
            "invoice_id": ["I1"],
        }
    )
    led = Ledger.from_frames(
        customers=pd.DataFrame({"customer_id": ["C"], "customer_name": ["c"]}),
        invoices=invoices,
        payment_schedule=schedule,
        payments=payments,
    )
    row = A.aging(led, as_of).iloc[0]
    # 400 paid: instalment 1 (over 120) settled, instalment 2 (61-90) has 200 left,
    # instalment 3 (due today) 300; I2 without a schedule is one line, not due.
    assert row[BUCKETS].tolist() == [350.0, 0.0, 0.0, 200.0, 0.0, 0.0]
    assert row["total"] == 550.0
    assert row["lines"] == 3
    items = A.aging_items(led, as_of, ["C"])
    lines = [
        (i, None if pd.isna(n) else int(n)) for i, n in items[["invoice_id", "instalment"]].values
    ]
    assert lines == [("I1", 2), ("I1", 3), ("I2", None)]


def test_last_instalment_absorbs_a_schedule_that_does_not_match_the_invoice():
    as_of = dt.date(2026, 6, 30)
    led = Ledger.from_frames(
        customers=pd.DataFrame({"customer_id": ["C"], "customer_name": ["c"]}),
        invoices=pd.DataFrame(
            {
                "invoice_id": ["I1"],
                "customer_id": ["C"],
                "invoice_date": ["2026-05-01"],
                "amount": [1000.0],
            }
        ),
        payment_schedule=pd.DataFrame(
            {
                "invoice_id": ["I1", "I1"],
                "instalment": [1, 2],
                "due_date": ["2026-06-10", "2026-07-10"],
                "amount": [300.0, 300.0],
            }
        ),
    )
    row = A.aging(led, as_of).iloc[0]
    assert row[["not_due", "1-30"]].tolist() == [700.0, 300.0]
    assert row["total"] == 1000.0


def _fx_ledger() -> Ledger:
    return Ledger.from_frames(
        customers=pd.DataFrame(
            {"customer_id": ["C1", "C2"], "customer_name": ["a", "b"], "currency": ["CNY", "USD"]}
        ),
        invoices=pd.DataFrame(
            {
                "invoice_id": ["I1", "I2"],
                "customer_id": ["C1", "C2"],
                "invoice_date": ["2026-03-01", "2026-03-01"],
                "due_date": ["2026-03-31", "2026-03-31"],
                "amount": [710.0, 100.0],
                "currency": ["CNY", "USD"],
            }
        ),
        payments=pd.DataFrame(
            {
                "payment_id": ["P1"],
                "customer_id": ["C2"],
                "payment_date": ["2026-03-10"],
                "amount": [10.0],
                "currency": ["USD"],
            }
        ),
        fx_rates=pd.DataFrame(
            {
                "date": ["2026-03-01", "2026-04-01", "2026-03-01", "2026-03-01"],
                "currency": ["USD", "USD", "EUR", "CNY"],
                "rate_to_base": [7.1, 9.9, 7.75, 1.0],
            }
        ),
    )


def test_without_reporting_currency_groups_are_split_by_currency():
    table = A.aging(_fx_ledger(), "2026-03-31", by="all")
    assert table.set_index("currency")["total"].to_dict() == {"CNY": 710.0, "USD": 100.0}


def test_reporting_currency_uses_the_latest_rate_on_or_before_as_of():
    led = _fx_ledger()
    table = A.aging(led, "2026-03-31", by="all", reporting_currency="CNY", exact=True)
    # 100 USD x 7.1 (the 04-01 rate of 9.9 is after as_of); cash 10 USD = 71 CNY
    assert table["total"].tolist() == [Decimal("1420.00")]
    assert table["unapplied_cash"].tolist() == [Decimal("71.00")]
    # to a currency other than base: amount x rate(X) / rate(EUR), rounded to the cent
    eur = A.aging(led, "2026-03-31", by="customer", reporting_currency="EUR", exact=True)
    assert eur.set_index("customer_id")["total"].to_dict() == {
        "C1": Decimal("91.61"),  # 710 / 7.75 = 91.6129
        "C2": Decimal("91.61"),  # 100 x 7.1 / 7.75 = 91.6129
    }
    assert (eur["currency"] == "EUR").all()


def test_missing_fx_rate_is_one_clear_error():
    with pytest.raises(
        LedgerError, match=r"fx_rates: no rate on or before 2026-02-01 for CNY, USD"
    ):
        A.aging(_fx_ledger(), "2026-02-01", reporting_currency="EUR")


def test_unknown_reporting_currency_is_not_taken_for_the_base():
    # XYZ has no rate and nothing is in it: reporting in it would relabel base amounts
    with pytest.raises(LedgerError, match=r"reporting_currency: 'XYZ' has no rate in fx_rates"):
        A.aging(_fx_ledger(), "2026-03-31", reporting_currency="XYZ")
    # the base currency needs no rate row when the ledger uses it
    no_cny_rate = Ledger.from_frames(
        customers=pd.DataFrame({"customer_id": ["C1"], "customer_name": ["a"]}),
        invoices=pd.DataFrame(
            {
                "invoice_id": ["I1"],
                "customer_id": ["C1"],
                "invoice_date": ["2026-03-01"],
                "amount": [50.0],
                "currency": ["CNY"],
            }
        ),
    )
    table = A.aging(no_cny_rate, "2026-03-31", by="all", reporting_currency="CNY", exact=True)
    assert table["total"].tolist() == [Decimal("50.00")]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"by": "country"}, "by: 'country' is not one of customer, region"),
        ({"basis": "paid_date"}, "basis: 'paid_date' is not one of due_date, invoice_date"),
        ({"edges": "30,abc"}, "bucket_edges: '30,abc' must be strictly increasing"),
        ({"edges": "0,30"}, "bucket_edges: '0,30' must be strictly increasing"),
    ],
)
def test_bad_parameters_are_one_clear_error(ledger, kwargs, message):
    with pytest.raises(ParamsError, match=message):
        A.aging(ledger, AS_OF, **kwargs)


def test_parquet_folder_gives_the_same_aging(tmp_path, ledger):
    on_disk = open_ledger(save_ledger(tmp_path / "ledger", fixture_tables()))
    pd.testing.assert_frame_equal(A.aging(on_disk, AS_OF), A.aging(ledger, AS_OF))
    pd.testing.assert_frame_equal(
        A.aging_history(on_disk, AS_OF, months=3), A.aging_history(ledger, AS_OF, months=3)
    )


@pytest.mark.parametrize("seed", range(3))
def test_float_money_is_the_nearest_double_to_the_exact_cents(seed):
    # CSV readers see 7599781.69, not a float subtraction's 7599781.6899999995
    led = Ledger.from_frames(**random_tables(300 + seed, 120))
    as_of = dt.date(2026, 5, 20)
    exact = A.aging(led, as_of, by="customer", exact=True, received_after=True)
    floats = A.aging(led, as_of, by="customer", received_after=True)
    money = [c for c in floats.columns if c not in {"customer_id", "customer_name", "currency"}]
    money.remove("lines")
    for column in money:
        assert floats[column].tolist() == [float(v) for v in exact[column]], column


def test_edges_ending_at_90_keep_the_91_plus_bucket_apart_from_over_90():
    # "30,60,90" is the commonest custom aging; its last bucket once collided with over_90
    as_of = dt.date(2026, 6, 30)
    led = _one_customer_ledger([-30, 0, 1, 31, 95], as_of)
    row = A.aging(led, as_of, edges="30,60,90").iloc[0]
    assert A.bucket_labels("30,60,90") == ["not_due", "1-30", "31-60", "61-90", "91+"]
    assert row["91+"] == row["over_90"] == 16.0
    summary = A.aging_summary(led, as_of, edges="30,60,90")
    assert summary["bucket"].tolist() == A.bucket_labels("30,60,90")
    assert summary["amount"].sum() == row["total"]


def test_summary_lists_currencies_largest_book_first():
    as_of = dt.date(2026, 6, 30)
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3"],
            "customer_id": "C",
            "invoice_date": as_of,
            "amount": [5.0, 900.0, 40.0],
            "currency": ["EUR", "USD", "CNY"],
        }
    )
    led = Ledger.from_frames(
        customers=pd.DataFrame({"customer_id": ["C"], "customer_name": ["c"]}), invoices=invoices
    )
    summary = A.aging_summary(led, as_of)
    assert summary["currency"].drop_duplicates().tolist() == ["USD", "CNY", "EUR"]
