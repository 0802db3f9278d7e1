"""AR KPIs against worked examples with known answers.

The pure functions carry the textbook examples as doctests (countback 179.7 days
etc.); here the ledger-level KPIs are checked against values worked out by hand
from tests/ledger_fixture.py, period by period.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from ledger_fixture import fixture_tables

from arkit import kpis as K
from arkit.errors import ParamsError
from arkit.ledger import Ledger


@pytest.fixture(scope="module")
def ledger() -> Ledger:
    return Ledger.from_frames(**fixture_tables())


def test_countback_worked_example():
    sales = [2500, 1750, 2250, 2500, 2000, 2250]
    days = [30, 31, 31, 30, 31, 30]
    assert K.dso_countback(13_000, sales, days) == pytest.approx(153 + 2000 / 2250 * 30)


def test_countback_edge_cases():
    # AR inside the newest month: a fraction of its days
    assert K.dso_countback(500, [1000, 1000], [30, 31]) == pytest.approx(15.0)
    # AR exactly one month of sales: that month's days
    assert K.dso_countback(1000, [1000, 1000], [30, 31]) == pytest.approx(30.0)
    # a month without sales is counted whole and skipped
    assert K.dso_countback(1500, [1000, 0, 1000], [30, 31, 30]) == pytest.approx(76.0)
    assert K.dso_countback(0, [1000], [30]) == 0.0
    # more AR than the look-back's sales: undefined
    assert math.isnan(K.dso_countback(5000, [1000, 1000], [30, 31]))


def _countback_by_loop(ar, sales, days):
    remaining, total = ar, 0.0
    for s, d in zip(sales, days, strict=True):
        if remaining <= s and s > 0:
            return total + remaining / s * d
        remaining -= s
        total += d
    return math.nan


def test_vectorised_countback_matches_the_definition_on_random_inputs():
    rng = np.random.default_rng(3)
    ar = rng.uniform(0, 20_000, 200)
    sales = rng.choice([0.0, 500.0, 1500.0, 3000.0], size=(200, 6))
    days = rng.choice([28, 30, 31], size=(200, 6)).astype(float)
    got = K._countback(ar, sales, days)
    want = np.array([_countback_by_loop(a, s, d) for a, s, d in zip(ar, sales, days, strict=True)])
    np.testing.assert_allclose(got, want, equal_nan=True)


def test_simple_kpis_handle_no_sales():
    assert math.isnan(K.dso_simple(100, 0, 90))
    assert math.isnan(K.collection_effectiveness_index(0, 0, 0, 0))


def test_kpi_history_of_the_worked_example(ledger):
    history = K.kpi_history(ledger, "2026-04-30", months=4, countback_months=3)
    assert history["period_end"].tolist() == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
    ]
    april = history.iloc[-1]
    # credit sales: Feb I2+D1 = 650; Mar I7+I5-CN1-CN3 = 1025; Apr I4-CN2 = 700
    # (the write-off WO1 is not a sale)
    assert history["credit_sales"].tolist() == [1500.0, 650.0, 1025.0, 700.0]
    assert (april["total_ar"], april["not_due"], april["overdue"]) == (2200.0, 1900.0, 300.0)
    # DSO = 2200 / (650 + 1025 + 700) x (28 + 31 + 30)
    assert april["dso"] == pytest.approx(2200 / 2375 * 89)
    assert april["bpdso"] == pytest.approx(1900 / 2375 * 89)
    assert april["add"] == pytest.approx(300 / 2375 * 89)
    # countback: April 700 (30 d), March 1025 (31 d), then 475 of February's 650 (28 d)
    assert april["dso_countback"] == pytest.approx(30 + 31 + 475 / 650 * 28)
    # CEI: AR 1000 at Jan 31, + sales 2375, - AR 2200, over (1000 + 2375 - current 1900)
    assert april["cei"] == pytest.approx(1175 / 1475)
    assert april["pct_overdue"] == pytest.approx(300 / 2200)
    assert april["days"] == 30


def test_kpi_history_first_period_uses_the_lookback(ledger):
    history = K.kpi_history(ledger, "2026-02-28", months=1, dso_months=1, cei_months=1)
    row = history.iloc[0]
    # February: AR 1250 of which 650 not due; sales 650 in 28 days; AR at Jan 31 1000
    assert row["dso"] == pytest.approx(1250 / 650 * 28)
    assert row["cei"] == pytest.approx((1000 + 650 - 1250) / (1000 + 650 - 650))


def test_at_risk_rate_of_matured_months(ledger):
    risk = K.at_risk_history(ledger, "2026-06-30", months=3)
    # January: all paid within 90 days (I1's last 600 on day 85); February: I2 still
    # has 200 open 90 days on, D1 written off on day 73; March: nothing paid.
    assert risk["month"].tolist() == [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]
    assert risk["invoiced"].tolist() == [1500.0, 650.0, 1300.0]
    assert risk["unpaid_after_horizon"].tolist() == [0.0, 200.0, 1300.0]
    assert risk["at_risk_rate"].tolist() == pytest.approx([0.0, 200 / 650, 1.0])


def test_a_shorter_horizon_counts_fewer_payments(ledger):
    risk = K.at_risk_history(ledger, "2026-06-30", months=1, horizon_days=84)
    # a month qualifies once its last day is 84 days old: on 06-30 that is March
    assert risk["month"].tolist() == [dt.date(2026, 3, 1)]
    january = K.at_risk_history(ledger, "2026-04-25", months=1, horizon_days=84)
    # I1's 600 came on day 85: still unpaid at 84 days
    assert january["unpaid_after_horizon"].tolist() == [600.0]


def test_payment_speed_simple_and_weighted(ledger):
    speed = K.payment_speed(ledger, "2026-04-30", months=3).iloc[0]
    # paid since Feb 1: I1 85 d (1000), D1 73 d (150), I6 50 d (200)
    assert speed["invoices_paid"] == 3
    assert speed["avg_days_to_pay"] == pytest.approx((85 + 73 + 50) / 3)
    assert speed["weighted_days_to_pay"] == pytest.approx((85_000 + 73 * 150 + 50 * 200) / 1350)
    assert speed["avg_days_late"] == pytest.approx((55 + 43 + 20) / 3)
    assert speed["share_paid_late"] == 1.0


def test_ar_kpis_headline(ledger):
    row = K.ar_kpis(ledger, "2026-06-30", countback_months=6).iloc[0]
    assert row["as_of"] == dt.date(2026, 6, 30)
    assert row["total_ar"] == 2200.0  # nothing moved after April
    assert row["at_risk_month"] == dt.date(2026, 3, 1)
    assert row["at_risk_rate"] == 1.0
    assert row["add"] == pytest.approx(row["dso"] - row["bpdso"])


def test_ar_kpis_in_a_reporting_currency():
    tables = fixture_tables()
    tables["fx_rates"] = pd.DataFrame(
        {"date": ["2026-01-01", "2026-01-01"], "currency": ["CNY", "USD"], "rate_to_base": [1, 7]}
    ).astype({"rate_to_base": "float64"})
    led = Ledger.from_frames(**tables)
    row = K.ar_kpis(led, "2026-04-30", reporting_currency="USD").iloc[0]
    assert row["currency"] == "USD"
    assert row["total_ar"] == pytest.approx(2200 / 7, abs=0.02)
    # days are currency-free: converting does not change DSO beyond cent rounding
    assert row["dso"] == pytest.approx(2200 / 2375 * 89, rel=1e-3)


@pytest.mark.parametrize("name", ["months", "dso_months", "cei_months", "countback_months"])
def test_bad_period_counts_are_one_clear_error(ledger, name):
    with pytest.raises(ParamsError, match=f"{name}: 0 must be a whole number of months"):
        K.kpi_history(ledger, "2026-04-30", **{name: 0})


def test_ar_kpis_reuses_a_history_with_the_same_answer(ledger):
    history = K.kpi_history(ledger, "2026-04-30", months=3)
    pd.testing.assert_frame_equal(
        K.ar_kpis(ledger, "2026-04-30", history=history), K.ar_kpis(ledger, "2026-04-30")
    )


def test_payment_speed_per_customer(ledger):
    speed = K.payment_speed(ledger, "2026-04-30", months=3, by="customer").set_index("group_key")
    # C1 paid I1 (85 d, 1000) and I6 (50 d, 200); C3 D1 (73 d, 150)
    assert speed["invoices_paid"].to_dict() == {"C1": 2, "C3": 1}
    assert speed.loc["C1", "weighted_days_to_pay"] == pytest.approx((85_000 + 10_000) / 1200)
    assert speed.loc["C3", "avg_days_late"] == 43.0


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {},
            "Not due, 1-30, 31-60, 61-90, 91-120, Over 120. Bucket edges are inclusive "
            "(exactly 30 days past due is in 1-30; an item due on the as-of date is not due)",
        ),
        (
            {"basis": "invoice_date", "edges": "15,45"},
            "0-15, 16-45, Over 45. Bucket edges are inclusive "
            "(an invoice exactly 15 days old is in 0-15)",
        ),
    ],
)
def test_glossary_describes_this_runs_buckets_as_the_report_names_them(settings, expected):
    terms = K.glossary(**settings).set_index("term")["definition"]
    assert expected in terms["Aging buckets"]
