"""Number formats, leadership tables and Excel workbooks (arkit.tables)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import numpy as np
import openpyxl
import pandas as pd
import pytest

from arkit.errors import ArkitError
from arkit.tables import (
    EXCEL_DATE_FORMAT,
    EXCEL_MONEY_FORMAT,
    EXCEL_PERCENT_FORMAT,
    excel_sheet_name,
    format_days,
    format_money,
    format_percent,
    money_table,
    to_excel,
)


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (1234.5, {}, "1,234.50"),
        (-1234.5, {}, "(1,234.50)"),
        (Decimal("1234567.895"), {}, "1,234,567.90"),  # half away from zero, exact
        (Decimal("-0.005"), {}, "(0.01)"),
        (-0.004, {}, "0.00"),  # rounds to zero: no parentheses around nothing
        (0, {}, "0.00"),
        (1_000_000, {"decimals": 0}, "1,000,000"),
        (-2500.5, {"currency": "CNY"}, "CNY (2,500.50)"),
        (None, {}, "—"),
        (float("nan"), {}, "—"),
        (pd.NA, {}, "—"),
        (np.float64(0.1) + np.float64(0.2), {}, "0.30"),
        (np.int64(-12_345_678_901_234_567), {"decimals": 0}, "(12,345,678,901,234,567)"),
    ],
)
def test_format_money(value, kwargs, expected):
    assert format_money(value, **kwargs) == expected


def test_format_percent_and_days():
    assert format_percent(0.1234) == "12.3%"
    assert format_percent(0.0005, decimals=2) == "0.05%"
    assert format_percent(12.5) == "1,250.0%"
    assert format_percent(None) == "—"
    assert format_days(30) == "30.0 days"
    assert format_days(-1, decimals=0) == "-1 day"
    assert format_days(np.nan) == "—"


def _cells(html: str, column: str) -> list[str]:
    return re.findall(rf'<td[^>]*headers="{column}"[^>]*>(.*?)</td>', html)


def _headers(html: str) -> list[str]:
    return re.findall(r"<th[^>]*scope=\"col\"[^>]*>(.*?)</th>", html)


@pytest.fixture
def aging_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_name": ["<script>alert(1)</script>", "Acme & Sons", "华东贸易有限公司"],
            "open_amount": [Decimal("1234567.80"), Decimal("-250.05"), Decimal("0.10")],
            "overdue_share": [0.5, 0.0, 1.0],
            "days_late": [12.25, np.nan, 3.0],
            "invoices": [1200, 3, 1],
        }
    )


def test_money_table_formats_and_escapes(aging_frame):
    html = money_table(
        aging_frame,
        currency="CNY",
        percent_columns=["overdue_share"],
        day_columns=["days_late"],
        title="Aging <b>by</b> customer",
        source_note="Source: ERP <export>",
    ).as_raw_html()

    assert _headers(html) == [
        "Customer name",
        "Open amount (CNY)",
        "Overdue share",
        "Days late (days)",
        "Invoices",
    ]
    assert _cells(html, "open_amount") == ["1,234,567.80", "(250.05)", "0.10"]
    assert _cells(html, "overdue_share") == ["50.0%", "0.0%", "100.0%"]
    assert _cells(html, "days_late") == ["12.3", "—", "3.0"]
    assert _cells(html, "invoices") == ["1,200", "3", "1"]
    # user text is escaped everywhere, never interpreted as markup
    assert "<script>" not in html
    assert _cells(html, "customer_name") == [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "Acme &amp; Sons",
        "华东贸易有限公司",
    ]
    assert "Aging &lt;b&gt;by&lt;/b&gt; customer" in html
    assert "ERP &lt;export&gt;" in html
    # numbers right-aligned, text left-aligned
    for column, align in [
        ("open_amount", "gt_right"),
        ("invoices", "gt_right"),
        ("days_late", "gt_right"),
        ("customer_name", "gt_left"),
    ]:
        tags = re.findall(rf'<td[^>]*headers="{column}"[^>]*>', html)
        assert len(tags) == 3
        assert all(align in tag for tag in tags)


def test_money_table_html_is_self_contained(aging_frame):
    table = money_table(aging_frame, currency="USD", title="T")
    for html in (table.as_raw_html(), table._repr_html_()):
        assert not re.search(r"https?://|@import|<link|<script", html)
        assert len(html) < 30_000


def test_money_table_total_row_is_exact():
    # 0.1 + 0.2 in floats is 0.30000000000000004; ten of them must total 3.00 exactly
    frame = pd.DataFrame(
        {
            "invoices": range(1, 11),
            "region": [f"R{i}" for i in range(10)],
            "amount": [0.1] * 10,
            "share": [0.1] * 10,
        }
    )
    frame.loc[9, "amount"] = -1234.56
    html = money_table(
        frame, percent_columns=["share"], total_row=True, total_label="All regions"
    ).as_raw_html()
    assert _cells(html, "region")[-1] == "All regions"  # first text column, not the count
    assert _cells(html, "amount")[-1] == "(1,233.66)"
    assert _cells(html, "invoices")[-1] == "55"
    assert _cells(html, "share")[-1] == "—"
    assert 'style="font-weight: bold;"' in re.findall(r"<tr>.*?</tr>", html, re.S)[-1]


def test_money_table_auto_detects_money_and_rejects_unknown_columns(aging_frame):
    html = money_table(aging_frame.drop(columns=["days_late", "overdue_share"])).as_raw_html()
    assert _cells(html, "open_amount") == ["1,234,567.80", "(250.05)", "0.10"]
    with pytest.raises(ArkitError, match="percent_columns: column.*nope"):
        money_table(aging_frame, percent_columns=["nope"])


def test_excel_sheet_name_rules():
    assert excel_sheet_name("a" * 40) == "a" * 31
    assert excel_sheet_name("x" * 40, taken=["x" * 31]) == "x" * 27 + " (2)"
    assert excel_sheet_name("'quoted'") == "quoted"
    assert excel_sheet_name("") == "Sheet"
    assert excel_sheet_name("History") == "History_"
    assert excel_sheet_name("a?b*c") == "a_b_c"


def test_to_excel_writes_numbers_with_formats(tmp_path, aging_frame):
    frame = aging_frame.assign(
        due_date=[dt.date(2026, 1, 31), None, dt.date(2026, 2, 28)],
        issued=pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"]),
    )
    path = to_excel(
        {"Rejects: invoices/payments [all]": frame, "second": frame.head(1)},
        tmp_path / "out" / "book.xlsx",
        percent_columns=["overdue_share"],
        day_columns=["days_late"],
    )
    assert path == tmp_path / "out" / "book.xlsx"
    assert [p.name for p in path.parent.iterdir()] == ["book.xlsx"]  # no temp file left

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Rejects_ invoices_payments _all", "second"]
    ws = book.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == list(frame.columns)
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G4"
    col = {name: i + 1 for i, name in enumerate(header)}

    amounts = [ws.cell(row=r, column=col["open_amount"]) for r in (2, 3, 4)]
    assert [c.value for c in amounts] == [1234567.8, -250.05, 0.1]
    assert {c.number_format for c in amounts} == {EXCEL_MONEY_FORMAT}
    share = ws.cell(row=2, column=col["overdue_share"])
    assert (share.value, share.number_format) == (0.5, EXCEL_PERCENT_FORMAT)
    assert ws.cell(row=2, column=col["days_late"]).number_format == "#,##0.0"
    assert ws.cell(row=3, column=col["days_late"]).value is None
    due = ws.cell(row=2, column=col["due_date"])
    assert (due.value, due.number_format) == (dt.datetime(2026, 1, 31), EXCEL_DATE_FORMAT)
    assert ws.cell(row=3, column=col["due_date"]).value is None
    assert ws.cell(row=4, column=col["issued"]).value == dt.datetime(2026, 1, 3)
    assert ws.cell(row=2, column=col["invoices"]).value == 1200
    assert ws.cell(row=2, column=col["customer_name"]).value == "<script>alert(1)</script>"
    # wide enough for the longest name, but capped
    assert ws.column_dimensions["A"].width >= len("<script>alert(1)</script>")
    assert all(d.width <= 60 for d in ws.column_dimensions.values())


def test_to_excel_failure_leaves_no_file(tmp_path):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"previous version")
    bad = pd.DataFrame({"when": ["not a date"]})
    with pytest.raises((ValueError, TypeError)):
        to_excel({"s": bad}, target, date_columns=["when"])
    assert target.read_bytes() == b"previous version"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]


def test_to_excel_keeps_text_as_text(tmp_path):
    frame = pd.DataFrame(
        {
            "customer_name": ['=HYPERLINK("http://x","pay")', "http://example.com", "0012"],
            "disputed": [True, False, True],
        }
    )
    ws = openpyxl.load_workbook(to_excel({"s": frame}, tmp_path / "t.xlsx")).active
    assert [ws.cell(row=r, column=1).data_type for r in (2, 3, 4)] == ["s", "s", "s"]
    assert ws.cell(row=2, column=1).value == '=HYPERLINK("http://x","pay")'
    assert ws.cell(row=4, column=1).value == "0012"  # ids keep their leading zeros
    assert [ws.cell(row=r, column=2).value for r in (2, 3, 4)] == [True, False, True]


def test_exact_decimal_money_is_written_as_numbers_with_money_format(tmp_path):
    import openpyxl

    frame = pd.DataFrame({"key": ["I1", "I2"], "amount": [Decimal("1234.50"), None]})
    to_excel({"rejects": frame}, tmp_path / "r.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx").active
    assert sheet["B2"].value == 1234.5
    assert sheet["B2"].number_format == EXCEL_MONEY_FORMAT
    assert sheet["B3"].value is None


def test_an_all_blank_column_does_not_stop_the_workbook(tmp_path):
    import openpyxl

    frame = pd.DataFrame(
        {
            "invoice_id": ["I1"],
            "instalment": pd.array([None], dtype="Int64"),
            "note": pd.array([None], dtype="string"),
        }
    )
    to_excel({"drill": frame}, tmp_path / "d.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "d.xlsx").active
    assert [c.value for c in sheet[1]] == ["invoice_id", "instalment", "note"]
    assert [c.value for c in sheet[2]] == ["I1", None, None]


def test_day_counts_per_invoice_show_whole_days_averages_keep_a_decimal():
    frame = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3"],
            "days_past_due": [73.0, -4.0, np.nan],
            "dso": [55.83, 40.0, 38.1],
        }
    )
    html = money_table(frame, day_columns=["days_past_due", "dso"]).as_raw_html()
    assert _cells(html, "days_past_due") == ["73", "-4", "—"]
    assert _cells(html, "dso") == ["55.8", "40.0", "38.1"]
