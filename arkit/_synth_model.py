"""The generative model behind :mod:`arkit.synth`: customers, documents, payment behaviour.

Every step draws whole numpy arrays from one :class:`numpy.random.Generator`, in a
fixed order, so a seed always gives the same ledger. Days are integers counted from
1970-01-01 until the tables are assembled.

Payment timing model
--------------------
For an invoice with due date ``due`` the settlement delay in days is
``round(max(mu + sd * Z, lower))`` with ``Z`` standard normal, where ``mu`` adds up
the customer's habit (archetype and personal offset), a yearly drift, the terms,
the invoice amount relative to the customer's usual amount, the season of the due
date (quarter and year end, Chinese New Year) and an open dispute; ``lower`` stops a
payment from coming before the invoice date. A defaulter stops paying on its default
date ``D``: an invoice whose payment would come later is never paid, so with
``cap = D - due`` an invoice is paid iff its days late are at most ``cap`` (no cap
for other customers). Days late exceed ``t``, or the invoice is never paid, iff the
days late exceed ``m = min(t, cap)``; hence the exact probabilities kept as ground
truth: ``p_late = Phi((mu - m - 0.5) / sd)`` with ``t = 0`` and ``p_late_30`` the
same with ``t = 30`` (1 when ``m + 0.5 <= lower``: it cannot be paid in time).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from arkit._synth_arrays import (
    date_array,
    day_of_month,
    id_array,
    money_array,
    month_of,
    normal_cdf,
    normal_pdf,
    year_of,
)
from arkit.terms import due_dates

__all__ = [
    "ARCHETYPES",
    "PAYMENT_TERMS",
    "SEGMENTS",
    "REGIONS",
    "CURRENCIES",
    "BASE_CURRENCY",
    "CNY_DATES",
    "Customers",
    "make_customers",
    "make_documents",
    "make_fx_rates",
]

ARCHETYPES = (
    "prompt",
    "steady_late",
    "erratic",
    "deteriorating",
    "seasonal",
    "disputer",
    "defaulter",
)
_ARCHETYPE_SHARE = np.array([0.30, 0.20, 0.12, 0.10, 0.12, 0.10, 0.06])
# Per archetype: mean days late, its spread, drift of the mean per year, probability
# that an invoice is disputed, of paying in two parts, of promising to pay once late,
# of keeping such a promise, and extra days late when the due date falls in a season.
_BEHAVIOUR = np.array(
    [
        # mu    sd   drift  dispute partial promise honest season
        [-5.0, 4.0, 0.0, 0.01, 0.04, 0.20, 0.90, 2.0],  # prompt
        [14.0, 6.0, 0.0, 0.02, 0.06, 0.30, 0.80, 3.0],  # steady_late
        [8.0, 32.0, 0.0, 0.04, 0.15, 0.40, 0.40, 3.0],  # erratic
        [-4.0, 6.0, 15.0, 0.03, 0.08, 0.40, 0.50, 3.0],  # deteriorating
        [1.0, 5.0, 0.0, 0.02, 0.06, 0.30, 0.80, 22.0],  # seasonal
        [4.0, 10.0, 0.0, 0.25, 0.10, 0.50, 0.60, 3.0],  # disputer
        [20.0, 12.0, 0.0, 0.03, 0.20, 0.60, 0.15, 3.0],  # defaulter
    ]
)
PAYMENT_TERMS = ("NET15", "NET30", "NET45", "NET60", "EOM+30", "月结60天", "2/10 NET30", "prepaid")
_TERMS_SHARE = np.array([0.08, 0.30, 0.12, 0.10, 0.12, 0.14, 0.08, 0.06])
# Short terms get overrun more; long terms and the early-payment discount draw earlier payers.
_TERMS_EFFECT = np.array([4.0, 0.0, -2.0, -4.0, 0.0, -3.0, -6.0, 0.0])
_PREPAID = PAYMENT_TERMS.index("prepaid")

SEGMENTS = ("enterprise", "mid_market", "smb", "government", "distributor")
_SEGMENT_SHARE = np.array([0.15, 0.30, 0.35, 0.08, 0.12])
_SEGMENT_AMOUNT_CNY = np.array([60_000.0, 15_000.0, 3_000.0, 40_000.0, 25_000.0])
_SEGMENT_RATE = np.array([7.0, 5.0, 2.5, 3.0, 10.0])
_SEGMENT_PO = np.array([0.9, 0.6, 0.2, 1.0, 0.7])

REGIONS = ("East China", "North China", "South China", "West China", "Overseas")
_REGION_SHARE = np.array([0.32, 0.22, 0.20, 0.12, 0.14])
BASE_CURRENCY = "CNY"
CURRENCIES = ("CNY", "USD", "EUR", "HKD")
_FX_START = np.array([1.0, 7.10, 7.80, 0.91])
_OVERSEAS_CURRENCY_SHARE = np.array([0.0, 0.55, 0.30, 0.15])

# Invoice volume by calendar month: a Chinese New Year dip, half-year and year-end pushes.
_MONTH_VOLUME = np.array([0.95, 0.70, 1.05, 0.95, 1.0, 1.1, 0.95, 0.95, 1.05, 1.0, 1.05, 1.25])

_CATEGORIES = ("hardware", "software", "services", "consumables", "maintenance")
_CATEGORY_SHARE = np.array([0.30, 0.15, 0.20, 0.25, 0.10])
_CATEGORY_PRICE_CNY = np.array([800.0, 2_000.0, 1_200.0, 50.0, 500.0])
_CATEGORY_MARGIN = np.array([0.18, 0.70, 0.40, 0.30, 0.55])
_CATEGORY_CODE = ("HW", "SW", "SV", "CS", "MT")
_PRODUCTS_PER_CATEGORY = 20

_SALESPEOPLE = (
    "Wang Fang",
    "Li Wei",
    "Zhang Min",
    "Liu Yang",
    "Chen Jing",
    "Yang Lei",
    "Zhao Li",
    "Huang Qiang",
    "Zhou Jie",
    "Wu Tao",
)
_COLLECTORS = ("Sun Hui", "Ma Lin", "Hu Jun", "Guo Mei")
_METHODS = ("bank_transfer", "acceptance_bill", "cheque", "card")
_METHOD_SHARE_CN = np.array([0.65, 0.25, 0.05, 0.05])
_METHOD_SHARE_OVERSEAS = np.array([0.85, 0.0, 0.05, 0.10])
_DISPUTE_REASONS = ("price", "quantity", "quality", "delivery", "billing_error")
_CITIES = ("上海", "北京", "深圳", "杭州", "苏州", "成都", "武汉", "广州", "南京", "天津")
_BRANDS_CN = (
    "华信",
    "东方",
    "恒通",
    "瑞丰",
    "金桥",
    "远航",
    "宏达",
    "新元",
    "中科",
    "天成",
    "博远",
    "嘉禾",
)
_INDUSTRIES_CN = ("贸易", "电子", "机械", "科技", "物流", "医药", "建材", "食品")
_SUFFIX_CN = ("有限公司", "股份有限公司")
_BRANDS_EN = ("Acme", "Pacific", "Northwind", "Harbor", "Summit", "Evergreen", "Orion", "Atlas")
_INDUSTRIES_EN = ("Trading", "Electronics", "Machinery", "Logistics", "Foods", "Medical")
_SUFFIX_EN = ("Ltd", "GmbH", "Inc", "LLC")

# Chinese New Year (first day of the lunar year); the generator covers these years only.
CNY_DATES = {
    2005: "2005-02-09", 2006: "2006-01-29", 2007: "2007-02-18", 2008: "2008-02-07",
    2009: "2009-01-26", 2010: "2010-02-14", 2011: "2011-02-03", 2012: "2012-01-23",
    2013: "2013-02-10", 2014: "2014-01-31", 2015: "2015-02-19", 2016: "2016-02-08",
    2017: "2017-01-28", 2018: "2018-02-16", 2019: "2019-02-05", 2020: "2020-01-25",
    2021: "2021-02-12", 2022: "2022-02-01", 2023: "2023-01-22", 2024: "2024-02-10",
    2025: "2025-01-29", 2026: "2026-02-17", 2027: "2027-02-06", 2028: "2028-01-26",
    2029: "2029-02-13", 2030: "2030-02-03", 2031: "2031-01-23", 2032: "2032-02-11",
    2033: "2033-01-31", 2034: "2034-02-19", 2035: "2035-02-08",
}  # fmt: skip
_CNY_FIRST_YEAR = min(CNY_DATES)
_CNY_DAYS = np.array([np.datetime64(CNY_DATES[y], "D").astype(np.int64) for y in sorted(CNY_DATES)])
_NEVER = np.iinfo(np.int64).max // 4  # "no such day" sentinel for day arithmetic
# A defaulter's unpaid invoices are written off 6-15 months after it stops paying
# (credit managers chase, then wait for the insolvency), so the book carries a tail.
_WRITE_OFF_AFTER_DAYS = (180, 450)
_CREDIT_HOLD_DAYS = 90  # a defaulter is still invoiced this long after it stops paying
# Disputes take months to resolve: extra mean days late and extra spread.
_DISPUTE_EXTRA_DAYS = 90.0
_DISPUTE_EXTRA_SD = 40.0
_NO_CAP = 1e9  # days-late cap of customers who never default
# Instalment plans: project customers pay some large invoices in 2-3 monthly parts.
_PROJECT_SEGMENTS = np.array([SEGMENTS.index("enterprise"), SEGMENTS.index("government")])
_INSTALMENT_LARGE = 1.5  # invoice amount / customer's typical amount
_INSTALMENT_SHARE = 0.5  # of such large invoices
_INSTALMENT_SPACING_DAYS = 30
_MAX_INSTALMENTS = 3


def _dates_or_nat(days: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Day numbers as ``datetime64[D]``, NaT where not ``valid``."""
    out = np.where(valid, days, 0).astype("datetime64[D]")
    out[~valid] = np.datetime64("NaT")
    return out


def _pick(choices: tuple[str, ...], index: np.ndarray) -> pa.Array:
    return pa.array(choices).take(pa.array(index))


@dataclass
class Customers:
    """Customer attributes as arrays (one element per customer)."""

    table: pa.Table
    archetype: np.ndarray
    segment: np.ndarray
    terms: np.ndarray
    currency: np.ndarray
    overseas: np.ndarray
    typical_cents: np.ndarray
    rate: np.ndarray
    growth: np.ndarray
    first_month: np.ndarray
    default_day: np.ndarray
    write_off_day: np.ndarray
    mu: np.ndarray
    sd: np.ndarray
    drift: np.ndarray
    method: np.ndarray

    def truth(self, first_active_days: np.ndarray) -> pd.DataFrame:
        """Ground truth per customer: archetype and the habit parameters behind it."""
        behaviour = _BEHAVIOUR[self.archetype]
        has_default = self.default_day < _NEVER
        return pd.DataFrame(
            {
                "customer_id": self.table.column("customer_id").to_pandas(),
                "archetype": np.array(ARCHETYPES, dtype=object)[self.archetype],
                "mean_days_late": self.mu,
                "sd_days_late": self.sd,
                "drift_days_per_year": self.drift,
                "dispute_probability": behaviour[:, 3],
                "season_extra_days": behaviour[:, 7],
                "invoices_per_month": self.rate,
                "yearly_growth": self.growth,
                "first_active_date": first_active_days.astype("datetime64[D]"),
                "default_date": _dates_or_nat(self.default_day, has_default),
                "write_off_date": _dates_or_nat(self.write_off_day, has_default),
            }
        )


def make_customers(
    rng: np.random.Generator,
    n: int,
    start_day: int,
    end_day: int,
    n_months: int,
    invoices_per_month: float,
) -> Customers:
    """Draw ``n`` customers: master data, archetype and payment habit."""
    archetype = rng.choice(len(ARCHETYPES), size=n, p=_ARCHETYPE_SHARE)
    segment = rng.choice(len(SEGMENTS), size=n, p=_SEGMENT_SHARE)
    region = rng.choice(len(REGIONS), size=n, p=_REGION_SHARE)
    overseas = region == REGIONS.index("Overseas")
    overseas_currency = rng.choice(len(CURRENCIES), size=n, p=_OVERSEAS_CURRENCY_SHARE)
    south_hkd = (region == REGIONS.index("South China")) & (rng.random(n) < 0.15)
    currency = np.where(overseas, overseas_currency, np.where(south_hkd, 3, 0))
    terms = rng.choice(len(PAYMENT_TERMS), size=n, p=_TERMS_SHARE)

    typical_cny = _SEGMENT_AMOUNT_CNY[segment] * rng.lognormal(0.0, 0.5, n)
    typical_cents = np.round(typical_cny / _FX_START[currency] * 100).astype(np.int64)
    relative_rate = _SEGMENT_RATE / (_SEGMENT_RATE @ _SEGMENT_SHARE)
    rate = invoices_per_month * relative_rate[segment] * rng.lognormal(-0.08, 0.4, n)
    growth = rng.normal(0.06, 0.10, n)
    late_joiner = rng.random(n) >= 0.7
    first_month = np.where(late_joiner, rng.integers(0, max(1, 2 * n_months // 3), n), 0)

    span = end_day - start_day
    default_draw = start_day + np.floor(span * rng.uniform(0.3, 1.15, n)).astype(np.int64)
    is_defaulter = archetype == ARCHETYPES.index("defaulter")
    default_day = np.where(is_defaulter, default_draw, _NEVER)
    write_off_delay = rng.integers(_WRITE_OFF_AFTER_DAYS[0], _WRITE_OFF_AFTER_DAYS[1] + 1, n)
    write_off_day = np.where(is_defaulter, default_draw + write_off_delay, _NEVER)

    behaviour = _BEHAVIOUR[archetype]
    mu = behaviour[:, 0] + rng.normal(0.0, 2.5, n)
    sd = behaviour[:, 1] * rng.uniform(0.8, 1.25, n)
    drift = behaviour[:, 2] * rng.uniform(0.7, 1.3, n)

    method = np.where(
        overseas,
        rng.choice(len(_METHODS), size=n, p=_METHOD_SHARE_OVERSEAS),
        rng.choice(len(_METHODS), size=n, p=_METHOD_SHARE_CN),
    )
    salesperson = rng.integers(0, len(_SALESPEOPLE), n)
    collector = rng.integers(0, len(_COLLECTORS), n)
    name_cn = pc.binary_join_element_wise(
        _pick(_CITIES, rng.integers(0, len(_CITIES), n)),
        _pick(_BRANDS_CN, rng.integers(0, len(_BRANDS_CN), n)),
        _pick(_INDUSTRIES_CN, rng.integers(0, len(_INDUSTRIES_CN), n)),
        _pick(_SUFFIX_CN, rng.integers(0, len(_SUFFIX_CN), n)),
        "",
    )
    name_en = pc.binary_join_element_wise(
        _pick(_BRANDS_EN, rng.integers(0, len(_BRANDS_EN), n)),
        _pick(_INDUSTRIES_EN, rng.integers(0, len(_INDUSTRIES_EN), n)),
        _pick(_SUFFIX_EN, rng.integers(0, len(_SUFFIX_EN), n)),
        " ",
    )
    customer_id = id_array("C", np.arange(1, n + 1), max(5, len(str(n))))
    monthly_volume = typical_cents * rate
    credit_limit = np.maximum(np.round(monthly_volume * 2.5 / 100_000), 1) * 100_000
    table = pa.table(
        {
            "customer_id": customer_id,
            "customer_name": pc.if_else(pa.array(overseas), name_en, name_cn),
            "segment": _pick(SEGMENTS, segment),
            "region": _pick(REGIONS, region),
            "salesperson": _pick(_SALESPEOPLE, salesperson),
            "collector": _pick(_COLLECTORS, collector),
            "credit_limit": money_array(credit_limit.astype(np.int64)),
            "payment_terms": _pick(PAYMENT_TERMS, terms),
            "currency": _pick(CURRENCIES, currency),
            "email": pc.binary_join_element_wise(
                "ap@", pc.utf8_lower(customer_id), ".example.com", ""
            ),
        }
    )
    return Customers(
        table=table,
        archetype=archetype,
        segment=segment,
        terms=terms,
        currency=currency,
        overseas=overseas,
        typical_cents=typical_cents,
        rate=rate,
        growth=growth,
        first_month=first_month,
        default_day=default_day,
        write_off_day=write_off_day,
        mu=mu,
        sd=sd,
        drift=drift,
        method=method,
    )


def _in_season(days: np.ndarray) -> np.ndarray:
    """True for days around a quarter end or around Chinese New Year."""
    month, dom = month_of(days), day_of_month(days)
    quarter_end = ((month % 3 == 0) & (dom >= 24)) | ((month % 3 == 1) & (dom <= 10))
    year = np.clip(year_of(days), _CNY_FIRST_YEAR, _CNY_FIRST_YEAR + len(_CNY_DAYS) - 1)
    from_cny = days - _CNY_DAYS[year - _CNY_FIRST_YEAR]
    return quarter_end | ((from_cny >= -7) & (from_cny <= 14))


def _month_grid(
    start_day: int, end_day: int, n_months: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per month: first day, last day + 1 (the last month may stop at end_day), full length."""
    months = np.datetime64(int(start_day), "D").astype("datetime64[M]") + np.arange(n_months)
    begin = months.astype("datetime64[D]").astype(np.int64)
    next_begin = (months + 1).astype("datetime64[D]").astype(np.int64)
    return begin, np.minimum(next_begin, end_day + 1), next_begin - begin


def _draw_invoice_days(
    rng: np.random.Generator, cust: Customers, start_day: int, end_day: int, n_months: int
) -> tuple[np.ndarray, np.ndarray]:
    """Customer index and invoice day of every invoice, in date order.

    Counts are Poisson per customer and month: the customer's rate, grown yearly,
    times the calendar's volume, while the customer is active.
    """
    n_cust = len(cust.archetype)
    begin, stop, full_length = _month_grid(start_day, end_day, n_months)
    years_in = (begin - start_day) / 365.25
    active = (np.arange(n_months)[None, :] >= cust.first_month[:, None]) & (
        begin[None, :] <= cust.default_day[:, None] + _CREDIT_HOLD_DAYS
    )
    expected = (
        cust.rate[:, None]
        * np.exp(cust.growth[:, None] * years_in[None, :])
        * _MONTH_VOLUME[month_of(begin) - 1][None, :]
        * ((stop - begin) / full_length)[None, :]
        * active
    )
    cell = np.repeat(np.arange(n_cust * n_months), rng.poisson(expected).ravel())
    c, m = cell // n_months, cell % n_months
    inv_day = begin[m] + np.floor(rng.random(len(cell)) * (stop[m] - begin[m])).astype(np.int64)
    order = np.lexsort((c, inv_day))
    return c[order], inv_day[order]


@dataclass
class _Lines:
    """Invoice lines as arrays; ``invoice`` indexes the invoice of each line."""

    invoice: np.ndarray
    first: np.ndarray  # index of each invoice's first line
    category: np.ndarray
    product: np.ndarray
    quantity: np.ndarray
    net_cents: np.ndarray
    cost_cents: np.ndarray

    def amounts(self) -> np.ndarray:
        """Invoice amounts in cents: the exact sum of their lines."""
        if len(self.first) == 0:  # reduceat cannot take empty indices
            return np.zeros(0, dtype=np.int64)
        return np.add.reduceat(self.net_cents, self.first)

    def table(self, invoice_id: pa.Array) -> pa.Table:
        """The canonical ``invoice_lines`` table."""
        return pa.table(
            {
                "invoice_id": invoice_id.take(pa.array(self.invoice)),
                "line_no": pa.array(
                    (np.arange(len(self.invoice)) - self.first[self.invoice] + 1).astype(np.int32)
                ),
                "product_id": pc.binary_join_element_wise(
                    _pick(_CATEGORY_CODE, self.category),
                    pc.utf8_lpad(pa.array(self.product + 1).cast(pa.string()), 3, "0"),
                    "-",
                ),
                "net_amount": money_array(self.net_cents),
                "product_category": _pick(_CATEGORIES, self.category),
                "quantity": pa.array(self.quantity, pa.float64()),
                "cost_amount": money_array(self.cost_cents),
            }
        )


def _draw_lines(rng: np.random.Generator, cust: Customers, c: np.ndarray) -> _Lines:
    """1-3 lines per invoice: products at list prices, quantities near the usual amount."""
    n = len(c)
    n_lines = 1 + rng.binomial(2, 0.35, n)
    invoice = np.repeat(np.arange(n), n_lines)
    first = (np.cumsum(n_lines) - n_lines).astype(np.int64)
    category = rng.choice(len(_CATEGORIES), size=len(invoice), p=_CATEGORY_SHARE)
    product = rng.integers(0, _PRODUCTS_PER_CATEGORY, len(invoice))
    price_cny = _CATEGORY_PRICE_CNY[:, None] * rng.lognormal(
        0.0, 0.5, (len(_CATEGORIES), _PRODUCTS_PER_CATEGORY)
    )
    unit_cents = np.maximum(
        np.round(price_cny[category, product] / _FX_START[cust.currency[c][invoice]] * 100), 1
    ).astype(np.int64)
    target_cents = cust.typical_cents[c][invoice] * rng.lognormal(-0.2, 0.7, len(invoice))
    quantity = np.maximum(np.round(target_cents / n_lines[invoice] / unit_cents), 1)
    net_cents = quantity.astype(np.int64) * unit_cents
    cost_cents = np.round(
        net_cents * (1 - _CATEGORY_MARGIN[category]) * rng.lognormal(0.0, 0.08, len(invoice))
    ).astype(np.int64)
    return _Lines(invoice, first, category, product, quantity, net_cents, cost_cents)


@dataclass
class _Timing:
    """Latent payment timing per invoice (see the module docstring)."""

    mu: np.ndarray
    sd: np.ndarray
    lower: np.ndarray
    cap: np.ndarray  # paid only if days late <= cap (the defaulter stops paying)
    disputed: np.ndarray
    prepaid: np.ndarray

    def p_late(self, days: float = 0.0) -> np.ndarray:
        """P(paid more than ``days`` days after the due date, or never paid)."""
        return self._late_beyond(np.minimum(days, self.cap))

    def p_never_paid(self) -> np.ndarray:
        """P(the days late would exceed the cap): the customer stopped paying first."""
        return self._late_beyond(self.cap)

    def _late_beyond(self, days: np.ndarray) -> np.ndarray:
        """P(rounded days late > ``days``); certain when ``days`` lies below ``lower``."""
        threshold = days + 0.5
        return np.where(threshold <= self.lower, 1.0, normal_cdf((self.mu - threshold) / self.sd))

    def expected_days_late(self) -> np.ndarray:
        """E[L | L < cap + 0.5] with L = max(mu + sd * Z, lower): mean days late if paid.

        NaN where the invoice cannot be paid (the cap lies below ``lower``).
        """
        alpha = (self.lower - self.mu) / self.sd
        beta = (self.cap + 0.5 - self.mu) / self.sd
        cdf_a, cdf_b = normal_cdf(alpha), normal_cdf(beta)
        mass = self.lower * cdf_a + self.mu * (cdf_b - cdf_a)
        mass = mass + self.sd * (normal_pdf(alpha) - normal_pdf(beta))
        payable = (self.cap + 0.5 > self.lower) & (cdf_b > 0)
        return np.where(payable, mass / np.where(payable, cdf_b, 1.0), np.nan)


def _draw_timing(
    rng: np.random.Generator,
    cust: Customers,
    c: np.ndarray,
    inv_day: np.ndarray,
    due: np.ndarray,
    amount: np.ndarray,
    start_day: int,
) -> _Timing:
    """Mean and spread of days late: the habit plus what is observable about the invoice."""
    prepaid = cust.terms[c] == _PREPAID
    behaviour = _BEHAVIOUR[cust.archetype[c]]
    relative_amount = amount / cust.typical_cents[c]
    dispute_p = behaviour[:, 3] * np.clip(relative_amount, 0.5, 2.0)
    disputed = ~prepaid & (rng.random(len(c)) < dispute_p)
    mu = (
        cust.mu[c]
        + cust.drift[c] * (inv_day - start_day) / 365.25
        + _TERMS_EFFECT[cust.terms[c]]
        + 3.0 * np.log(relative_amount)
        + behaviour[:, 7] * _in_season(due)
        + _DISPUTE_EXTRA_DAYS * disputed
    )
    sd = np.sqrt(cust.sd[c] ** 2 + _DISPUTE_EXTRA_SD**2 * disputed)
    defaults = (cust.default_day[c] < _NEVER) & ~prepaid
    return _Timing(
        mu=np.where(prepaid, -3.0, mu),
        sd=np.where(prepaid, 2.0, sd),
        lower=np.where(prepaid, -20, inv_day - due).astype(float),
        cap=np.where(defaults, cust.default_day[c] - due, _NO_CAP).astype(float),
        disputed=disputed,
        prepaid=prepaid,
    )


def make_documents(
    rng: np.random.Generator,
    cust: Customers,
    start_day: int,
    end_day: int,
    n_months: int,
) -> dict[str, pa.Table | pd.DataFrame]:
    """Draw invoices with lines, then how and when each one is settled.

    Returns the ledger tables (Arrow, canonical schema) and the per-invoice and
    per-promise ground truth (pandas).
    """
    c, inv_day = _draw_invoice_days(rng, cust, start_day, end_day, n_months)
    n = len(c)
    lines = _draw_lines(rng, cust, c)
    amount = lines.amounts()
    terms_text = np.array(PAYMENT_TERMS, dtype=object)[cust.terms[c]]
    due = (
        due_dates(pd.Series(inv_day.astype("datetime64[D]")), pd.Series(terms_text))
        .to_numpy()
        .astype("datetime64[D]")
        .astype(np.int64)
    )
    plan = _draw_instalments(rng, cust, c, amount)
    # the invoice falls due with its last instalment, one spacing after the other
    due = due + _INSTALMENT_SPACING_DAYS * (plan.count - 1)
    timing = _draw_timing(rng, cust, c, inv_day, due, amount, start_day)
    behaviour = _BEHAVIOUR[cust.archetype[c]]
    prepaid, disputed = timing.prepaid, timing.disputed

    latent = np.maximum(timing.mu + timing.sd * rng.standard_normal(n), timing.lower)
    days_late = np.floor(latent + 0.5).astype(np.int64)
    never = days_late > timing.cap
    paid_day = np.where(never, _NEVER, due + days_late)
    expected_late = timing.expected_days_late()
    payable = ~np.isnan(expected_late)

    # -- disputes: opened soon after the invoice, closed just before payment --
    open_day = inv_day + 1 + np.floor(rng.random(n) * np.clip(paid_day - inv_day - 1, 0, 30))
    open_day = np.minimum(open_day.astype(np.int64), np.where(never, _NEVER, paid_day))
    close_day = np.where(never, _NEVER, np.maximum(open_day, paid_day - rng.integers(0, 6, n)))
    dispute_credit = disputed & ~never & (rng.random(n) < 0.6)
    scheduled = plan.count > 1
    returned = (
        ~scheduled
        & ~disputed
        & ~never
        & ~prepaid
        & (rng.random(n) < 0.015)
        & (paid_day - inv_day >= 3)
    )
    return_day = (
        inv_day
        + 1
        + np.floor(rng.random(n) * np.clip(np.minimum(paid_day - inv_day - 1, 20), 0, None)).astype(
            np.int64
        )
    )
    has_credit = dispute_credit | returned
    credit_day = np.where(dispute_credit, close_day, return_day)
    credit_share = np.where(dispute_credit, rng.uniform(0.05, 0.3, n), rng.uniform(0.1, 0.6, n))
    credit_cents = np.where(has_credit, np.round(amount * credit_share), 0).astype(np.int64)
    net_due = amount - credit_cents

    # -- cash: partial payments, settlements, overpayments --
    partial = (
        ~scheduled
        & ~never
        & ~prepaid
        & (rng.random(n) < behaviour[:, 4])
        & (paid_day - inv_day >= 4)
    )
    partial_day = inv_day + 1 + np.floor(rng.random(n) * (paid_day - inv_day - 1)).astype(np.int64)
    partial_cents = np.where(partial, np.round(net_due * rng.uniform(0.3, 0.7, n)), 0).astype(
        np.int64
    )
    overpaid = ~never & ~partial & (rng.random(n) < 0.01)
    # every instalment but the last is paid as late as the invoice itself
    instalment_day = np.maximum(
        due[:, None] + days_late[:, None] - plan.before_due, inv_day[:, None]
    )
    instalment_paid = plan.early_cents > 0
    final_cents = (
        net_due
        - partial_cents
        - plan.early_cents.sum(axis=1)
        + np.where(overpaid, rng.integers(100, 50_000, n), 0)
    )

    # -- write-offs of a defaulter's unpaid invoices, months after it stopped paying --
    write_off_day = cust.write_off_day[c]
    written_off = never & (write_off_day <= end_day)

    # -- promises to pay, made once an invoice is two weeks overdue --
    promise_made = due + 14 + rng.integers(0, 11, n)
    promised = (
        ~prepaid
        & (paid_day > due + 14)
        & (promise_made <= end_day)
        & (promise_made < paid_day)
        & (promise_made < np.where(written_off, write_off_day, _NEVER))
        & (rng.random(n) < behaviour[:, 5])
    )
    honest = ~never & (rng.random(n) < behaviour[:, 6])
    promise_date = np.where(
        honest,
        np.maximum(promise_made + 1, paid_day - rng.integers(0, 4, n)),
        promise_made + rng.integers(3, 22, n),
    )
    promise_cents = (
        net_due
        - np.where(partial & (partial_day <= promise_made), partial_cents, 0)
        - np.where(instalment_day <= promise_made[:, None], plan.early_cents, 0).sum(axis=1)
    )

    width = max(7, len(str(n)))
    invoice_id = id_array("INV-", np.arange(1, n + 1), width)
    customer_id = cust.table.column("customer_id").take(pa.array(c))
    currency = _pick(CURRENCIES, cust.currency[c])
    salesperson = cust.table.column("salesperson").take(pa.array(c))

    # -- unapplied cash on account: a receipt the customer did not allocate --
    n_unapplied = int(round(0.01 * n))
    pick = rng.integers(0, n, n_unapplied) if n else np.zeros(0, dtype=np.int64)
    unapplied_day = np.minimum(inv_day[pick] + rng.integers(0, 30, n_unapplied), end_day)
    unapplied_cents = np.maximum(
        np.round(cust.typical_cents[c[pick]] * rng.uniform(0.2, 1.0, n_unapplied)), 100
    ).astype(np.int64)
    unapplied_ok = unapplied_day < cust.default_day[c[pick]]

    po_number = id_array("PO", rng.integers(10_000_000, 100_000_000, n), 8)
    has_po = rng.random(n) < _SEGMENT_PO[cust.segment[c]]
    ledger_disputed = disputed & (open_day <= end_day) & (close_day > end_day)
    in_ledger_credit = has_credit & (credit_day <= end_day)
    dispute_reason = rng.integers(0, len(_DISPUTE_REASONS), n)
    method_mix = np.where(
        rng.random(n) < 0.85,
        cust.method[c],
        rng.integers(0, len(_METHODS), n),
    )

    invoices = pa.table(
        {
            "invoice_id": invoice_id,
            "customer_id": customer_id,
            "invoice_date": date_array(inv_day),
            "amount": money_array(amount),
            "due_date": date_array(due),
            "currency": currency,
            "doc_type": pa.array(np.full(n, "invoice", dtype=object), pa.string()),
            "reference_invoice_id": pa.nulls(n, pa.string()),
            "salesperson": salesperson,
            "disputed": pa.array(ledger_disputed),
            "po_number": pc.if_else(pa.array(has_po), po_number, pa.scalar(None, pa.string())),
        }
    )
    credits = _related_docs(
        invoices, "CN-", "credit_note", in_ledger_credit, credit_day, -credit_cents
    )
    write_offs = _related_docs(invoices, "WO-", "write_off", written_off, write_off_day, -amount)
    documents = pa.concat_tables([invoices, credits, write_offs]).sort_by(
        [("invoice_date", "ascending"), ("invoice_id", "ascending")]
    )

    payments = _payments(
        invoices,
        method_mix,
        applied=[
            (partial & (partial_day <= end_day), partial_day, partial_cents),
            *(
                (
                    instalment_paid[:, k] & (instalment_day[:, k] <= end_day),
                    instalment_day[:, k],
                    plan.early_cents[:, k],
                )
                for k in range(_MAX_INSTALMENTS - 1)
            ),
            (~never & (paid_day <= end_day) & (final_cents > 0), paid_day, final_cents),
        ],
        unapplied=(pick[unapplied_ok], unapplied_day[unapplied_ok], unapplied_cents[unapplied_ok]),
    )

    has_dispute = disputed & (open_day <= end_day)
    dispute_rows = np.flatnonzero(has_dispute)
    closed_known = close_day[dispute_rows] <= end_day
    disputes = pa.table(
        {
            "dispute_id": id_array("DSP-", np.arange(1, len(dispute_rows) + 1), width),
            "invoice_id": invoice_id.take(pa.array(dispute_rows)),
            "opened_date": date_array(open_day[dispute_rows]),
            "closed_date": date_array(
                np.where(closed_known, close_day[dispute_rows], 0), closed_known
            ),
            "reason": _pick(_DISPUTE_REASONS, dispute_reason[dispute_rows]),
        }
    )

    promise_rows = np.flatnonzero(promised)
    promise_rows = promise_rows[np.lexsort((promise_rows, promise_made[promise_rows]))]
    promise_id = id_array("PTP-", np.arange(1, len(promise_rows) + 1), width)
    promises = pa.table(
        {
            "promise_id": promise_id,
            "customer_id": customer_id.take(pa.array(promise_rows)),
            "promised_date": date_array(promise_date[promise_rows]),
            "amount": money_array(promise_cents[promise_rows]),
            "invoice_id": invoice_id.take(pa.array(promise_rows)),
            "created_date": date_array(promise_made[promise_rows]),
        }
    )

    paid = ~never
    settled_day = np.where(written_off, write_off_day, paid_day)
    truth_invoices = pd.DataFrame(
        {
            "invoice_id": invoice_id.to_pandas(),
            "customer_id": customer_id.to_pandas(),
            "archetype": np.array(ARCHETYPES, dtype=object)[cust.archetype[c]],
            "invoice_date": inv_day.astype("datetime64[D]"),
            "due_date": due.astype("datetime64[D]"),
            "amount": amount / 100,
            "p_late": timing.p_late(),
            "p_late_30": timing.p_late(30),
            "p_never_paid": timing.p_never_paid(),
            "expected_days_late": expected_late,
            "expected_payment_date": _dates_or_nat(
                due + np.round(np.nan_to_num(expected_late)).astype(np.int64), payable
            ),
            "actual_payment_date": _dates_or_nat(paid_day, paid),
            "actual_days_late": np.where(paid, days_late, np.nan),
            "settled_by_end": (settled_day <= end_day),
            "written_off": written_off,
            "disputed": disputed,
            "partial_payment": partial,
            "overpaid": overpaid,
            "instalments": plan.count,
        }
    )
    truth_promises = pd.DataFrame(
        {
            "promise_id": promise_id.to_pandas(),
            "invoice_id": invoice_id.take(pa.array(promise_rows)).to_pandas(),
            "kept": paid[promise_rows] & (paid_day[promise_rows] <= promise_date[promise_rows] + 2),
        }
    )
    return {
        "invoices": documents,
        "invoice_lines": lines.table(invoice_id),
        "payments": payments,
        "disputes": disputes,
        "promises": promises,
        "payment_schedule": plan.table(invoice_id, due),
        "truth_invoices": truth_invoices,
        "truth_promises": truth_promises,
    }


@dataclass
class _Instalments:
    """Instalment plans: ``count`` parts per invoice (1 = no plan).

    ``early_cents[:, k]`` is the amount of instalment ``k + 1`` for every instalment
    but the last (0 where there is none), ``before_due[:, k]`` how many days before the
    invoice's (last) due date it falls due. The last instalment takes the rest, so the
    parts add up to the invoice amount exactly.
    """

    count: np.ndarray
    amount: np.ndarray
    early_cents: np.ndarray
    before_due: np.ndarray

    def table(self, invoice_id: pa.Array, due: np.ndarray) -> pa.Table:
        """The canonical ``payment_schedule`` table, by invoice and instalment."""
        rows = np.flatnonzero(self.count > 1)
        invoice = np.repeat(rows, self.count[rows])
        start = np.repeat(np.cumsum(self.count[rows]) - self.count[rows], self.count[rows])
        instalment = np.arange(len(invoice)) - start  # 0-based within the invoice
        last = instalment == self.count[invoice] - 1
        early = self.early_cents[invoice, np.minimum(instalment, _MAX_INSTALMENTS - 2)]
        rest = self.amount[invoice] - self.early_cents[invoice].sum(axis=1)
        cents = np.where(last, rest, early)
        days_before = _INSTALMENT_SPACING_DAYS * (self.count[invoice] - 1 - instalment)
        return pa.table(
            {
                "invoice_id": invoice_id.take(pa.array(invoice)),
                "instalment": pa.array((instalment + 1).astype(np.int32)),
                "due_date": date_array(due[invoice] - days_before),
                "amount": money_array(cents.astype(np.int64)),
            }
        )


def _draw_instalments(
    rng: np.random.Generator, cust: Customers, c: np.ndarray, amount: np.ndarray
) -> _Instalments:
    """Plans for a share of the large invoices of project customers (never defaulters)."""
    n = len(c)
    eligible = (
        np.isin(cust.segment[c], _PROJECT_SEGMENTS)
        & (cust.default_day[c] == _NEVER)
        & (cust.terms[c] != _PREPAID)
        & (amount > _INSTALMENT_LARGE * cust.typical_cents[c])
    )
    parts = rng.integers(2, _MAX_INSTALMENTS + 1, n)
    count = np.where(eligible & (rng.random(n) < _INSTALMENT_SHARE), parts, 1)
    part = amount // count
    k = np.arange(_MAX_INSTALMENTS - 1)[None, :]
    early_cents = np.where(k < count[:, None] - 1, part[:, None], 0).astype(np.int64)
    before_due = _INSTALMENT_SPACING_DAYS * (count[:, None] - 1 - k)
    return _Instalments(count, amount, early_cents, before_due)


def _related_docs(
    invoices: pa.Table,
    prefix: str,
    doc_type: str,
    mask: np.ndarray,
    day: np.ndarray,
    cents: np.ndarray,
) -> pa.Table:
    """Credit notes or write-offs that reference the invoices selected by ``mask``."""
    rows = np.flatnonzero(mask)
    rows = rows[np.lexsort((rows, day[rows]))]
    ref = invoices.take(pa.array(rows))
    k = len(rows)
    return pa.table(
        {
            "invoice_id": id_array(prefix, np.arange(1, k + 1), max(7, len(str(len(mask))))),
            "customer_id": ref.column("customer_id"),
            "invoice_date": date_array(day[rows]),
            "amount": money_array(cents[rows]),
            "due_date": date_array(day[rows]),
            "currency": ref.column("currency"),
            "doc_type": pa.array(np.full(k, doc_type, dtype=object), pa.string()),
            "reference_invoice_id": ref.column("invoice_id"),
            "salesperson": ref.column("salesperson"),
            "disputed": pa.array(np.zeros(k, dtype=bool)),
            "po_number": pa.nulls(k, pa.string()),
        }
    )


def _payments(
    invoices: pa.Table,
    method: np.ndarray,
    applied: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
    unapplied: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> pa.Table:
    """Receipts in date order from (invoice mask, day, cents) parts and cash on account.

    ``unapplied`` holds (invoice index, day, cents): the invoice only lends its
    customer and currency, the receipt is not applied to it.
    """
    rows = [np.flatnonzero(mask) for mask, _, _ in applied]
    row = np.concatenate([*rows, unapplied[0]])
    day = np.concatenate(
        [*(d[r] for r, (_, d, _) in zip(rows, applied, strict=True)), unapplied[1]]
    )
    amount = np.concatenate(
        [*(a[r] for r, (_, _, a) in zip(rows, applied, strict=True)), unapplied[2]]
    )
    is_applied = np.arange(len(row)) < len(row) - len(unapplied[0])
    order = np.lexsort((row, ~is_applied, day))
    row, day, amount, is_applied = row[order], day[order], amount[order], is_applied[order]
    k = len(row)
    ref = invoices.take(pa.array(row))
    return pa.table(
        {
            "payment_id": id_array("PAY-", np.arange(1, k + 1), max(7, len(str(k)))),
            "customer_id": ref.column("customer_id"),
            "payment_date": date_array(day),
            "amount": money_array(amount),
            "invoice_id": pc.if_else(
                pa.array(is_applied), ref.column("invoice_id"), pa.scalar(None, pa.string())
            ),
            "currency": ref.column("currency"),
            "method": _pick(_METHODS, method[row]),
        }
    )


def make_fx_rates(rng: np.random.Generator, start_day: int, end_day: int) -> pa.Table:
    """Daily rates to the base currency as geometric random walks (base itself is 1)."""
    days = np.arange(start_day - 1, end_day + 1)
    steps = rng.normal(0.0, 0.003, (len(CURRENCIES), len(days)))
    steps[CURRENCIES.index(BASE_CURRENCY)] = 0.0
    steps[:, 0] = 0.0
    rates = _FX_START[:, None] * np.exp(np.cumsum(steps, axis=1))
    units = np.round(rates * 1e8).astype(np.int64)
    return pa.table(
        {
            "date": date_array(np.tile(days, len(CURRENCIES))),
            "currency": _pick(CURRENCIES, np.repeat(np.arange(len(CURRENCIES)), len(days))),
            "rate_to_base": money_array(units.ravel(), scale=8),
        }
    ).sort_by([("date", "ascending"), ("currency", "ascending")])
