"""Column-wise parsers for the values ERP exports contain: amounts, dates, flags, codes.

Every parser takes a column of text (anything :func:`pyarrow.array` accepts) and
returns an Arrow array of the canonical type, with null wherever the text is empty
*or* cannot be read. Callers tell the two apart by looking at the raw text, so a
parser never decides whether a value is required. Parsing is vectorised with
``pyarrow.compute`` (dates that are not all ISO also with one DuckDB query); there is
no Python loop over rows.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arkit._schema import MONEY

__all__ = [
    "parse_amounts",
    "parse_dates",
    "parse_booleans",
    "parse_currencies",
    "parse_doc_types",
    "parse_integers",
    "parse_floats",
    "normalise_text",
]

# Excel counts days from 1899-12-30 (its 1900 leap-year bug included), Unix from 1970-01-01.
_EXCEL_EPOCH_OFFSET = 25569
_FIRST_DAY_OF_YEAR_1 = -719162  # 0001-01-01, the first date Python can represent
_FULL_WIDTH = "[\uff01-\uff5e\u3000]"
_MAX_INTEGER_DIGITS = MONEY.precision - MONEY.scale

_CURRENCY_NAMES = {
    "RMB": "CNY",
    "人民币": "CNY",
    "¥": "CNY",
    "￥": "CNY",
    "元": "CNY",
    "美元": "USD",
    "$": "USD",
    "US$": "USD",
    "欧元": "EUR",
    "€": "EUR",
    "港币": "HKD",
    "港元": "HKD",
    "HK$": "HKD",
    "英镑": "GBP",
    "£": "GBP",
    "日元": "JPY",
}

_DOC_TYPES = {
    "invoice": "invoice",
    "inv": "invoice",
    "发票": "invoice",
    "销售发票": "invoice",
    "蓝字发票": "invoice",
    "creditnote": "credit_note",
    "credit": "credit_note",
    "cn": "credit_note",
    "crn": "credit_note",
    "红字发票": "credit_note",
    "贷项通知单": "credit_note",
    "红冲": "credit_note",
    "退货": "credit_note",
    "debitnote": "debit_note",
    "debit": "debit_note",
    "dn": "debit_note",
    "借项通知单": "debit_note",
    "writeoff": "write_off",
    "wo": "write_off",
    "核销": "write_off",
    "坏账核销": "write_off",
    "坏账": "write_off",
}

_ASCII_SPACE = np.isin(np.arange(256), [ord(c) for c in " \t\n\v\f\r"])
_TRUE = ("yes", "y", "true", "t", "1", "是", "有", "√")
_FALSE = ("no", "n", "false", "f", "0", "否", "无", "×")


def _text(values) -> pa.Array:
    """Any column-like input as one Arrow string array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    elif not isinstance(values, pa.Array):
        values = pa.array(list(values) if not hasattr(values, "__array__") else values)
    if not pa.types.is_string(values.type):
        values = values.cast(pa.string())
    return values


def _np(mask: pa.Array) -> np.ndarray:
    return np.asarray(pc.fill_null(mask, False).to_numpy(zero_copy_only=False), dtype=bool)


def normalise_text(values) -> pa.Array:
    """Trim whitespace, fold full-width characters (NFKC) and turn empty text into null.

    >>> normalise_text([" A1 ", "", "ＡＢ１", None]).to_pylist()
    ['A1', None, 'AB1', None]
    """
    text = _text(values)
    ascii_edges = _ascii_edges(text)
    if ascii_edges is not None:
        # trimming copies every string: only a column with a padded value pays for it
        return _null_if_empty(pc.ascii_trim_whitespace(text) if ascii_edges.any() else text)
    if pc.all(pc.string_is_ascii(text)).as_py() is not False:
        return _null_if_empty(pc.ascii_trim_whitespace(text))
    text = pc.utf8_trim_whitespace(text)
    if not _may_hold_full_width(text):
        return _null_if_empty(text)
    # NFKC is costly; only the rows holding full-width forms need it (２０２６, ＡＢ, 　)
    wide = pc.fill_null(pc.match_substring_regex(text, _FULL_WIDTH), False)
    if pc.any(wide).as_py():
        folded = pc.utf8_trim_whitespace(pc.utf8_normalize(text.filter(wide), "NFKC"))
        text = pc.replace_with_mask(text, wide, folded)
    return _null_if_empty(text)


def _string_buffers(text: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """Offsets and bytes of an unsliced string array as numpy views (None when sliced)."""
    if text.offset:
        return None
    _, offsets, data = text.buffers()
    starts_ends = np.frombuffer(offsets, np.int32, len(text) + 1)
    body = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    return starts_ends, body


def _only(text: pa.Array, keep: np.ndarray) -> pa.Array:
    """``text`` with null outside ``keep``; unsliced text keeps its strings, uncopied.

    >>> _only(pa.array(["a", "b", None]), np.array([False, True, True])).to_pylist()
    [None, 'b', None]
    """
    buffers = _string_buffers(text)
    if buffers is None:
        return pc.if_else(pa.array(keep), text, pa.scalar(None, pa.string()))
    if text.null_count:
        keep = keep & _np(pc.is_valid(text))
    validity = pa.py_buffer(np.packbits(keep, bitorder="little"))
    _, offsets, data = text.buffers()
    return pa.Array.from_buffers(pa.string(), len(text), [validity, offsets, data])


def _may_hold_full_width(text: pa.Array) -> bool:
    """Whether the bytes hold a character of :data:`_FULL_WIDTH` (True when sliced).

    A byte scan instead of a regular expression over every row: Chinese exports are
    mostly free of full-width forms (the ￥ sign is not one of them).

    >>> _may_hold_full_width(pa.array(["￥1,234.50", "2026年3月5日"]))
    False
    >>> _may_hold_full_width(pa.array(["２０２６"])), _may_hold_full_width(pa.array(["a\u3000b"]))
    (True, True)
    """
    buffers = _string_buffers(text)
    if buffers is None:
        return True
    offsets, body = buffers
    body = body[offsets[0] : offsets[-1]]
    # U+FF01-U+FF5E are EF BC 81-BF and EF BD 80-9E in UTF-8; U+3000 is E3 80 80
    lead = np.flatnonzero(body[:-2] == 0xEF)
    second, third = body[lead + 1], body[lead + 2]
    wide_form = ((second == 0xBC) & (third >= 0x81)) | ((second == 0xBD) & (third <= 0x9E))
    ideographic_space = (body[:-2] == 0xE3) & (body[1:-1] == 0x80) & (body[2:] == 0x80)
    return bool(wide_form.any() or ideographic_space.any())


def _holds_non_ascii(text: pa.Array) -> bool:
    """Whether an unsliced string array has a byte outside ASCII (False when sliced).

    >>> _holds_non_ascii(pa.array(["2026-03-05", "2026年3月5日"])), _holds_non_ascii(pa.array(["a"]))
    (True, False)
    """
    buffers = _string_buffers(text)
    if buffers is None:
        return False
    offsets, body = buffers
    return bool((body[offsets[0] : offsets[-1]] >= 128).any())


def _ascii_edges(text: pa.Array) -> np.ndarray | None:
    """Whether each value starts or ends with ASCII whitespace; None unless all is ASCII.

    Read from the offsets and bytes directly: two byte lookups a value instead of a
    kernel that copies every string.

    >>> _ascii_edges(pa.array([" a", "b", "", None, "c\t"])).tolist()
    [True, False, False, False, True]
    >>> _ascii_edges(pa.array(["ＡＢ"])) is None
    True
    """
    buffers = _string_buffers(text)
    if buffers is None or _holds_non_ascii(text):
        return None
    offsets, body = buffers
    lengths = np.diff(offsets)
    filled = lengths > 0
    first = body[offsets[:-1][filled]]
    last = body[offsets[1:][filled] - 1]
    edges = np.zeros(len(text), dtype=bool)
    edges[filled] = _ASCII_SPACE[first] | _ASCII_SPACE[last]
    return edges


def _null_if_empty(text: pa.Array) -> pa.Array:
    """Empty strings become null by rewriting the validity bitmap; no string is copied."""
    buffers = _string_buffers(text)
    if buffers is None:
        keep = pc.and_(pc.is_valid(text), pc.greater(pc.binary_length(text), 0))
        return pc.if_else(keep, text, pa.scalar(None, pa.string()))
    offsets, _ = buffers
    return _only(text, np.diff(offsets) > 0)


def parse_amounts(values, decimal: str = ".", thousands: str = ",") -> pa.Array:
    """Read money text as exact ``DECIMAL(18, 2)``, never through a float.

    Accepts thousands separators, a currency symbol or code before or after the
    number, accounting parentheses and a leading or trailing minus for negatives,
    and ``-`` alone for zero. More than two decimals, or text that is not a
    number, gives null.

    Parameters
    ----------
    values : array-like of str
        Amounts as exported.
    decimal, thousands : str
        Decimal and thousands separators (``","`` and ``"."`` for ``1.234,50``).

    Returns
    -------
    pyarrow.Array of decimal128(18, 2)

    >>> [str(v) for v in parse_amounts(["1,234.50", "¥1,234.50", "RMB 1,234.50",
    ...                                   "(1,234.50)", "-", "12abc"]).to_pylist()]
    ['1234.50', '1234.50', '1234.50', '-1234.50', '0.00', 'None']
    >>> [str(v) for v in parse_amounts(["-US$304.12", "(EUR 519.54)", "-HK$3,041.82"]).to_pylist()]
    ['-304.12', '-519.54', '-3041.82']
    >>> str(parse_amounts(["1.234,50"], decimal=",", thousands=".")[0].as_py())
    '1234.50'
    """
    if decimal == thousands:
        raise ValueError("decimal and thousands separators must differ")
    return _amounts(normalise_text(values), decimal, thousands)


def _amounts(text: pa.Array, decimal: str, thousands: str) -> pa.Array:
    """:func:`parse_amounts` of text already through :func:`normalise_text`."""
    d, t = re.escape(decimal), re.escape(thousands)
    # Most exports write plain numbers, or yuan amounts with thousands separators
    # (￥54,958.35); those are read by literal replacements and a cast, and only the
    # rest goes through the regular expressions below.
    fast_forms = (
        (rf"^-?\d{{1,{_MAX_INTEGER_DIGITS}}}(?:{d}\d{{1,2}})?$", ()),
        (rf"^-?[¥￥]?\d{{1,3}}(?:{t}\d{{3}}){{0,4}}(?:{d}\d{{1,2}})?$", ("¥", "￥", thousands)),
    )
    for form, dropped in fast_forms:
        hit = _np(pc.fill_null(pc.match_substring_regex(text, form), True))
        if not hit.any():
            continue
        read = _only(text, hit) if not hit.all() else text
        for piece in filter(None, dropped):
            read = pc.replace_substring(read, piece, "")
        if decimal != ".":
            read = pc.replace_substring(read, decimal, ".")
        if hit.all():
            return read.cast(MONEY)
        # the rows of this form cast in place (the others masked out), the few others are
        # read apart and put back in their slots: no reordering of the whole column
        others = pa.array(~hit)
        rest = _amounts(text.filter(others), decimal, thousands)
        return pc.replace_with_mask(read.cast(MONEY), others, rest)
    text = pc.replace_substring_regex(text, r"[\s¥￥$€£元]", "")
    # each pass below costs a scan of the column: skip those the column does not need
    if pc.any(pc.match_substring_regex(text, "[A-Za-z]")).as_py():
        code = r"(?:[A-Z]{3}|(?i:rmb|cny|usd|eur|hkd|gbp|jpy))"
        # the sign or bracket may stand before the code: "-US$304.12", "(EUR 519.54)"
        text = pc.replace_substring_regex(text, rf"^([-(]?)(?:{code}|US|HK)", r"\1")
        text = pc.replace_substring_regex(text, rf"{code}(\)?)$", r"\1")
    dash_is_zero = pc.equal(text, "-")
    if pc.any(pc.match_substring(text, "(")).as_py():
        parenthesised = pc.match_substring_regex(text, r"^\(.*\)$")
        text = pc.replace_substring_regex(text, r"^\((.*)\)$", r"\1")
    else:
        parenthesised = pa.nulls(len(text), pa.bool_())
    d, t = re.escape(decimal), re.escape(thousands)
    number = (
        rf"^(?P<sign>[+-]?)(?P<whole>\d{{1,3}}(?:{t}\d{{3}})+|\d+)"
        rf"(?:{d}(?P<cents>\d{{1,2}}))?(?P<trailing>-?)$"
    )
    parts = pc.extract_regex(text, number)
    matched = parts.is_valid()
    sign, whole, cents, trailing = (parts.field(i) for i in range(4))
    whole = pc.replace_substring(whole, thousands, "")
    negative = pc.or_(
        pc.or_(pc.equal(sign, "-"), pc.equal(trailing, "-")), pc.fill_null(parenthesised, False)
    )
    # a number may carry one minus: "-(5)" or "-5-" are typing errors, not double negatives
    minus_count = pc.add(
        pc.add(
            pc.cast(pc.equal(sign, "-"), pa.int8()), pc.cast(pc.equal(trailing, "-"), pa.int8())
        ),
        pc.cast(pc.fill_null(parenthesised, False), pa.int8()),
    )
    ok = pc.and_(
        pc.and_(matched, pc.less_equal(minus_count, 1)),
        pc.less_equal(pc.utf8_length(whole), _MAX_INTEGER_DIGITS),
    )
    ok = pc.fill_null(ok, False)
    plain = pc.binary_join_element_wise(
        pc.if_else(negative, "-", ""), whole, ".", pc.if_else(pc.equal(cents, ""), "0", cents), ""
    )
    plain = pc.if_else(ok, plain, "0")
    plain = pc.if_else(pc.fill_null(dash_is_zero, False), "0", plain)
    ok = pc.or_(ok, pc.fill_null(dash_is_zero, False))
    return pc.if_else(ok, plain.cast(MONEY), pa.scalar(None, MONEY))


_ISO = r"^\d{4}-\d{2}-\d{2}(?:[ T].*)?$"
_DATE_PATTERNS = (
    r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[ T].*)?$",
    r"^(?P<y>\d{4})年\s*(?P<m>\d{1,2})月\s*(?P<d>\d{1,2})[日号]?$",
    r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$",
)
_DMY = r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4})(?:[ T].*)?$"
_SERIAL = r"^(?P<n>\d{4,5})(?:\.\d+)?$"


def _ints(text: pa.Array) -> np.ndarray:
    return pc.cast(text, pa.int64()).to_numpy(zero_copy_only=False)


def _civil_days(year: np.ndarray, month: np.ndarray, day: np.ndarray):
    """Days since 1970-01-01 of (year, month, day), and whether that date exists."""
    valid_month = (month >= 1) & (month <= 12) & (year >= 1)
    months = np.where(valid_month, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    first = months.astype("datetime64[D]").astype(np.int64)
    days_in_month = (months + 1).astype("datetime64[D]").astype(np.int64) - first
    return first + day - 1, valid_month & (day >= 1) & (day <= days_in_month)


_YMD_FORMATS = "['%Y年%m月%d日', '%Y年%m月%d号', '%Y/%m/%d', '%Y.%m.%d']"
_DAY_FIRST = "['%d/%m/%Y', '%d-%m-%Y', '%d.%m.%Y']"
_MONTH_FIRST = "['%m/%d/%Y', '%m-%d-%Y', '%m.%d.%Y']"


def _duckdb_dates(text: pa.Array, dayfirst: bool) -> pa.Array:
    """The common date forms read by DuckDB in one multi-threaded pass; null elsewhere.

    ``TRY_CAST`` reads ISO, ``TRY_STRPTIME`` the other forms; both refuse impossible
    days. Each costs seconds a million rows where it fails, so ``TRY_CAST`` runs only
    on ASCII text (as many bytes as characters; no date with 年 is ISO) and each later
    form only on the rows no earlier one read. Compact ``20260305`` must have 8 digits
    (DuckDB would also read ``2026035``).
    """
    import duckdb

    con = duckdb.connect()
    try:
        con.register("text_column", pa.table({"t": text}))
        dates = con.sql(
            f"""
            SELECT COALESCE(
                CASE WHEN strlen(t) = length(t) THEN TRY_CAST(t AS DATE) END,
                CAST(TRY_STRPTIME(t, {_YMD_FORMATS}) AS DATE),
                CASE WHEN length(t) = 8 THEN CAST(TRY_STRPTIME(t, '%Y%m%d') AS DATE) END,
                CAST(TRY_STRPTIME(t, {_DAY_FIRST if dayfirst else _MONTH_FIRST}) AS DATE)
            ) AS d
            FROM text_column
            """
        ).to_arrow_table()
    finally:
        con.close()
    dates = dates.column("d").combine_chunks()
    # DuckDB also reads years before 1 and after 9999, which no calendar date type holds
    in_range = pc.and_(
        pc.greater_equal(dates, pa.scalar(dt.date(1, 1, 1))),
        pc.less_equal(dates, pa.scalar(dt.date(9999, 12, 31))),
    )
    return pc.if_else(in_range, dates, pa.scalar(None, pa.date32()))


def _date_readers(dayfirst: bool):
    """Readers of one date form each: text -> (hit mask, days since 1970, date exists)."""

    def iso(text):  # the common form: Arrow's own parser, no capture groups
        hit = _np(pc.match_substring_regex(text, _ISO))
        day_text = pc.utf8_slice_codeunits(text.filter(pa.array(hit)), 0, 10)
        parsed = pc.strptime(day_text, format="%Y-%m-%d", unit="s", error_is_null=True)
        days = parsed.cast(pa.date32())
        # strptime rolls impossible days over (Feb 30 -> Mar 2); those do not print back
        exists = _np(pc.equal(days.cast(pa.string()), day_text))
        epoch_days = pc.fill_null(days.cast(pa.int32()), 0).to_numpy()
        return hit, epoch_days, exists & (epoch_days >= _FIRST_DAY_OF_YEAR_1)

    def pattern(regex, order=("y", "m", "d")):
        def read(text):
            parts = pc.extract_regex(text, regex)
            hit = _np(parts.is_valid())
            sub = parts.filter(pa.array(hit))
            return hit, *_civil_days(*(_ints(sub.field(name)) for name in order))

        return read

    def serial(text):
        parts = pc.extract_regex(text, _SERIAL)
        hit = _np(parts.is_valid())
        days = _ints(parts.filter(pa.array(hit)).field("n")) - _EXCEL_EPOCH_OFFSET
        return hit, days, np.ones(len(days), dtype=bool)

    dmy = pattern(_DMY, ("y", "b", "a") if dayfirst else ("y", "a", "b"))
    return (iso, *(pattern(p) for p in _DATE_PATTERNS), dmy, serial)


def parse_dates(values, dayfirst: bool = False) -> pa.Array:
    """Read calendar dates written the ways ERPs write them.

    ISO (``2026-03-05``, with or without a time), ``2026/3/5``, ``2026年3月5日``,
    ``20260305``, Excel serial numbers (``46086``), and ``05/03/2026`` — day first
    only when ``dayfirst`` is true, else month first. Impossible dates (Feb 30)
    and unreadable text give null.

    Parameters
    ----------
    values : array-like of str
    dayfirst : bool
        Read ``05/03/2026`` as 5 March rather than 3 May.

    Returns
    -------
    pyarrow.Array of date32

    >>> [d.isoformat() for d in parse_dates(["2026-03-05", "2026/3/5", "2026年3月5日",
    ...                                       "20260305", "46086"]).to_pylist()]
    ['2026-03-05', '2026-03-05', '2026-03-05', '2026-03-05', '2026-03-05']
    >>> parse_dates(["05/03/2026"], dayfirst=True)[0].as_py().isoformat()
    '2026-03-05'
    >>> parse_dates(["2026-02-30", "soon"]).to_pylist()
    [None, None]
    """
    return _dates(normalise_text(values), dayfirst)


def _dates(text: pa.Array, dayfirst: bool) -> pa.Array:
    """:func:`parse_dates` of text already through :func:`normalise_text`."""
    # An all-ISO column is read by Arrow's strict parser in one pass. It is tried only
    # on ASCII text: on Chinese dates the failing cast alone cost 0.35 s a million rows.
    if not _holds_non_ascii(text):
        try:
            return text.cast(pa.date32())
        except pa.ArrowInvalid:
            pass
    by_duckdb = _duckdb_dates(text, dayfirst)
    epoch_days = pc.fill_null(by_duckdb.cast(pa.int32()), 0).to_numpy().astype(np.int64)
    valid = _np(pc.is_valid(by_duckdb))
    # what DuckDB's formats miss (a time after the date, inner spaces, Excel serials)
    # each form is tried only on the rows no earlier form has read
    remaining = np.flatnonzero(_np(pc.is_valid(text)) & ~valid)
    for read in _date_readers(dayfirst):
        if not len(remaining):
            break
        hit, days, exists = read(text.take(pa.array(remaining)))
        rows = remaining[hit]
        epoch_days[rows], valid[rows] = days, exists
        remaining = remaining[~hit]
    return pa.array(epoch_days.astype(np.int32), type=pa.int32(), mask=~valid).cast(pa.date32())


def parse_booleans(values) -> pa.Array:
    """Read yes/no flags: Yes/No, Y/N, true/false, 1/0, 是/否.

    >>> parse_booleans(["Yes", "n", "是", "否", "1", "maybe", ""]).to_pylist()
    [True, False, True, False, True, None, None]
    """
    text = pc.utf8_lower(normalise_text(values))
    is_true = pc.is_in(text, value_set=pa.array(_TRUE))
    is_false = pc.is_in(text, value_set=pa.array(_FALSE))
    return pc.if_else(is_true, True, pc.if_else(is_false, False, pa.scalar(None, pa.bool_()))).cast(
        pa.bool_()
    )


def parse_currencies(values) -> pa.Array:
    """Read currency codes and the usual names and symbols as ISO 4217 codes.

    >>> parse_currencies(["usd", "人民币", "RMB", "¥", "EUR", "dollars"]).to_pylist()
    ['USD', 'CNY', 'CNY', 'CNY', 'EUR', None]
    """
    text = pc.utf8_upper(normalise_text(values))
    names = pa.array(list(_CURRENCY_NAMES))
    codes = pa.array(list(_CURRENCY_NAMES.values()))
    known = pc.take(codes, pc.index_in(text, value_set=names))
    text = pc.coalesce(known, text)
    iso = pc.match_substring_regex(text, r"^[A-Z]{3}$")
    return pc.if_else(iso, text, pa.scalar(None, pa.string()))


def parse_doc_types(values) -> pa.Array:
    """Read document types as ``invoice``, ``credit_note``, ``debit_note`` or ``write_off``.

    >>> parse_doc_types(["Invoice", "Credit Note", "红字发票", "write-off", "memo"]).to_pylist()
    ['invoice', 'credit_note', 'credit_note', 'write_off', None]
    """
    text = pc.replace_substring_regex(pc.utf8_lower(normalise_text(values)), r"[\s_\-.]", "")
    names = pa.array(list(_DOC_TYPES))
    return pc.take(pa.array(list(_DOC_TYPES.values())), pc.index_in(text, value_set=names))


def parse_integers(values) -> pa.Array:
    """Read whole numbers (``3``, ``3.0``); anything else gives null.

    >>> parse_integers(["3", "4.0", "x", "1.5"]).to_pylist()
    [3, 4, None, None]
    """
    parts = pc.extract_regex(normalise_text(values), r"^(?P<n>[+-]?\d{1,9})(?:\.0+)?$")
    valid = pc.fill_null(parts.is_valid(), False)
    digits = pc.if_else(valid, parts.field("n"), "0")
    return pc.if_else(valid, pc.cast(digits, pa.int32()), pa.scalar(None, pa.int32()))


def parse_floats(values) -> pa.Array:
    """Read measured quantities (not money) as float64.

    >>> parse_floats(["1,5", "2.25", "x"]).to_pylist()
    [None, 2.25, None]
    """
    text = normalise_text(values)
    ok = pc.match_substring_regex(text, r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
    return pc.if_else(
        ok, pc.cast(pc.if_else(ok, text, "0"), pa.float64()), pa.scalar(None, pa.float64())
    )
