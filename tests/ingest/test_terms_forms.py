"""Payment-terms forms met in Chinese and English ERP exports, added for ingest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from arkit.terms import PaymentTerms, due_date, parse_terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("票到30天", PaymentTerms("net", 30)),
        ("开票后45天内付款", PaymentTerms("net", 45)),
        ("发票日后60日", PaymentTerms("net", 60)),
        ("收到发票后30天内付款", PaymentTerms("net", 30)),
        ("30天内付款", PaymentTerms("net", 30)),
        ("2% 10 net 30", PaymentTerms("net", 30, False, Decimal("2"), 10)),
        ("1.5%/15 N45", PaymentTerms("net", 45, False, Decimal("1.5"), 15)),
        ("立即付款", PaymentTerms("cod", 0)),
        ("即期", PaymentTerms("cod", 0)),
    ],
)
def test_more_term_forms(text, expected):
    assert parse_terms(text) == expected


def test_forms_that_stay_unreadable():
    for text in ("月结30天+15天", "negotiable", "30", "票到"):
        with pytest.raises(ValueError, match="unrecognised payment terms"):
            parse_terms(text)


def test_invoice_based_terms_count_from_the_invoice_date():
    assert due_date(dt.date(2026, 1, 31), "票到30天") == dt.date(2026, 3, 2)
