"""Payment terms: every documented form, due-date arithmetic, and the vectorised path."""

import datetime as dt
from decimal import Decimal

import pandas as pd
import pytest

from arkit.terms import PaymentTerms, due_date, due_dates, parse_terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NET30", PaymentTerms("net", 30)),
        ("Net 30", PaymentTerms("net", 30)),
        ("net30 days", PaymentTerms("net", 30)),
        ("N45", PaymentTerms("net", 45)),
        ("60 days", PaymentTerms("net", 60)),
        ("30天", PaymentTerms("net", 30)),
        ("账期 45 天", PaymentTerms("net", 45)),
        ("EOM", PaymentTerms("net", 0, True)),
        ("EOM+30", PaymentTerms("net", 30, True)),
        ("eom 30", PaymentTerms("net", 30, True)),
        ("30 EOM", PaymentTerms("net", 30, True)),
        ("月结30天", PaymentTerms("net", 30, True)),
        ("月结 60 天", PaymentTerms("net", 60, True)),
        ("月结", PaymentTerms("net", 0, True)),
        ("2/10 NET30", PaymentTerms("net", 30, False, Decimal("2"), 10)),
        ("1.5/15 n45", PaymentTerms("net", 45, False, Decimal("1.5"), 15)),
        ("COD", PaymentTerms("cod", 0)),
        ("货到付款", PaymentTerms("cod", 0)),
        ("Due on receipt", PaymentTerms("cod", 0)),
        ("prepaid", PaymentTerms("prepaid", 0)),
        ("预付款", PaymentTerms("prepaid", 0)),
        ("款到发货", PaymentTerms("prepaid", 0)),
    ],
)
def test_parse_terms_recognises_documented_forms(text, expected):
    assert parse_terms(text) == expected


@pytest.mark.parametrize("text", ["", "sometime", "NET", "30/60/90", "EOM-30"])
def test_parse_terms_rejects_unknown_text_naming_it(text):
    with pytest.raises(ValueError, match="unrecognised payment terms"):
        parse_terms(text)


@pytest.mark.parametrize(
    ("invoice", "terms", "due"),
    [
        ("2026-01-15", "NET30", "2026-02-14"),
        ("2026-12-20", "Net 15", "2027-01-04"),
        ("2026-01-15", "EOM+30", "2026-03-02"),  # Jan 31 + 30 days
        ("2024-02-10", "EOM+30", "2024-03-30"),  # leap year: Feb 29 + 30
        ("2026-02-28", "EOM", "2026-02-28"),
        ("2026-12-05", "月结60天", "2027-03-01"),  # Dec 31 + 60 days
        ("2026-03-05", "货到付款", "2026-03-05"),
        ("2026-03-05", "2/10 NET30", "2026-04-04"),
    ],
)
def test_due_date_hand_computed(invoice, terms, due):
    assert due_date(dt.date.fromisoformat(invoice), terms) == dt.date.fromisoformat(due)


def test_due_dates_vectorised_matches_scalar_and_keeps_index():
    dates = pd.Series(
        pd.to_datetime(["2026-01-15", "2026-02-10", "2026-03-31", "2026-04-01"]),
        index=[10, 11, 12, 13],
    )
    terms = pd.Series(["EOM+30", "NET30", None, "nonsense"], index=[10, 11, 12, 13])
    out = due_dates(dates, terms)
    assert list(out.index) == [10, 11, 12, 13]
    assert out[10].date() == due_date(dt.date(2026, 1, 15), "EOM+30")
    assert out[11].date() == dt.date(2026, 3, 12)
    assert pd.isna(out[12]) and pd.isna(out[13])
