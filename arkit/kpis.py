"""Accounts-receivable KPIs: DSO, best possible DSO, ADD, CEI, overdue shares, at-risk rate.

Pure functions compute each KPI from its inputs (with worked examples below);
ledger-level functions feed them with SQL results, for the as-of date and every
month end of a history in one pass.

Definitions (also in docs/aging.md and the aging report's glossary)

* **Period**: the as-of date closes the current period, which starts the day after
  the previous month end; earlier periods are calendar months. *Days* in a period
  are calendar days, both ends included.
* **Credit sales** of a period: invoices + debit notes - credit notes dated in the
  period (write-offs are not sales). **AR** is the open amount of invoices and debit
  notes at the period end (unapplied cash and credit balances are not netted).
* **DSO (simple)** = AR / credit sales of the last *n* periods x days of those
  periods (``dso_months``, default 3).
* **DSO (countback)**: walk back from the newest period, subtracting each period's
  credit sales from AR and counting its days, until AR is used up; the last period
  counts the fraction of its days that the remaining AR is of its sales. Undefined
  (NaN) when AR exceeds the sales of the whole look-back (``countback_months``).
* **Best possible DSO (BPDSO)** = current (not yet due) AR / credit sales x days,
  over the same periods as simple DSO.
* **Average days delinquent (ADD)** = DSO - BPDSO.
* **CEI** (collection effectiveness index) over the last *n* periods
  (``cei_months``) = (AR at the start + credit sales - AR at the end) /
  (AR at the start + credit sales - current AR at the end), a fraction
  (1.0 = everything collectible was collected).
* **% overdue** = AR past due / AR; **% over 90** = AR more than 90 days past due / AR.
* **At-risk rate** of an invoicing month = amount of that month's invoices and
  debit notes still unpaid 90 days (``horizon_days``) after each invoice date /
  amount invoiced; reported for the latest month whose invoices have all reached
  the horizon by the as-of date.
* **Average days to pay** of invoices fully paid in the last *n* periods: simple
  and amount-weighted means of paid date - invoice date (settlements.sql).

Shares and CEI are fractions (0.25 = 25 %); the presentation layer shows percent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd

from arkit.aging import (
    DEFAULT_BUCKET_EDGES,
    _periods_frame,
    aging_history,
    bucket_display_name,
    bucket_labels,
    bucket_table,
    check_fx_rates,
    period_ends,
)
from arkit.errors import ParamsError
from arkit.ledger import Ledger, _as_date

__all__ = [
    "dso_simple",
    "dso_countback",
    "best_possible_dso",
    "average_days_delinquent",
    "collection_effectiveness_index",
    "at_risk_rate",
    "kpi_history",
    "at_risk_history",
    "payment_speed",
    "ar_kpis",
    "glossary",
]


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator) / float(denominator) if denominator else float("nan")


def dso_simple(ar: float, credit_sales: float, days: int) -> float:
    """Days sales outstanding: AR over the credit sales of ``days`` days.

    Worked example: AR 13,000; credit sales of the last three months 2,500 + 1,750
    + 2,250 = 6,500 over 30 + 31 + 31 = 92 days: 13,000 / 6,500 x 92 = 184.0 days.

    >>> dso_simple(13_000, 6_500, 92)
    184.0
    """
    return _ratio(ar, credit_sales) * days


def best_possible_dso(current_ar: float, credit_sales: float, days: int) -> float:
    """Best possible DSO: only the not-yet-due AR over the same sales.

    Worked example: of the 13,000 AR above, 4,000 is not yet due:
    4,000 / 6,500 x 92 = 56.6 days.

    >>> round(best_possible_dso(4_000, 6_500, 92), 1)
    56.6
    """
    return _ratio(current_ar, credit_sales) * days


def average_days_delinquent(dso: float, bpdso: float) -> float:
    """Average days delinquent: DSO minus best possible DSO.

    Worked example: 184.0 - 56.6 = 127.4 days.

    >>> round(average_days_delinquent(184.0, 4_000 / 6_500 * 92), 1)
    127.4
    """
    return dso - bpdso


def collection_effectiveness_index(
    beginning_ar: float, credit_sales: float, ending_ar: float, ending_current_ar: float
) -> float:
    """CEI: what was collected over what could have been collected, as a fraction.

    Worked example: AR 10,000 at the start, credit sales 6,500, AR 13,000 at the
    end of which 4,000 is current: (10,000 + 6,500 - 13,000) / (10,000 + 6,500 -
    4,000) = 3,500 / 12,500 = 0.28.

    >>> collection_effectiveness_index(10_000, 6_500, 13_000, 4_000)
    0.28
    """
    return _ratio(
        beginning_ar + credit_sales - ending_ar, beginning_ar + credit_sales - ending_current_ar
    )


def at_risk_rate(unpaid_after_horizon: float, invoiced: float) -> float:
    """Share of a month's invoicing still unpaid at the horizon (90 days).

    Worked example: 20,000 invoiced in March, 1,500 of it unpaid 90 days after the
    invoice dates: 1,500 / 20,000 = 0.075.

    >>> at_risk_rate(1_500, 20_000)
    0.075
    """
    return _ratio(unpaid_after_horizon, invoiced)


def _countback(ar: np.ndarray, sales: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Vectorised countback DSO: one AR per row, sales/days newest first across columns."""
    ar = np.asarray(ar, dtype="float64")
    sales = np.atleast_2d(np.asarray(sales, dtype="float64"))
    days = np.atleast_2d(np.asarray(days, dtype="float64"))
    sold_before = np.cumsum(sales, axis=1) - sales
    remaining = ar[:, None] - sold_before
    # The period where the AR runs out is the first whose sales cover what remains.
    covers = (remaining <= sales) & (sales > 0) & ~np.isnan(sales)
    found = covers.any(axis=1)
    last = np.where(found, covers.argmax(axis=1), 0)
    rows = np.arange(len(ar))
    full_days = np.cumsum(np.nan_to_num(days), axis=1) - np.nan_to_num(days)
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = remaining[rows, last] / sales[rows, last] * days[rows, last]
    result = full_days[rows, last] + fraction
    return np.where(ar <= 0, 0.0, np.where(found, result, np.nan))


def dso_countback(ar: float, sales: Sequence[float], days: Sequence[int]) -> float:
    """Countback DSO: count back through monthly sales, newest first, until AR is used up.

    Worked example: AR 13,000 against monthly sales (newest first) 2,500, 1,750,
    2,250, 2,500, 2,000, 2,250 with month lengths 30, 31, 31, 30, 31, 30. The first
    five months take 11,000 of the AR and 153 days; the remaining 2,000 is
    2,000 / 2,250 of the sixth month's 30 days = 26.7 days: 179.7 days.

    >>> round(dso_countback(13_000, [2500, 1750, 2250, 2500, 2000, 2250],
    ...                     [30, 31, 31, 30, 31, 30]), 1)
    179.7
    """
    if len(sales) != len(days):
        raise ValueError("sales and days must have the same length")
    return float(_countback(np.array([ar]), np.array([sales]), np.array([days]))[0])


def _check_months(**values: int) -> None:
    for name, value in values.items():
        if int(value) != value or value < 1:
            raise ParamsError(f"{name}: {value!r} must be a whole number of months >= 1")


def kpi_history(
    ledger: Ledger,
    as_of: str | dt.date | None = None,
    *,
    months: int = 24,
    dso_months: int = 3,
    cei_months: int = 3,
    countback_months: int = 12,
    reporting_currency: str | None = None,
    basis: str = "due_date",
    edges: str | Sequence[int] = DEFAULT_BUCKET_EDGES,
) -> pd.DataFrame:
    """Aging and KPIs at the as-of date and the month ends before it, in one engine pass.

    Parameters
    ----------
    ledger : Ledger
    as_of : str or datetime.date, optional
        Closes the last period; default today.
    months : int
        Number of period ends reported.
    dso_months, cei_months, countback_months : int
        Periods over which simple DSO/BPDSO, CEI and countback DSO look back.
    reporting_currency : str, optional
        Convert with ``fx_rates`` at the as-of rates; None keeps currencies apart.
    basis, edges
        Aging basis and bucket edges of the bucket columns (see
        :func:`arkit.aging.aging`); the KPIs always use days past due.

    Returns
    -------
    pandas.DataFrame
        One row per period end and currency: period_start, period_end, currency,
        days, one column per bucket, total_ar, not_due, overdue, over_90, disputed,
        credit_sales, dso, dso_countback, bpdso, add, cei, pct_overdue, pct_over_90.
    """
    _check_months(
        months=months,
        dso_months=dso_months,
        cei_months=cei_months,
        countback_months=countback_months,
    )
    as_of = _as_date(as_of)
    lookback = max(dso_months, cei_months, countback_months)
    ends = period_ends(as_of, months + lookback)
    periods = _periods_frame(ends)
    check_fx_rates(ledger, as_of, reporting_currency)
    labels = bucket_labels(edges, basis)
    # AR itself is needed only back to the start of the first reported CEI period;
    # the longer look-backs of DSO and countback use credit sales alone.
    ar = aging_history(
        ledger,
        as_of,
        months=months + cei_months,
        basis=basis,
        edges=edges,
        reporting_currency=reporting_currency,
    )
    sales = ledger.transform(
        "period_sales",
        tables={"periods": periods},
        as_of=as_of,
        reporting_currency=reporting_currency,
    )
    sales["period_end"] = pd.to_datetime(sales["period_end"]).dt.date
    calendar = pd.DataFrame(
        {
            "period_start": periods["period_start"].astype(object),
            "period_end": periods["period_end"].astype(object),
        }
    )
    calendar["days"] = (
        pd.to_datetime(calendar["period_end"]) - pd.to_datetime(calendar["period_start"])
    ).dt.days + 1
    currencies = pd.DataFrame({"currency": ar["currency"].drop_duplicates()})
    frame = (
        calendar.merge(currencies, how="cross")
        .merge(ar, on=["period_end", "currency"], how="left")
        .merge(sales, on=["period_end", "currency"], how="left")
        .rename(columns={"total": "total_ar"})
        .sort_values(["currency", "period_end"], kind="stable")
        .reset_index(drop=True)
    )
    frame["credit_sales"] = frame["credit_sales"].astype("float64").fillna(0.0)
    by_currency = frame.groupby("currency", sort=False, dropna=False)

    def trailing(column: str, n: int) -> pd.Series:
        return by_currency[column].transform(lambda s: s.rolling(n, min_periods=n).sum())

    dso_sales, dso_days = trailing("credit_sales", dso_months), trailing("days", dso_months)
    frame["dso"] = frame["total_ar"] / dso_sales.where(dso_sales != 0) * dso_days
    frame["bpdso"] = frame["not_due"] / dso_sales.where(dso_sales != 0) * dso_days
    frame["add"] = frame["dso"] - frame["bpdso"]
    # Countback: newest-first matrices of the look-back periods' sales and days.
    shifted_sales = np.column_stack(
        [
            by_currency["credit_sales"].shift(k).to_numpy(dtype="float64")
            for k in range(countback_months)
        ]
    )
    shifted_days = np.column_stack(
        [by_currency["days"].shift(k).to_numpy(dtype="float64") for k in range(countback_months)]
    )
    frame["dso_countback"] = _countback(frame["total_ar"].to_numpy(), shifted_sales, shifted_days)
    beginning = by_currency["total_ar"].shift(cei_months)
    cei_sales = trailing("credit_sales", cei_months)
    collectible = beginning + cei_sales - frame["not_due"]
    frame["cei"] = (beginning + cei_sales - frame["total_ar"]) / collectible.where(collectible != 0)
    total = frame["total_ar"].where(frame["total_ar"] != 0)
    frame["pct_overdue"] = frame["overdue"] / total
    frame["pct_over_90"] = frame["over_90"] / total
    reported = frame[frame["period_end"] >= ends[lookback]]
    columns = [
        "period_start",
        "period_end",
        "currency",
        "days",
        *labels,
        "total_ar",
        *([] if "not_due" in labels else ["not_due"]),
        "overdue",
        "over_90",
        "disputed",
        "credit_sales",
        "dso",
        "dso_countback",
        "bpdso",
        "add",
        "cei",
        "pct_overdue",
        "pct_over_90",
    ]
    return reported[columns].sort_values(["period_end", "currency"]).reset_index(drop=True)


def at_risk_history(
    ledger: Ledger,
    as_of: str | dt.date | None = None,
    *,
    months: int = 12,
    horizon_days: int = 90,
    reporting_currency: str | None = None,
) -> pd.DataFrame:
    """At-risk rate of the last ``months`` invoicing months that have reached the horizon.

    A calendar month qualifies when its last day plus ``horizon_days`` is on or
    before ``as_of``. Columns: month (first day), currency, invoiced,
    unpaid_after_horizon, at_risk_rate.
    """
    _check_months(months=months)
    as_of = _as_date(as_of)
    if horizon_days < 0:
        raise ParamsError(f"horizon_days: {horizon_days} must be >= 0")
    matured = pd.Timestamp(as_of) - pd.Timedelta(days=horizon_days)
    last_end = matured if matured.is_month_end else matured.replace(day=1) - pd.Timedelta(days=1)
    ends = pd.date_range(end=last_end, periods=months, freq="ME")
    periods = pd.DataFrame(
        {"period_start": (ends - pd.offsets.MonthBegin(1)).date, "period_end": ends.date}
    ).astype({"period_start": "date32[pyarrow]", "period_end": "date32[pyarrow]"})
    check_fx_rates(ledger, as_of, reporting_currency)
    risk = ledger.transform(
        "at_risk",
        tables={"periods": periods},
        as_of=as_of,
        horizon_days=horizon_days,
        reporting_currency=reporting_currency,
    )
    risk["month"] = (pd.to_datetime(risk.pop("period_end")) - pd.offsets.MonthBegin(1)).dt.date
    risk["at_risk_rate"] = risk["unpaid_after_horizon"] / risk["invoiced"].where(
        risk["invoiced"] != 0
    )
    columns = ["month", "currency", "invoiced", "unpaid_after_horizon", "at_risk_rate"]
    return risk[columns].sort_values(["month", "currency"]).reset_index(drop=True)


def payment_speed(
    ledger: Ledger, as_of: str | dt.date | None = None, *, months: int = 3, by: str = "all"
) -> pd.DataFrame:
    """Days to pay and days late of invoices fully paid in the last ``months`` periods.

    ``by`` is ``"all"`` or ``"customer"``. Columns: group_key, currency,
    invoices_paid, amount_paid, avg_days_to_pay, weighted_days_to_pay,
    avg_days_late, weighted_days_late, share_paid_late (see settlement_summary.sql).
    """
    _check_months(months=months)
    if by not in ("all", "customer"):
        raise ParamsError(f"by: {by!r} is not one of all, customer")
    as_of = _as_date(as_of)
    since = _periods_frame(period_ends(as_of, months))["period_start"].iloc[0]
    since = pd.Timestamp(since).date() - dt.timedelta(days=1)
    return ledger.transform("settlement_summary", as_of=as_of, paid_after=since, by=by)


def ar_kpis(
    ledger: Ledger,
    as_of: str | dt.date | None = None,
    *,
    dso_months: int = 3,
    cei_months: int = 3,
    countback_months: int = 12,
    horizon_days: int = 90,
    reporting_currency: str | None = None,
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Headline KPIs as of a date, one row per currency (one row with a reporting currency).

    Parameters
    ----------
    ledger, as_of, dso_months, cei_months, countback_months, reporting_currency
        As :func:`kpi_history`.
    horizon_days : int
        Horizon of the at-risk rate.
    history : pandas.DataFrame, optional
        A :func:`kpi_history` result for the same ledger, date and settings; its
        last period is reused instead of computing the KPIs again.

    Returns
    -------
    pandas.DataFrame
        as_of, currency, total_ar, not_due, overdue, over_90, disputed, credit_sales,
        dso, dso_countback, bpdso, add, cei, pct_overdue, pct_over_90, at_risk_month,
        at_risk_rate, avg_days_to_pay, weighted_days_to_pay; sorted by total AR,
        largest first. With a reporting currency and several document currencies,
        weighted_days_to_pay is NaN (its weights would mix currencies).
    """
    as_of = _as_date(as_of)
    if history is None:
        history = kpi_history(
            ledger,
            as_of,
            months=1,
            dso_months=dso_months,
            cei_months=cei_months,
            countback_months=countback_months,
            reporting_currency=reporting_currency,
        )
    kpi_columns = [
        "currency", "total_ar", "not_due", "overdue", "over_90", "disputed", "credit_sales",
        "dso", "dso_countback", "bpdso", "add", "cei", "pct_overdue", "pct_over_90",
    ]  # fmt: skip
    current = history.loc[history["period_end"] == as_of, kpi_columns].reset_index(drop=True)
    current.insert(0, "as_of", as_of)
    risk = at_risk_history(
        ledger, as_of, months=1, horizon_days=horizon_days, reporting_currency=reporting_currency
    ).rename(columns={"month": "at_risk_month"})
    current = current.merge(
        risk[["currency", "at_risk_month", "at_risk_rate"]], on="currency", how="left"
    )
    speed = payment_speed(ledger, as_of, months=cei_months)
    if reporting_currency is not None and len(speed):
        # Days are currency-free: pool every paid invoice under the reporting currency.
        pooled = speed["currency"].nunique(dropna=False) > 1
        paid = speed["invoices_paid"].sum()
        weighted = speed["weighted_days_to_pay"].iloc[0]
        speed = pd.DataFrame(
            {
                "currency": [reporting_currency],
                "avg_days_to_pay": [
                    (speed["avg_days_to_pay"] * speed["invoices_paid"]).sum() / paid
                ],
                "weighted_days_to_pay": [float("nan") if pooled else weighted],
            }
        )
    current = current.merge(
        speed[["currency", "avg_days_to_pay", "weighted_days_to_pay"]], on="currency", how="left"
    )
    return current.sort_values("total_ar", ascending=False, kind="stable").reset_index(drop=True)


def glossary(
    *,
    basis: str = "due_date",
    edges: str | Sequence[int] = DEFAULT_BUCKET_EDGES,
    dso_months: int = 3,
    cei_months: int = 3,
    countback_months: int = 12,
    horizon_days: int = 90,
) -> pd.DataFrame:
    """The definitions a reader of the aging report needs, with this run's settings.

    >>> glossary()["term"].iloc[0]
    'Open item'
    """
    buckets = bucket_table(edges, basis)
    # the names and the example follow this run's edges, written as the report shows them
    names = [bucket_display_name(label) for label in buckets["bucket"]]
    first_edge = int(buckets["high"].iloc[1 if basis == "due_date" else 0])
    if basis == "due_date":
        age = "days past the due date"
        edge_example = (
            f"exactly {first_edge} days past due is in {names[1]}; an item due on the as-of "
            "date is not due"
        )
    else:
        age = "days since the invoice date"
        edge_example = f"an invoice exactly {first_edge} days old is in {names[0]}"
    rows = [
        (
            "Open item",
            "An invoice or debit note issued on or before the as-of date whose amount is not "
            "fully settled by payments, credit notes and write-offs dated on or before that "
            "date. A missing due date counts as the invoice date.",
        ),
        (
            "Aging buckets",
            f"Open amounts by {age} on the as-of date: {', '.join(names)}. Bucket edges are "
            f"inclusive ({edge_example}). Invoices with a payment schedule are aged per "
            "instalment.",
        ),
        (
            "Unapplied cash",
            "Payments received on or before the as-of date that are not applied to an invoice "
            "issued by then. Shown apart; it is not deducted from the buckets.",
        ),
        (
            "Credit balance",
            "Credit notes and write-offs without an invoice to reduce, plus overpayments "
            "(applied beyond an invoice's amount). Net balance = total - unapplied cash - "
            "credit balance.",
        ),
        (
            "Disputed",
            "Open amount of invoices flagged as disputed or with a dispute open on the as-of date.",
        ),
        (
            "Credit sales",
            "Invoices + debit notes - credit notes dated in a period; write-offs are not sales.",
        ),
        (
            "DSO",
            f"Days sales outstanding: AR / credit sales of the last {dso_months} months x the "
            "days of those months. The current month ends on the as-of date.",
        ),
        (
            "DSO (countback)",
            "Count back through monthly credit sales, newest first, until the AR is used up; "
            "the last month counts the fraction of its days the remaining AR is of its sales "
            f"(look-back {countback_months} months).",
        ),
        (
            "BPDSO",
            "Best possible DSO: AR not yet due / credit sales x days, over the same months as DSO.",
        ),
        ("ADD", "Average days delinquent: DSO - BPDSO."),
        (
            "CEI",
            f"Collection effectiveness index over the last {cei_months} months: (AR at the start "
            "+ credit sales - AR at the end) / (AR at the start + credit sales - current AR at "
            "the end). 100% means everything collectible was collected.",
        ),
        ("% overdue", "AR past its due date / total AR."),
        ("% over 90 days", "AR more than 90 days past due / total AR."),
        (
            "At-risk rate",
            f"Of a month's invoicing, the share still unpaid {horizon_days} days after each "
            "invoice date; shown for the latest month old enough to know.",
        ),
        (
            "Average days to pay",
            f"Paid date - invoice date of invoices fully paid in the last {cei_months} months; "
            "simple mean and amount-weighted mean.",
        ),
        (
            "Currency",
            "Without a reporting currency amounts stay in their document currency and are "
            "shown per currency, never added across currencies. With one, each amount is "
            "converted at the latest fx rate on or before the as-of date (history at the "
            "as-of rates).",
        ),
    ]
    return pd.DataFrame(rows, columns=["term", "definition"])
