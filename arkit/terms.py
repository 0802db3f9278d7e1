"""Payment terms: parse the text an ERP exports and derive due dates.

Recognised forms (case and spacing do not matter)

========================================  ==========================================
text                                      meaning
========================================  ==========================================
``NET30``, ``Net 30``, ``N30``, ``30 days``, net: due 30 days after the invoice date
``30天``, ``30日``, ``账期30天``,
``票到30天``, ``开票后30天内付款``
``EOM``, ``EOM+30``, ``EOM 30``,           end of month: due 30 days after the end of the
``30 EOM``, ``月结30天``, ``月结``          invoice's month (``EOM``/``月结`` alone: month end)
``2/10 NET30``, ``2% 10 net 30``           2 % discount if paid within 10 days, else net 30
``COD``, ``cash on delivery``, ``货到付款``,  due on the invoice date
``due on receipt``, ``见票即付``, ``现结``,
``立即付款``, ``即期``
``prepaid``, ``prepayment``, ``CIA``,      paid before delivery: due on the invoice date
``预付``, ``款到发货``, ``预付款``
========================================  ==========================================

>>> parse_terms("2/10 NET30")
PaymentTerms(kind='net', days=30, end_of_month=False, discount_percent=Decimal('2'), discount_days=10)
>>> import datetime as dt
>>> due_date(dt.date(2026, 1, 15), "EOM+30")
datetime.date(2026, 3, 2)
>>> due_date(dt.date(2026, 1, 15), "月结60天")
datetime.date(2026, 4, 1)
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np
import pandas as pd

__all__ = ["PaymentTerms", "parse_terms", "due_date", "due_dates"]


@dataclass(frozen=True)
class PaymentTerms:
    """Parsed payment terms.

    Attributes
    ----------
    kind : {"net", "cod", "prepaid"}
        ``cod`` and ``prepaid`` are due on the invoice date.
    days : int
        Days added to the invoice date (or to the month end when ``end_of_month``).
    end_of_month : bool
        Count ``days`` from the last day of the invoice's month.
    discount_percent, discount_days : Decimal or None, int or None
        Early-payment discount (``2/10 NET30`` → 2 % within 10 days).
    """

    kind: str
    days: int
    end_of_month: bool = False
    discount_percent: Decimal | None = None
    discount_days: int | None = None

    def due_date(self, invoice_date: dt.date) -> dt.date:
        """Due date of an invoice dated ``invoice_date`` under these terms."""
        start = invoice_date
        if self.end_of_month:
            nxt = (invoice_date.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            start = nxt - dt.timedelta(days=1)
        return start + dt.timedelta(days=self.days)


_NUM = r"(\d{1,3})"
_PATTERNS: list[tuple[re.Pattern[str], object]] = [
    (
        re.compile(rf"^(\d+(?:\.\d+)?)\s*(?:%\s*/?|/)\s*{_NUM}\s*,?\s*(?:net|n)\s*{_NUM}$"),
        lambda m: PaymentTerms("net", int(m[3]), False, Decimal(m[1]), int(m[2])),
    ),
    (re.compile(rf"^(?:net|n)\s*{_NUM}(?:\s*days?)?$"), lambda m: PaymentTerms("net", int(m[1]))),
    (
        re.compile(rf"^{_NUM}\s*(?:days?|天|日)(?:\s*net)?$"),
        lambda m: PaymentTerms("net", int(m[1])),
    ),
    (
        re.compile(rf"^(?:账期|信用期)\s*{_NUM}\s*(?:天|日)?$"),
        lambda m: PaymentTerms("net", int(m[1])),
    ),
    (
        re.compile(
            rf"^(?:票到|开票后|发票日后|见票后?|收到发票后?)?\s*{_NUM}\s*(?:天|日)内?"
            r"(?:付款|付清|结清)?$"
        ),
        lambda m: PaymentTerms("net", int(m[1])),
    ),
    (
        re.compile(rf"^eom(?:\s*\+?\s*{_NUM}(?:\s*days?)?)?$"),
        lambda m: PaymentTerms("net", int(m[1] or 0), True),
    ),
    (
        re.compile(rf"^(?:net\s*)?{_NUM}\s*(?:days?\s*)?eom$"),
        lambda m: PaymentTerms("net", int(m[1]), True),
    ),
    (
        re.compile(rf"^月结(?:\s*{_NUM}\s*(?:天|日)?)?$"),
        lambda m: PaymentTerms("net", int(m[1] or 0), True),
    ),
    (
        re.compile(
            r"^(?:cod|c\.o\.d\.?|cash on delivery|due on receipt|on receipt|货到付款|见票即付|现结|现款"
            r"|立即付款|即期|即付)$"
        ),
        lambda m: PaymentTerms("cod", 0),
    ),
    (
        re.compile(
            r"^(?:prepaid|prepayment|pre-?pay|cia|cash in advance|预付|预付款|款到发货|先款后货)$"
        ),
        lambda m: PaymentTerms("prepaid", 0),
    ),
]


@lru_cache(maxsize=4096)
def parse_terms(text: str) -> PaymentTerms:
    """Parse payment-terms text.

    Parameters
    ----------
    text : str
        Terms as exported, e.g. ``"Net 30"``, ``"EOM+30"``, ``"月结30天"``.

    Returns
    -------
    PaymentTerms

    Raises
    ------
    ValueError
        If the text is not a recognised form (the message quotes it).

    >>> parse_terms("Net 45").days
    45
    >>> parse_terms("货到付款").kind
    'cod'
    """
    norm = re.sub(r"\s+", " ", str(text).strip().lower()).replace("＋", "+")
    for pattern, build in _PATTERNS:
        m = pattern.match(norm)
        if m:
            return build(m)  # type: ignore[operator]
    raise ValueError(f"unrecognised payment terms {text!r}")


def due_date(invoice_date: dt.date, terms: str | PaymentTerms) -> dt.date:
    """Due date of one invoice.

    >>> due_date(dt.date(2026, 2, 10), "Net 30")
    datetime.date(2026, 3, 12)
    """
    parsed = terms if isinstance(terms, PaymentTerms) else parse_terms(terms)
    return parsed.due_date(invoice_date)


def due_dates(invoice_dates: pd.Series, terms: pd.Series) -> pd.Series:
    """Vectorised due dates: each distinct terms text is parsed once.

    Parameters
    ----------
    invoice_dates : pandas.Series
        Invoice dates (datetime64 or ``datetime.date``).
    terms : pandas.Series
        Terms text per invoice, aligned with ``invoice_dates``; nulls give ``NaT``.

    Returns
    -------
    pandas.Series of datetime64[ns]
        ``NaT`` where terms are missing or unrecognised (callers decide whether
        that is a reject or a default).

    >>> s = due_dates(pd.Series(pd.to_datetime(["2026-01-15", "2026-01-31"])),
    ...               pd.Series(["EOM+30", "NET30"]))
    >>> [d.date().isoformat() for d in s]
    ['2026-03-02', '2026-03-02']
    """
    dates = pd.to_datetime(pd.Series(invoice_dates).reset_index(drop=True))
    text = pd.Series(terms).reset_index(drop=True)
    codes, uniques = pd.factorize(text, use_na_sentinel=True)
    days = np.full(len(uniques), -1, dtype=np.int64)
    eom = np.zeros(len(uniques), dtype=bool)
    for i, u in enumerate(uniques):
        try:
            t = parse_terms(str(u))
        except ValueError:
            continue
        days[i], eom[i] = t.days, t.end_of_month
    valid = codes >= 0
    valid[valid] = days[codes[valid]] >= 0
    row_days = np.where(valid, days[np.maximum(codes, 0)], 0)
    row_eom = np.where(valid, eom[np.maximum(codes, 0)], False)
    base = dates.where(~row_eom, dates + pd.offsets.MonthEnd(0))
    out = base + pd.to_timedelta(row_days, unit="D")
    out[~valid] = pd.NaT
    out.index = pd.Series(invoice_dates).index
    return out
