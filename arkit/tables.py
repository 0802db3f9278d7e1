"""Presentation of numbers: text formats, leadership tables and Excel workbooks.

Frames stay numeric everywhere else in arkit; this module is where numbers turn
into what a reader sees. The conventions are those of a finance department:

* money has thousands separators and two decimals, negatives in parentheses
  (``(1,234.50)``), the currency in the column header (``Open amount (CNY)``);
* percentages are stored as fractions (``0.125``) and shown as ``12.5%``;
* a missing value is an em dash, never ``nan``.

:func:`money_table` builds a `great_tables <https://posit-dev.github.io/great-tables/>`_
table whose HTML is self-contained (no fonts or scripts fetched from the network)
and escapes every text cell, so a customer named ``<script>`` shows as text.
:func:`to_excel` writes real numbers with Excel number formats, so a collector can
still sort and sum the worklist.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from great_tables import GT

__all__ = [
    "MISSING",
    "EXCEL_MONEY_FORMAT",
    "EXCEL_PERCENT_FORMAT",
    "EXCEL_DATE_FORMAT",
    "format_money",
    "format_percent",
    "format_days",
    "column_label",
    "money_table",
    "excel_sheet_name",
    "to_excel",
]

MISSING = "—"
EXCEL_MONEY_FORMAT = "#,##0.00;(#,##0.00)"
EXCEL_PERCENT_FORMAT = "0.0%"
EXCEL_DATE_FORMAT = "yyyy-mm-dd"
_EXCEL_INTEGER_FORMAT = "#,##0"
_EXCEL_DAYS_FORMAT = "#,##0.0"
_EXCEL_MAX_SHEET_NAME = 31
_EXCEL_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_EXCEL_MAX_COLUMN_WIDTH = 60


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    if isinstance(value, Decimal):
        return value.is_nan()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _rounded(value: Any, decimals: int) -> Decimal:
    """Round half away from zero, as accountants do, working on the exact decimal."""
    if isinstance(value, Decimal):
        exact = value
    elif isinstance(value, numbers.Integral):
        exact = Decimal(int(value))
    else:
        exact = Decimal(repr(float(value)))
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_money(value: Any, currency: str | None = None, decimals: int = 2) -> str:
    """Format an amount the accounting way: separators, negatives in parentheses.

    Parameters
    ----------
    value : Decimal, float, int or None
        The amount; ``Decimal`` values are rounded exactly (half away from zero).
    currency : str, optional
        ISO code put in front of the number (``"CNY 1,234.50"``). Tables put the
        currency in the column header instead.
    decimals : int
        Decimal places.

    Returns
    -------
    str
        ``"—"`` for a missing value.

    >>> format_money(1234.5)
    '1,234.50'
    >>> format_money(Decimal("-1234.505"))
    '(1,234.51)'
    >>> format_money(-0.001), format_money(None), format_money(2500000, "CNY", decimals=0)
    ('0.00', '—', 'CNY 2,500,000')
    """
    if _is_missing(value):
        return MISSING
    amount = _rounded(value, decimals)
    text = f"{abs(amount):,.{decimals}f}"
    if amount < 0:
        text = f"({text})"
    return f"{currency} {text}" if currency else text


def format_percent(value: Any, decimals: int = 1) -> str:
    """Format a fraction as a percentage (``0.125`` -> ``"12.5%"``).

    >>> format_percent(0.125), format_percent(-0.04), format_percent(1, decimals=0)
    ('12.5%', '-4.0%', '100%')
    >>> format_percent(float("nan"))
    '—'
    """
    if _is_missing(value):
        return MISSING
    percent = _rounded(Decimal(repr(float(value))) * 100, decimals)
    return f"{percent:,.{decimals}f}%"


def format_days(value: Any, decimals: int = 1) -> str:
    """Format a number of days (DSO, days late); negative means early.

    >>> format_days(45.25), format_days(-3, decimals=0), format_days(1, decimals=0)
    ('45.3 days', '-3 days', '1 day')
    >>> format_days(None)
    '—'
    """
    if _is_missing(value):
        return MISSING
    days = _rounded(value, decimals)
    unit = "day" if abs(days) == 1 else "days"
    return f"{days:,.{decimals}f} {unit}"


def _format_day_count(value: Any) -> str:
    return MISSING if _is_missing(value) else f"{_rounded(value, 1):,.1f}"


def _format_whole_days(value: Any) -> str:
    return MISSING if _is_missing(value) else f"{_rounded(value, 0):,.0f}"


def _whole_numbers(series: pd.Series) -> bool:
    """True when every value is a whole number (days past due), not an average (DSO)."""
    values = pd.to_numeric(series.astype(object), errors="coerce").dropna()
    return not values.empty and bool((values == values.round()).all())


def _format_count(value: Any) -> str:
    return MISSING if _is_missing(value) else f"{int(value):,}"


def column_label(name: str, currency: str | None = None, unit: str | None = None) -> str:
    """Turn a column name into a header, with the currency or unit in parentheses.

    >>> column_label("open_amount", "CNY")
    'Open amount (CNY)'
    >>> column_label("dso", unit="days"), column_label("Customer name")
    ('Dso (days)', 'Customer name')
    """
    text = str(name).replace("_", " ").strip()
    text = text[:1].upper() + text[1:]
    suffix = currency or unit
    return f"{text} ({suffix})" if suffix else text


def _is_money_dtype(series: pd.Series) -> bool:
    if pd.api.types.is_float_dtype(series.dtype):
        return True
    if isinstance(series.dtype, pd.ArrowDtype):
        import pyarrow as pa

        return pa.types.is_decimal(series.dtype.pyarrow_dtype)
    if series.dtype == object:
        sample = series.dropna()
        return not sample.empty and isinstance(sample.iloc[0], Decimal)
    return False


def _as_float(series: pd.Series) -> pd.Series:
    """Display copy of a money column as float (exact cents survive to 2 decimals)."""
    return pd.to_numeric(series.astype(object), errors="raise").astype("float64")


def _exact_total(series: pd.Series) -> float:
    """Sum a display money column exactly: each float is read back as its cent."""
    total = sum(
        (_rounded(v, 2) for v in series.dropna()),
        start=Decimal(0),
    )
    return float(total)


def _check_columns(frame: pd.DataFrame, columns: Iterable[str], what: str) -> list[str]:
    columns = list(columns)
    unknown = [c for c in columns if c not in frame.columns]
    if unknown:
        from arkit.errors import ArkitError

        raise ArkitError(
            f"{what}: column(s) {', '.join(map(str, unknown))} not in the table "
            f"(has {', '.join(map(str, frame.columns))})"
        )
    return columns


def money_table(
    frame: pd.DataFrame,
    money_columns: Sequence[str] | None = None,
    currency: str | None = None,
    percent_columns: Sequence[str] = (),
    day_columns: Sequence[str] = (),
    title: str | None = None,
    subtitle: str | None = None,
    source_note: str | None = None,
    total_row: bool = False,
    labels: Mapping[str, str] | None = None,
    total_label: str = "Total",
) -> GT:
    """Build a leadership table: money formatted the accounting way, numbers right-aligned.

    Parameters
    ----------
    frame : pandas.DataFrame
        Numeric frame (money as float or Decimal, percentages as fractions).
        The index is dropped; put identifying values in columns.
    money_columns : sequence of str, optional
        Columns shown as money. Default: every float or decimal column that is not
        listed in ``percent_columns`` or ``day_columns``.
    currency : str, optional
        Put in the header of money columns (``Open amount (CNY)``).
    percent_columns, day_columns : sequence of str
        Fractions shown as ``12.5%``; day counts shown with one decimal and
        ``(days)`` in the header.
    title, subtitle, source_note : str, optional
        Heading and footer text (escaped like every cell).
    total_row : bool
        Append a total row summing the money columns exactly (to the cent) and the
        integer (count) columns; percentages and days are left blank.
    labels : mapping, optional
        Header text per column; the default is the column name in sentence case.
    total_label : str
        Text of the total row's first column.

    Returns
    -------
    great_tables.GT
        Renders in a notebook; ``.as_raw_html()`` gives the HTML fragment.
    """
    from great_tables import GT, loc, style

    percent_columns = _check_columns(frame, percent_columns, "percent_columns")
    day_columns = _check_columns(frame, day_columns, "day_columns")
    if money_columns is None:
        special = set(percent_columns) | set(day_columns)
        money_columns = [c for c in frame.columns if c not in special and _is_money_dtype(frame[c])]
    money_columns = _check_columns(frame, money_columns, "money_columns")

    data = frame.reset_index(drop=True).copy()
    for col in money_columns:
        data[col] = _as_float(data[col])
    integer_columns = [
        c
        for c in data.columns
        if pd.api.types.is_integer_dtype(data[c].dtype) and not pd.api.types.is_bool_dtype(data[c])
    ]
    # nullable so that the total row's blanks do not turn counts into floats
    data[integer_columns] = data[integer_columns].astype("Int64")
    if total_row and len(data):
        counts = [c for c in integer_columns if c not in {*percent_columns, *day_columns}]
        total = {col: _exact_total(data[col]) for col in money_columns}
        total.update({col: data[col].sum() for col in counts})
        numeric = {*money_columns, *percent_columns, *day_columns, *integer_columns}
        label_columns = [c for c in data.columns if c not in numeric]
        if label_columns:
            total[label_columns[0]] = total_label
        data = pd.concat([data, pd.DataFrame([total])], ignore_index=True)

    header = {str(c): column_label(c) for c in data.columns}
    header.update({str(c): column_label(c, currency) for c in money_columns})
    header.update({str(c): column_label(c, unit="days") for c in day_columns})
    header.update({str(k): v for k, v in (labels or {}).items()})
    # great_tables selects columns by name; non-string names (ints from a pivot) are renamed.
    data.columns = [str(c) for c in data.columns]
    money = [str(c) for c in money_columns]
    percent = [str(c) for c in percent_columns]
    days = [str(c) for c in day_columns]
    # a day count per invoice reads "73"; an average such as DSO keeps one decimal
    whole_days = [c for c in days if _whole_numbers(data[c])]
    days = [c for c in days if c not in whole_days]
    integers = [str(c) for c in integer_columns if c not in set(percent_columns) | set(day_columns)]
    numeric = money + percent + days + whole_days + integers

    table = GT(data).cols_label(**header)
    # Our own formatters rather than great_tables' so that a table cell and a number
    # quoted in the text always round the same way (half away from zero).
    formats = [
        (money, format_money),
        (percent, format_percent),
        (days, _format_day_count),
        (whole_days, _format_whole_days),
        (integers, _format_count),
    ]
    for columns, formatter in formats:
        if columns:
            table = table.fmt(formatter, columns=columns)
    if numeric:
        table = table.cols_align(align="right", columns=numeric)
    table = table.sub_missing(missing_text=MISSING)
    if title or subtitle:
        table = table.tab_header(title=title or "", subtitle=subtitle)
    if source_note:
        table = table.tab_source_note(source_note)
    if total_row and len(data):
        table = table.tab_style(style=style.text(weight="bold"), locations=loc.body(rows=[-1]))
    return table


def excel_sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """Make ``name`` a valid, unique Excel sheet name.

    Excel forbids ``[ ] : * ? / \\``, a leading or trailing apostrophe, empty names,
    names longer than 31 characters and duplicates that differ only in case.

    >>> excel_sheet_name("Rejects: invoices/payments [2026]")
    'Rejects_ invoices_payments _202'
    >>> excel_sheet_name("aging", taken=["Aging"])
    'aging (2)'
    """
    clean = _EXCEL_BAD_SHEET_CHARS.sub("_", str(name)).strip("'").strip() or "Sheet"
    if clean.lower() == "history":  # reserved by Excel
        clean = "History_"
    clean = clean[:_EXCEL_MAX_SHEET_NAME]
    used = {t.lower() for t in taken}
    candidate, n = clean, 1
    while candidate.lower() in used:
        n += 1
        suffix = f" ({n})"
        candidate = clean[: _EXCEL_MAX_SHEET_NAME - len(suffix)] + suffix
    return candidate


def _is_date_column(series: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return True
    if isinstance(series.dtype, pd.ArrowDtype):
        import pyarrow as pa

        return pa.types.is_date(series.dtype.pyarrow_dtype) or pa.types.is_timestamp(
            series.dtype.pyarrow_dtype
        )
    if series.dtype == object:
        sample = series.dropna()
        return not sample.empty and isinstance(sample.iloc[0], dt.date)
    return False


def _is_decimal_column(series: pd.Series) -> bool:
    """Exact money read from the ledger (Python Decimal objects) is money in Excel too."""
    if isinstance(series.dtype, pd.ArrowDtype):
        import pyarrow as pa

        return pa.types.is_decimal(series.dtype.pyarrow_dtype)
    if series.dtype != object:
        return False
    sample = series.dropna()
    return not sample.empty and all(isinstance(v, Decimal) for v in sample.iloc[:100])


def _excel_ready(
    frame: pd.DataFrame, money: set[str], percent: set[str], dates: set[str]
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Convert a frame to Excel-storable values and pick each column's number format."""
    data = frame.reset_index(drop=True).copy()
    formats: dict[str, str] = {}
    for col in data.columns:
        series = data[col]
        if col in dates or _is_date_column(series):
            values = pd.to_datetime(series.astype(object), errors="raise")
            if getattr(values.dtype, "tz", None) is not None:
                values = values.dt.tz_localize(None)
            data[col] = values
            formats[col] = EXCEL_DATE_FORMAT
        elif col in percent:
            data[col] = _as_float(series)
            formats[col] = EXCEL_PERCENT_FORMAT
        elif col in money or _is_decimal_column(series):
            data[col] = _as_float(series)
            formats[col] = EXCEL_MONEY_FORMAT
        elif pd.api.types.is_bool_dtype(series.dtype):
            continue
        elif pd.api.types.is_integer_dtype(series.dtype):
            formats[col] = _EXCEL_INTEGER_FORMAT
        elif pd.api.types.is_float_dtype(series.dtype):
            formats[col] = _EXCEL_DAYS_FORMAT
    return data, formats


def _column_width(series: pd.Series, header: str, number_format: str | None) -> float:
    if number_format == EXCEL_DATE_FORMAT:
        longest = 10
    elif number_format is not None and not series.dropna().empty:
        largest = pd.to_numeric(series, errors="coerce").abs().max()
        longest = len(f"{largest:,.2f}") + 2
    else:
        # an all-blank column (pandas keeps NA through astype(str)) is as wide as its header
        longest = (
            int(series.dropna().astype(str).str.len().max() or 0) if series.notna().any() else 0
        )
    return min(max(longest, len(str(header))) + 2, _EXCEL_MAX_COLUMN_WIDTH)


def _write_sheet(
    workbook, sheet: str, frame: pd.DataFrame, data: pd.DataFrame, formats: dict[str, str]
) -> None:
    """One sheet: bold frozen header with an autofilter, values typed, column formats, widths."""
    worksheet = workbook.add_worksheet(sheet)
    bold = workbook.add_format({"bold": True})
    styles = {fmt: workbook.add_format({"num_format": fmt}) for fmt in set(formats.values())}
    for position, col in enumerate(data.columns):
        number_format = formats.get(col)
        style = styles.get(number_format)
        # a column format applies to every cell written without a format of its own
        worksheet.set_column(
            position, position, _column_width(frame[col], col, number_format), style
        )
        worksheet.write_string(0, position, str(col), bold)
        series = data[col]
        present = series.notna().to_numpy()
        if number_format == EXCEL_DATE_FORMAT:
            values, write = series.dt.to_pydatetime(), worksheet.write_datetime
        elif number_format is not None:
            values, write = (
                series.to_numpy(dtype="float64", na_value=float("nan")),
                (worksheet.write_number),
            )
        elif pd.api.types.is_bool_dtype(series.dtype):
            values, write = series.to_numpy(), worksheet.write_boolean
        else:
            values, write = series.astype(str).to_numpy(), worksheet.write_string
        # the Excel writer takes one cell at a time; blanks are simply not written
        for row in present.nonzero()[0]:
            write(int(row) + 1, position, values[row], style)
    worksheet.freeze_panes(1, 0)
    if len(data.columns):
        worksheet.autofilter(0, 0, len(data), len(data.columns) - 1)


def to_excel(
    frames: Mapping[str, pd.DataFrame],
    path: str | os.PathLike,
    money_columns: Sequence[str] | None = None,
    percent_columns: Sequence[str] = (),
    date_columns: Sequence[str] = (),
    day_columns: Sequence[str] = (),
) -> Path:
    """Write frames to an ``.xlsx`` workbook, one sheet each, as real numbers.

    Money gets ``#,##0.00;(#,##0.00)``, percentages (fractions) ``0.0%``, dates are
    Excel dates shown ``yyyy-mm-dd``, integers ``#,##0``. Every sheet has a bold,
    frozen header row with an autofilter and columns sized to their contents.
    The file is written beside ``path`` and renamed into place, so a failure never
    leaves a half-written workbook.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        Sheet name -> frame; names are made valid with :func:`excel_sheet_name`.
    path : path-like
        Destination ``.xlsx`` file.
    money_columns : sequence of str, optional
        Money columns (in any sheet). Default: every float or decimal column not
        listed as a percentage.
    percent_columns, date_columns : sequence of str
        Fraction columns shown as percentages; columns to write as dates (columns
        of ``date``/``datetime`` values are detected anyway).
    day_columns : sequence of str
        Day counts (DSO, days late), shown with one decimal and not taken for money.

    Returns
    -------
    Path
        ``path``.
    """
    if not frames:
        raise ValueError("to_excel: no frames given; a workbook needs at least one sheet")
    path = Path(path)
    percent, dates, days = set(percent_columns), set(date_columns), set(day_columns)
    # Convert every frame before the file is opened: a bad value fails here, not mid-write.
    sheets: dict[str, tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]] = {}
    for name, frame in frames.items():
        if money_columns is not None:
            money = set(money_columns)
        else:
            money = {c for c in frame.columns if _is_money_dtype(frame[c])}
        data, formats = _excel_ready(frame, money - percent - days, percent, dates)
        sheets[excel_sheet_name(name, sheets)] = (frame, data, formats)

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        import xlsxwriter

        # text stays text: a customer name like "=HYPERLINK(...)" must not become a formula
        workbook = xlsxwriter.Workbook(
            str(tmp),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        )
        for sheet, (frame, data, formats) in sheets.items():
            _write_sheet(workbook, sheet, frame, data, formats)
        workbook.close()
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path
