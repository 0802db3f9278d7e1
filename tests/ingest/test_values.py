"""Value parsers: every accepted form against a hand-computed value, and what is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from arkit.ingest import (
    parse_amounts,
    parse_booleans,
    parse_currencies,
    parse_dates,
    parse_doc_types,
)
from arkit.ingest._values import normalise_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1234.50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("¥1,234.50", "1234.50"),
        ("￥1,234.50", "1234.50"),
        ("RMB 1,234.50", "1234.50"),
        ("1,234.50 USD", "1234.50"),
        ("US$ 12.5", "12.50"),
        ("1000元", "1000.00"),
        ("(1,234.50)", "-1234.50"),
        ("-1,234.50", "-1234.50"),
        ("1234.50-", "-1234.50"),
        ("-US$304.12", "-304.12"),
        ("(US$304.12)", "-304.12"),
        ("-EUR 519.54", "-519.54"),
        ("(519.54 EUR)", "-519.54"),
        ("-HK$3,041.82", "-3041.82"),
        ("+7", "7.00"),
        ("-", "0.00"),
        ("  42 ", "42.00"),
        ("１２３.４５", "123.45"),
        ("9999999999999999.99", "9999999999999999.99"),
    ],
)
def test_amount_forms_are_read_exactly(text, expected):
    assert parse_amounts([text])[0].as_py() == Decimal(expected)


@pytest.mark.parametrize(
    "text",
    ["abc", "12abc", "1,23", "1.555", "-(5)", "5--", "1e5", "1.2.3", "10000000000000000", ""],
)
def test_unreadable_amounts_are_null(text):
    assert parse_amounts([text])[0].as_py() is None


def test_european_separators_are_configurable():
    values = parse_amounts(
        ["1.234,50", "1 234,50", "(0,10)", "1,234.50"], decimal=",", thousands="."
    )
    assert values.to_pylist() == [Decimal("1234.50"), Decimal("1234.50"), Decimal("-0.10"), None]


def test_a_column_of_mixed_forms_keeps_each_amount_in_its_row():
    # plain, yuan with separators, and regex-only forms are read by different passes
    text = [
        "￥54,958.35",
        "12.5",
        "-￥1,234.50",
        "n/a",
        "￥958.3",
        None,
        "1,234,567,890,123.45",
        "1,234,567,890,123,456.78",
        "(￥5.00)",
        "￥1,234.567",
        "12,34",
        "￥-7",
    ]
    expected = [
        "54958.35",
        "12.50",
        "-1234.50",
        None,
        "958.30",
        None,
        "1234567890123.45",
        "1234567890123456.78",
        "-5.00",
        None,
        None,
        "-7.00",
    ]
    assert parse_amounts(text).to_pylist() == [None if e is None else Decimal(e) for e in expected]


def test_yuan_amounts_with_european_separators():
    values = parse_amounts(["￥1.234,5", "￥12,50", "1.234.567,00"], decimal=",", thousands=".")
    assert values.to_pylist() == [Decimal("1234.50"), Decimal("12.50"), Decimal("1234567.00")]


def test_separators_must_differ():
    with pytest.raises(ValueError, match="must differ"):
        parse_amounts(["1"], decimal=",", thousands=",")


def test_a_million_dimes_sum_to_exactly_100000():
    amounts = parse_amounts(pa.array(["0.10"] * 1_000_000))
    assert amounts.type == pa.decimal128(18, 2)
    assert pc.sum(amounts).as_py() == Decimal("100000.00")
    # the same sum in binary floating point is not exact, which is why money is decimal
    assert sum([0.1] * 1_000_000) != 100000.0


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-05",
        "2026-03-05 00:00:00",
        "2026-03-05T14:30:00",
        "2026/3/5",
        "2026.03.05",
        "2026年3月5日",
        "2026年03月05号",
        "20260305",
        "46086",
        "46086.75",
        "3/5/2026",
    ],
)
def test_date_forms(text):
    assert parse_dates([text])[0].as_py() == dt.date(2026, 3, 5)


def test_dayfirst_reads_day_before_month():
    assert parse_dates(["05/03/2026"], dayfirst=True)[0].as_py() == dt.date(2026, 3, 5)
    assert parse_dates(["05/03/2026"])[0].as_py() == dt.date(2026, 5, 3)
    assert parse_dates(["13/02/2026"]).to_pylist() == [None]  # no 13th month


def test_excel_serial_numbers_count_from_1899_12_30():
    assert parse_dates(["1", "60", "61", "45658"]).to_pylist() == [
        None,  # four or five digits only: "1" is not a plausible export date
        None,
        None,
        dt.date(2025, 1, 1),
    ]
    assert parse_dates(["36526"])[0].as_py() == dt.date(2000, 1, 1)


@pytest.mark.parametrize(
    "text", ["2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "soon", "3/5"]
)
def test_impossible_or_unreadable_dates_are_null(text):
    assert parse_dates([text])[0].as_py() is None


def test_leap_day_is_a_date():
    assert parse_dates(["2024-02-29"])[0].as_py() == dt.date(2024, 2, 29)


def test_booleans():
    text = ["Yes", "NO", "y", "N", "是", "否", "1", "0", "true", "False", "maybe", ""]
    assert parse_booleans(text).to_pylist() == [
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        True,
        False,
        None,
        None,
    ]


def test_currencies_and_document_types():
    assert parse_currencies(["cny", " USD ", "人民币", "美元", "€", "US dollars"]).to_pylist() == [
        "CNY",
        "USD",
        "CNY",
        "USD",
        "EUR",
        None,
    ]
    assert parse_doc_types(
        ["INV", "credit_note", "Debit Note", "坏账核销", "贷项通知单", "?"]
    ).to_pylist() == [
        "invoice",
        "credit_note",
        "debit_note",
        "write_off",
        "credit_note",
        None,
    ]


def test_dates_of_mixed_forms_in_one_column_keep_their_positions():
    text = [
        "2026-03-05",
        "0000-01-01",
        "2026/3/6",
        "2026-02-30",
        "46088",
        None,
        "20260308",
        "2026-03-09 08:00",
    ]
    days = [None if d is None else d.day for d in parse_dates(text).to_pylist()]
    assert days == [5, None, 6, None, 7, None, 8, 9]


@pytest.mark.parametrize("sliced", [False, True])
def test_normalise_text_trims_only_padded_values_and_nulls_empty_ones(sliced):
    # the unsliced column takes the byte-level path, the sliced one Arrow's kernels
    text = pa.array(["x", " A1", "B2\t", "", "  ", None, "C 3", "\r\nD4\n", "E5"])
    if sliced:
        text = text.slice(1)
    expected = ["A1", "B2", None, None, None, "C 3", "D4", "E5"]
    assert normalise_text(text).to_pylist() == (expected if sliced else ["x", *expected])


def test_normalise_text_of_unpadded_ascii_nulls_only_the_empty_values():
    text = pa.array(["INV-1", "", "INV-3", None])
    out = normalise_text(text)
    assert out.to_pylist() == ["INV-1", None, "INV-3", None]
    assert out.null_count == 2


def test_normalise_text_folds_full_width_forms_among_chinese_text():
    # ￥ (U+FFE5) is outside the full-width range folded, so it is kept as exported
    text = pa.array(["２０２６年3月5日", "￥1,234", "\u3000A\u3000", "客户", "ｘ"])
    assert normalise_text(text).to_pylist() == ["2026年3月5日", "￥1,234", "A", "客户", "x"]
    assert normalise_text(pa.array(["客户 ", "￥5"])).to_pylist() == ["客户", "￥5"]
