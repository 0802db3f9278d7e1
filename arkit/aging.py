"""Aging of receivables: open amounts by age bucket, as of any date and over time.

Definitions (the glossary in docs/aging.md has the full text)

* **Age** of an open line is its days past due on the as-of date (``basis="due_date"``,
  the default) or its days since the invoice date (``basis="invoice_date"``). A
  missing due date is the invoice date.
* **Buckets** come from edges such as ``(30, 60, 90, 120)`` and are inclusive at
  both ends: on the due-date basis they are *not due* (age <= 0: due today is not
  due), *1-30* (exactly 30 days past due is in 1-30), *31-60*, *61-90*, *91-120*
  and *over 120*; on the invoice-date basis the first bucket is *0-30*.
* **Lines** are open invoices and debit notes, split into instalments when the
  invoice has a payment schedule (per-instalment aging).
* Every group's buckets add up to its total exactly: both are summed by DuckDB in
  ``DECIMAL(18, 2)`` from the same lines (``arkit/sql/aging.sql``).
* **Currency**: without a reporting currency nothing is converted and every group
  is split by currency; with one, each amount is converted at the latest
  ``fx_rates`` rate on or before the as-of date and rounded to the cent
  (``arkit/sql/fx_factors.sql``). History uses the as-of rates for every month.

>>> bucket_labels((30, 60, 90, 120))
['not_due', '1-30', '31-60', '61-90', '91-120', '121+']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from itertools import pairwise

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from arkit.errors import LedgerError, ParamsError
from arkit.ledger import Ledger, _as_date

__all__ = [
    "DEFAULT_BUCKET_EDGES",
    "GROUPINGS",
    "BASES",
    "parse_bucket_edges",
    "bucket_labels",
    "bucket_display_name",
    "bucket_table",
    "period_ends",
    "aging",
    "aging_summary",
    "aging_items",
    "aging_history",
    "top_overdue",
    "check_fx_rates",
]

DEFAULT_BUCKET_EDGES = (30, 60, 90, 120)
GROUPINGS = ("customer", "region", "salesperson", "collector", "segment", "currency")
BASES = ("due_date", "invoice_date")
# Open-ended buckets are closed with sentinels far beyond any real age in days.
_LOWEST_AGE = -1_000_000_000
_HIGHEST_AGE = 1_000_000_000
_EXTRA_MEASURES = ("total", "overdue", "over_90", "disputed", "unapplied_cash", "credit_balance")
_HISTORY_MEASURES = ("total", "not_due", "overdue", "over_90", "disputed")


def parse_bucket_edges(edges: str | Sequence[int] = DEFAULT_BUCKET_EDGES) -> tuple[int, ...]:
    """Validate bucket edges given as ``"30,60,90,120"`` or a sequence of integers.

    Edges are the last day of each past-due bucket: strictly increasing positive
    integers.

    >>> parse_bucket_edges("30, 60,90")
    (30, 60, 90)
    >>> parse_bucket_edges("30,20")
    Traceback (most recent call last):
    ...
    arkit.errors.ParamsError: bucket_edges: '30,20' must be strictly increasing positive whole numbers of days, e.g. 30,60,90,120
    """
    text = edges if isinstance(edges, str) else ",".join(str(e) for e in edges)
    message = (
        f"bucket_edges: {text!r} must be strictly increasing positive whole numbers "
        "of days, e.g. 30,60,90,120"
    )
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ParamsError(message) from None
    if not values or values[0] < 1 or any(b <= a for a, b in pairwise(values)):
        raise ParamsError(message)
    return values


def bucket_labels(
    edges: Sequence[int] = DEFAULT_BUCKET_EDGES, basis: str = "due_date"
) -> list[str]:
    """Column names of the buckets, youngest first.

    >>> bucket_labels((30, 60), basis="invoice_date")
    ['0-30', '31-60', '61+']
    """
    return bucket_table(edges, basis)["bucket"].tolist()


def bucket_display_name(label: str) -> str:
    """How a reader says a bucket: ``"not_due"`` -> ``"Not due"``, ``"121+"`` -> ``"Over 120"``.

    >>> [bucket_display_name(b) for b in bucket_labels((30, 60))]
    ['Not due', '1-30', '31-60', 'Over 60']
    """
    if label.endswith("+"):
        return f"Over {int(label[:-1]) - 1}"
    return label.replace("_", " ").capitalize()


def bucket_table(
    edges: Sequence[int] = DEFAULT_BUCKET_EDGES, basis: str = "due_date"
) -> pd.DataFrame:
    """The small table the aging SQL joins against: bucket, inclusive low and high age.

    >>> bucket_table((30,)).to_dict("list")["low"]
    [-1000000000, 1, 31]
    """
    edges = parse_bucket_edges(edges)
    _check_choice("basis", basis, BASES)
    if basis == "due_date":
        lows = [_LOWEST_AGE, 1, *(e + 1 for e in edges)]
        highs = [0, *edges, _HIGHEST_AGE]
        labels = [
            "not_due",
            *(f"{lo}-{hi}" for lo, hi in zip(lows[1:-1], highs[1:-1], strict=True)),
        ]
    else:
        lows = [_LOWEST_AGE, *(e + 1 for e in edges)]
        highs = [*edges, _HIGHEST_AGE]
        labels = [
            f"0-{edges[0]}",
            *(f"{lo}-{hi}" for lo, hi in zip(lows[1:-1], highs[1:-1], strict=True)),
        ]
    # "121+" names its first day like the other buckets, and never collides with the
    # over_90 measure when the edges end at 90 ("91+" bucket vs "over_90" past due)
    labels.append(f"{edges[-1] + 1}+")
    return pd.DataFrame(
        {
            "bucket_order": range(len(labels)),
            "bucket": labels,
            "low": pd.Series(lows, dtype="int64"),
            "high": pd.Series(highs, dtype="int64"),
        }
    )


def period_ends(as_of: str | dt.date, months: int) -> list[dt.date]:
    """The as-of date and the ``months - 1`` month ends before it, oldest first.

    >>> period_ends("2026-03-15", 3)
    [datetime.date(2026, 1, 31), datetime.date(2026, 2, 28), datetime.date(2026, 3, 15)]
    >>> period_ends("2026-03-31", 2)
    [datetime.date(2026, 2, 28), datetime.date(2026, 3, 31)]
    """
    as_of = _as_date(as_of)
    if months < 1:
        raise ParamsError(f"history_months: {months} must be at least 1")
    first_of_month = pd.Timestamp(as_of.replace(day=1))
    ends = pd.date_range(end=first_of_month - pd.Timedelta(days=1), periods=months - 1, freq="ME")
    return [*(d.date() for d in ends), as_of]


def _periods_frame(ends: Sequence[dt.date]) -> pd.DataFrame:
    ends_ts = pd.to_datetime(pd.Series(ends))
    # Each period starts the day after the previous end; the first is a whole month.
    starts = (ends_ts.shift(1) + pd.Timedelta(days=1)).fillna(ends_ts.iloc[0].replace(day=1))
    return pd.DataFrame(
        {"period_start": starts.dt.date, "period_end": ends_ts.dt.date},
    ).astype({"period_start": "date32[pyarrow]", "period_end": "date32[pyarrow]"})


def _check_choice(name: str, value: str, choices: Sequence[str]) -> None:
    if value not in choices:
        raise ParamsError(f"{name}: {value!r} is not one of {', '.join(choices)}")


def check_fx_rates(ledger: Ledger, as_of: str | dt.date, reporting_currency: str | None) -> None:
    """Raise :class:`LedgerError` if a ledger currency has no rate to convert it.

    Nothing to check without a reporting currency. Otherwise every currency of the
    invoices, payments and customers must have an ``fx_rates`` row dated on or
    before ``as_of``, unless it is the reporting currency itself; and the reporting
    currency must have a rate or be used in the ledger (the base currency), so that
    a mistyped code is not taken for the base.
    """
    if not reporting_currency:
        return
    as_of = _as_date(as_of)
    missing = ledger.transform("fx_missing", as_of=as_of, reporting_currency=reporting_currency)
    ledger_missing = missing.loc[missing["role"] == "ledger", "currency"]
    if len(missing) and ledger_missing.empty:
        raise LedgerError(
            f"reporting_currency: {reporting_currency!r} has no rate in fx_rates on or before "
            f"{as_of} and no document or customer is in it; check the currency code"
        )
    if len(ledger_missing):
        raise LedgerError(
            f"fx_rates: no rate on or before {as_of} for "
            f"{', '.join(sorted(ledger_missing))} (needed to report in {reporting_currency})"
        )


def _long_frame(table: pa.Table) -> pd.DataFrame:
    """Arrow long result -> pandas, money as exact integer cents (fast to pivot)."""
    cents = pc.multiply(table.column("amount"), pa.scalar(100)).cast(pa.int64())
    return table.drop_columns(["amount"]).append_column("cents", cents).to_pandas()


def _from_cents(cents: pd.Series, exact: bool) -> pd.Series:
    """Integer cents -> float money, or exact :class:`~decimal.Decimal` when ``exact``."""
    if exact:
        as_decimal = pa.array(cents.to_numpy(), pa.int64()).cast(pa.decimal128(20, 0))
        money = pc.multiply(as_decimal, pa.scalar(Decimal("0.01"), pa.decimal128(3, 2)))
        return pd.Series(money.to_pandas(), index=cents.index, dtype=object)
    return cents / 100


def _pivot_cents(long: pd.DataFrame, index: list[str], columns: list[str]) -> pd.DataFrame:
    """Long measures -> one integer-cents column per measure."""
    if long.empty:
        return pd.DataFrame(
            {**{c: pd.Series(dtype=object) for c in index}, **dict.fromkeys(columns, [])}
        ).astype(dict.fromkeys(columns, "int64"))
    wide = long.pivot(index=index, columns="measure", values="cents")
    wide = wide.reindex(columns=columns).fillna(0).astype("int64").reset_index()
    wide.columns.name = None
    return wide


def _long_to_wide(
    long: pd.DataFrame, index: list[str], columns: list[str], exact: bool
) -> pd.DataFrame:
    wide = _pivot_cents(long, index, columns)
    for column in columns:
        wide[column] = _from_cents(wide[column], exact)
    return wide


def aging(
    ledger: Ledger,
    as_of: str | dt.date | None = None,
    *,
    by: str = "customer",
    basis: str = "due_date",
    edges: str | Sequence[int] = DEFAULT_BUCKET_EDGES,
    reporting_currency: str | None = None,
    received_after: bool = False,
    exact: bool = False,
) -> pd.DataFrame:
    """Aging table as of a date, one row per group (and currency).

    Parameters
    ----------
    ledger : Ledger
        The clean ledger.
    as_of : str or datetime.date, optional
        Report date; default today.
    by : {"customer", "region", "salesperson", "collector", "segment", "currency", "all"}
        Grouping. Missing region/salesperson/... values are grouped as ``(none)``.
    basis : {"due_date", "invoice_date"}
        What age is counted from.
    edges : str or sequence of int
        Bucket edges (:func:`parse_bucket_edges`).
    reporting_currency : str, optional
        Convert to this currency with ``fx_rates``; None keeps document currencies.
    received_after : bool
        Add ``received_after``: payments dated after ``as_of`` applied to the items
        open on ``as_of``.
    exact : bool
        Return money as :class:`decimal.Decimal` (exact) instead of float.

    Returns
    -------
    pandas.DataFrame
        Columns: the group key (``customer_id``, ``region``, ... or ``group``),
        ``customer_name`` (by customer), ``currency``, one column per bucket,
        ``total``, ``overdue``, ``over_90``, ``disputed``, ``unapplied_cash``,
        ``credit_balance``, ``net_balance`` (total - unapplied cash - credit
        balance), ``lines`` (open lines) and ``received_after`` when asked;
        sorted by total, largest first.
    """
    _check_choice("by", by, (*GROUPINGS, "all"))
    as_of = _as_date(as_of)
    buckets = bucket_table(edges, basis)
    check_fx_rates(ledger, as_of, reporting_currency)
    params = {"as_of": as_of, "by": by, "reporting_currency": reporting_currency}
    parts = [
        ledger.transform_arrow("aging", tables={"aging_buckets": buckets}, basis=basis, **params)
    ]
    if received_after:
        parts.append(ledger.transform_arrow("received_after", **params).cast(parts[0].schema))
    long = _long_frame(pa.concat_tables(parts))
    extra = [*_EXTRA_MEASURES, *(["received_after"] if received_after else [])]
    measures = [*buckets["bucket"], *extra]
    wide = _pivot_cents(long, ["group_key", "currency"], measures)
    # in cents, so that the float column is the nearest double to each exact balance
    wide["net_balance"] = wide["total"] - wide["unapplied_cash"] - wide["credit_balance"]
    for column in [*measures, "net_balance"]:
        wide[column] = _from_cents(wide[column], exact)
    lines = long[long["measure"] == "total"].set_index(["group_key", "currency"])["lines"]
    keys = pd.MultiIndex.from_frame(wide[["group_key", "currency"]])
    wide["lines"] = lines.reindex(keys).fillna(0).astype("int64").to_numpy()
    if by == "currency":
        wide = wide.drop(columns="group_key")
    key_name = {"customer": "customer_id", "all": "group"}.get(by, by)
    if by == "customer":
        names = long.dropna(subset=["customer_name"]).drop_duplicates("group_key")
        wide.insert(
            1, "customer_name", wide["group_key"].map(names.set_index("group_key")["customer_name"])
        )
    wide = wide.rename(columns={"group_key": key_name})
    if by == "currency":
        wide = wide[["currency", *(c for c in wide.columns if c != "currency")]]
    order = wide["total"].astype("float64").sort_values(ascending=False, kind="stable").index
    return wide.loc[order].reset_index(drop=True)


def aging_summary(
    ledger: Ledger,
    as_of: str | dt.date | None = None,
    *,
    basis: str = "due_date",
    edges: str | Sequence[int] = DEFAULT_BUCKET_EDGES,
    reporting_currency: str | None = None,
) -> pd.DataFrame:
    """One row per currency and bucket: amount, share of the total and open lines.

    ``share`` is a fraction of the currency's total open amount (0.25 = 25 %).
    """
    as_of = _as_date(as_of)
    buckets = bucket_table(edges, basis)
    check_fx_rates(ledger, as_of, reporting_currency)
    long = ledger.transform(
        "aging",
        tables={"aging_buckets": buckets},
        as_of=as_of,
        by="all",
        basis=basis,
        reporting_currency=reporting_currency,
    )
    # largest book first, the same order every run (the engine returns rows in any order)
    totals_first = long[long["measure"] == "total"].sort_values(
        ["amount", "currency"], ascending=[False, True], kind="stable"
    )
    currencies = totals_first["currency"].drop_duplicates()
    grid = pd.MultiIndex.from_product(
        [currencies, buckets["bucket"]], names=["currency", "measure"]
    )
    amounts = long.set_index(["currency", "measure"])[["amount", "lines"]]
    summary = amounts.reindex(grid).fillna(0).reset_index().rename(columns={"measure": "bucket"})
    totals = long[long["measure"] == "total"].set_index("currency")["amount"]
    summary["share"] = summary["amount"] / summary["currency"].map(totals)
    summary["lines"] = summary["lines"].astype("int64")
    return summary[["currency", "bucket", "amount", "share", "lines"]]


def aging_items(
    ledger: Ledger,
    as_of: str | dt.date | None = None,
    customer_ids: Sequence[str] = (),
    *,
    basis: str = "due_date",
    edges: str | Sequence[int] = DEFAULT_BUCKET_EDGES,
) -> pd.DataFrame:
    """Invoice-level drill-down: the open lines of some customers with their bucket.

    Amounts are in document currency. Columns are those of
    ``arkit/sql/aging_lines.sql`` plus ``bucket``; oldest first within a customer.
    """
    as_of = _as_date(as_of)
    buckets = bucket_table(edges, basis)
    selected = pd.DataFrame({"customer_id": pd.Series(list(customer_ids), dtype="string")})
    items = ledger.transform(
        "aging_drilldown", tables={"selected_customers": selected}, as_of=as_of
    )
    age = items["days_outstanding"] if basis == "invoice_date" else items["days_past_due"]
    codes = pd.cut(
        age,
        bins=[buckets["low"].iloc[0] - 1, *buckets["high"]],
        labels=buckets["bucket"],
    )
    items.insert(items.columns.get_loc("open_amount") + 1, "bucket", codes.astype("string"))
    return items.sort_values(
        ["customer_id", "days_past_due", "invoice_id"], ascending=[True, False, True]
    ).reset_index(drop=True)


def top_overdue(by_customer: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The ``n`` customers with the largest overdue amount (ties by total).

    >>> frame = pd.DataFrame({"customer_id": ["A", "B", "C"], "overdue": [5.0, 0.0, 9.0],
    ...                       "total": [5.0, 7.0, 9.0]})
    >>> top_overdue(frame, 2)["customer_id"].tolist()
    ['C', 'A']
    """
    overdue = by_customer[by_customer["overdue"].astype("float64") > 0]
    ranked = overdue.assign(
        _o=overdue["overdue"].astype("float64"), _t=overdue["total"].astype("float64")
    )
    ranked = ranked.sort_values(["_o", "_t"], ascending=False, kind="stable")
    return ranked.drop(columns=["_o", "_t"]).head(n).reset_index(drop=True)


def aging_history(
    ledger: Ledger,
    as_of: str | dt.date | None = None,
    *,
    months: int = 24,
    basis: str = "due_date",
    edges: str | Sequence[int] = DEFAULT_BUCKET_EDGES,
    reporting_currency: str | None = None,
    exact: bool = False,
) -> pd.DataFrame:
    """Aging at the as-of date and the month ends before it, in one engine pass.

    Parameters
    ----------
    months : int
        Number of snapshots: the as-of date and the ``months - 1`` month ends before it.
    other parameters
        As :func:`aging`.

    Returns
    -------
    pandas.DataFrame
        One row per period end and currency: ``period_end``, ``currency``, one
        column per bucket, ``total``, ``not_due``, ``overdue``, ``over_90``,
        ``disputed``. Periods with nothing open have zeros.
    """
    as_of = _as_date(as_of)
    buckets = bucket_table(edges, basis)
    check_fx_rates(ledger, as_of, reporting_currency)
    ends = period_ends(as_of, months)
    periods = _periods_frame(ends)[["period_end"]]
    long = _long_frame(
        ledger.transform_arrow(
            "aging_history",
            tables={"aging_buckets": buckets, "period_ends": periods},
            as_of=as_of,
            basis=basis,
            reporting_currency=reporting_currency,
        )
    )
    measures = list(dict.fromkeys([*buckets["bucket"], *_HISTORY_MEASURES]))
    wide = _long_to_wide(long, ["period_end", "currency"], measures, exact)
    currencies = wide["currency"].drop_duplicates().tolist() or [reporting_currency]
    grid = pd.MultiIndex.from_product([ends, currencies], names=["period_end", "currency"])
    zero = Decimal("0.00") if exact else 0.0
    wide["period_end"] = pd.to_datetime(wide["period_end"]).dt.date
    full = wide.set_index(["period_end", "currency"]).reindex(grid)
    full = full.astype(object).where(full.notna(), zero) if exact else full.fillna(0.0)
    return full.reset_index()
