"""Readers: every source becomes an Arrow table of text plus the row numbers it came from.

Values are read as text and parsed later, column-wise, so a value that does not
parse becomes a reject that quotes it instead of a reader crash. Each row keeps
its position in the source: the physical line of a CSV (header = line 1 of a
file without a title), the sheet row of a workbook, the record number of a
Parquet file or query result.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arkit.errors import InputError

__all__ = ["RawSource", "SUPPORTED_SUFFIXES", "expand_sources", "read_file", "read_database"]

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".parquet", ".pq")
_HEADER_SEARCH_ROWS = 30
_DELIMITERS = ",;\t|"
_FLOAT_DECIMALS = 9
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass
class RawSource:
    """One table-shaped source read as text.

    Attributes
    ----------
    label : str
        How messages name the source: the file name (with ``#sheet`` for a
        workbook sheet) or ``db:<table or query name>``.
    data : pyarrow.Table
        Every column as text with its source header; empty cells are ``""``.
    rows : numpy.ndarray
        Source row number of each row of ``data``.
    info : dict
        What the manifest records: path, format, encoding, checksum, sheet, header row.
    table : str or None
        Canonical table named by the user (``invoices=PATH``), else detected later.
    """

    label: str
    data: pa.Table
    rows: np.ndarray
    info: dict = field(default_factory=dict)
    table: str | None = None


# -- source specs -------------------------------------------------------------------------
def expand_sources(specs: list[str], tables: tuple[str, ...]) -> list[tuple[str | None, Path, str]]:
    """Turn ``[table=]PATH[#sheet]`` specs into (table, file, sheet) triples.

    A directory stands for its top-level files with a supported extension, so
    ground truth kept in a subfolder is not read.
    """
    out: list[tuple[str | None, Path, str]] = []
    for spec in specs:
        table, _, rest = spec.partition("=") if _looks_named(spec, tables) else (None, "", spec)
        path_text, _, sheet = rest.partition("#")
        path = Path(path_text)
        if path.is_dir():
            files = sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
            if not files:
                raise InputError(
                    f"{path}: folder has no {', '.join(SUPPORTED_SUFFIXES)} files at its top level"
                )
            out.extend((table, p, "") for p in files)
        elif path.exists():
            out.append((table, path, sheet))
        else:
            raise InputError(f"{path}: no such file or folder")
    return out


def _looks_named(spec: str, tables: tuple[str, ...]) -> bool:
    name, sep, _ = spec.partition("=")
    if sep and name not in tables and re.fullmatch(r"[a-z_]+", name):
        raise InputError(f"{spec}: unknown table {name!r} (tables: {', '.join(tables)})")
    return bool(sep) and name in tables


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_file(
    path: Path, sheet: str, header_score: Callable[[list[str]], int], table: str | None = None
) -> RawSource:
    """Read one file by its extension.

    ``header_score`` counts the recognised headers of a candidate row; the row
    scoring highest among the first rows is the header, so title lines above it
    are skipped.
    """
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise InputError(f"{path}: file is empty")
    if suffix in (".xlsx", ".xlsm"):
        source = _read_xlsx(path, sheet, header_score)
    elif suffix == ".xls":
        source = _read_xls(path, sheet, header_score)
    elif suffix in (".parquet", ".pq"):
        source = _read_parquet(path)
    elif suffix in (".csv", ".tsv", ".txt"):
        source = _read_csv(path, header_score)
    else:
        raise InputError(
            f"{path}: unsupported file type {suffix or '(none)'}; "
            f"use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    source.table = table
    if "sha256" not in source.info:  # the CSV reader hashed the bytes it had read already
        source.info["sha256"] = _sha256(path)
    source.info.update(path=str(path), bytes=path.stat().st_size)
    return source


# -- CSV ----------------------------------------------------------------------------------
def _decode_head(path: Path, raw: bytes) -> tuple[str, str]:
    """Guess the encoding from the start of the file: UTF-8 (BOM or not), else GB18030.

    Only the head is decoded here; Arrow validates the rest of a UTF-8 file while it
    parses, and :func:`_read_csv` falls back to GB18030 if that fails.
    """
    if b"\x00" in raw[:65536]:
        raise InputError(f"{path}: binary content, not a text CSV file (is it a renamed file?)")
    head = raw[:65536]
    if len(raw) > len(head):
        head = head[: head.rfind(b"\n") + 1] or head
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError as exc:
            position = exc.start
            continue
        if encoding == "utf-8" and text.startswith("\ufeff"):
            return text[1:], "utf-8-sig"
        return text, encoding
    raise InputError(
        f"{path}: text is neither UTF-8 nor GBK/GB18030 (undecodable byte at offset "
        f"{position}); re-export as UTF-8"
    )


def _transcode(path: Path, raw: bytes) -> bytes:
    try:
        return raw.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: text is neither UTF-8 nor GBK/GB18030 (undecodable byte at offset "
            f"{exc.start}); re-export as UTF-8"
        ) from None


def _find_header(rows: list[list[str]], header_score: Callable[[list[str]], int]) -> int:
    scores = [header_score(r) for r in rows[:_HEADER_SEARCH_ROWS]]
    best = max(scores, default=0)
    return scores.index(best) if best >= 2 else 0


def _unique(headers: list[str]) -> list[str]:
    """Blank and repeated headers get a position suffix so every column keeps a name."""
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers):
        name = h.strip() or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def _line_ends(
    buffer: np.ndarray, quoted: bool, block: int = 1 << 22
) -> tuple[np.ndarray, np.ndarray]:
    r"""Offsets of the line feeds, and whether an odd number of quotes precedes each.

    Scanned in blocks (4 MiB) so the temporaries stay small (a block loop, not a row
    loop); the quote parity carries from one block to the next.

    >>> ends, odd = _line_ends(np.frombuffer(b'a,"x\ny"\nb,z\n', np.uint8), True, block=3)
    >>> ends.tolist(), odd.tolist()
    ([4, 7, 11], [True, False, False])
    """
    ends, odd = [], []
    carry = 0
    for start in range(0, len(buffer), block):
        chunk = buffer[start : start + block]
        feeds = np.flatnonzero(chunk == 10)
        ends.append(feeds + start)
        if quoted:
            # quotes before each feed, by binary search among the quote offsets: cheaper
            # than a running parity over every byte
            quotes = np.flatnonzero(chunk == 34)
            odd.append(((np.searchsorted(quotes, feeds) + carry) & 1).astype(bool))
            carry += len(quotes)
        else:
            odd.append(np.zeros(len(feeds), dtype=bool))
    if not ends:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    return np.concatenate(ends), np.concatenate(odd)


def _read_csv(path: Path, header_score: Callable[[list[str]], int]) -> RawSource:
    import pyarrow.csv as pcsv

    body = path.read_bytes()
    checksum = hashlib.sha256(body).hexdigest()
    utf16 = body.startswith(_UTF16_BOMS)
    if utf16:  # Excel's "Unicode text" export
        body = body.decode("utf-16").encode("utf-8")
    head, encoding = _decode_head(path, body)
    encoding = "utf-16" if utf16 else encoding
    if not head.strip():
        raise InputError(f"{path}: file is empty")
    if encoding == "gb18030":
        body = _transcode(path, body)
    elif encoding == "utf-8-sig":
        body = body[3:]
    head_lines = head.splitlines()[:_HEADER_SEARCH_ROWS]
    try:
        delimiter = csv.Sniffer().sniff("\n".join(head_lines[:10]), _DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    head_rows = list(csv.reader(head_lines, delimiter=delimiter))
    header_index = _find_header(head_rows, header_score)
    headers = _unique(head_rows[header_index])
    # Physical line where each record starts. The parser skips blank lines, and a line
    # break inside quotes continues a record: there the count of quotes so far is odd.
    buffer = np.frombuffer(body, dtype=np.uint8)
    line_ends, odd_quotes_at_end = _line_ends(buffer, quoted=b'"' in body)
    starts = np.concatenate(([0], line_ends + 1))
    ends = np.concatenate((line_ends, [len(buffer)]))
    blank = (ends - starts) - (buffer[np.maximum(ends - 1, 0)] == 13) * (ends > starts) <= 0
    inside_quotes = np.concatenate(([False], odd_quotes_at_end))
    quoted_breaks = bool(odd_quotes_at_end.any())
    line_numbers = np.flatnonzero(~blank & ~inside_quotes) + 1
    line_numbers = line_numbers[line_numbers > line_numbers[header_index]]
    bad_rows: list[str] = []

    def on_invalid(row) -> str:
        number = row.number
        if number is None:  # the parser does not always know; find the text in the file
            offset = body.find(row.text.encode("utf-8"))
            number = body.count(b"\n", 0, offset) + 1 if offset >= 0 else None
        where = f"line {number}" if number is not None else "a line"
        bad_rows.append(
            f"{path}: {where} has {row.actual_columns} fields where the header has "
            f"{row.expected_columns} (truncated or misquoted file?): {row.text[:60]!r}"
        )
        return "error"

    def parse(data: bytes) -> pa.Table:
        # an Arrow buffer, not a Python file object: the parser reads it without the GIL
        return pcsv.read_csv(
            pa.BufferReader(pa.py_buffer(data)),
            read_options=pcsv.ReadOptions(skip_rows=header_index + 1, column_names=headers),
            parse_options=pcsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=quoted_breaks,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={h: pa.string() for h in headers},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )

    try:
        try:
            table = parse(body)
        except pa.ArrowInvalid as exc:
            if not encoding.startswith("utf-8") or "UTF8" not in str(exc) or bad_rows:
                raise
            # valid UTF-8 at the top, not further down: a GBK file whose head is ASCII
            body, encoding = _transcode(path, body), "gb18030"
            table = parse(body)
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        if bad_rows:
            raise InputError(bad_rows[0]) from None
        first = str(exc).splitlines()[0]
        raise InputError(f"{path}: cannot be read as CSV ({first})") from None
    if len(line_numbers) != table.num_rows:
        # Quoting the line count cannot follow (a stray quote): number the records instead.
        line_numbers = np.arange(table.num_rows, dtype=np.int64) + header_index + 2
    info = {"format": "csv", "encoding": encoding, "delimiter": delimiter, "sha256": checksum}
    info["header_row"] = header_index + 1
    return RawSource(path.name, table, line_numbers.astype(np.int64), info)


# -- workbooks ------------------------------------------------------------------------------
def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        # round away binary noise of formulas (1234.5600000000002) but keep real decimals
        return str(int(value)) if value.is_integer() else repr(round(value, _FLOAT_DECIMALS))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _sheet_table(
    path: Path, sheet_name: str, cells: list[list[str]], header_score
) -> tuple[pa.Table, np.ndarray, int]:
    """Header detection and column building shared by the .xlsx and .xls readers."""
    if not any(any(c for c in r) for r in cells):
        raise InputError(f"{path}#{sheet_name}: sheet is empty")
    header_index = _find_header(cells, header_score)
    headers = _unique(cells[header_index])
    body = [(i, r) for i, r in enumerate(cells) if i > header_index and any(c for c in r)]
    width = len(headers)
    columns = [[(r[j] if j < len(r) else "") for _, r in body] for j in range(width)]
    rows = np.array([i + 1 for i, _ in body], dtype=np.int64)
    table = pa.table(
        {h: pa.array(col, type=pa.string()) for h, col in zip(headers, columns, strict=True)}
    )
    return table, rows, header_index + 1


def _pick_sheet(path: Path, names: list[str], sheet: str) -> str:
    if not sheet:
        return names[0]
    if sheet not in names:
        raise InputError(f"{path}: no sheet named {sheet!r} (sheets: {', '.join(names)})")
    return sheet


def _read_xlsx(path: Path, sheet: str, header_score) -> RawSource:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise InputError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    try:
        name = _pick_sheet(path, book.sheetnames, sheet)
        cells = [[_cell_text(v) for v in row] for row in book[name].iter_rows(values_only=True)]
    finally:
        book.close()
    table, rows, header_row = _sheet_table(path, name, cells, header_score)
    info = {"format": "xlsx", "sheet": name, "header_row": header_row}
    return RawSource(f"{path.name}#{name}", table, rows, info)


def _read_xls(path: Path, sheet: str, header_score) -> RawSource:
    import xlrd

    try:
        book = xlrd.open_workbook(path)
    except (xlrd.XLRDError, OSError, AssertionError, IndexError) as exc:
        raise InputError(f"{path}: not a readable legacy .xls workbook ({exc})") from None
    name = _pick_sheet(path, book.sheet_names(), sheet)
    ws = book.sheet_by_name(name)

    def text(cell) -> str:
        if cell.ctype == xlrd.XL_CELL_DATE:
            return _cell_text(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return _cell_text(bool(cell.value))
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
            return ""
        return _cell_text(cell.value)

    cells = [[text(c) for c in ws.row(i)] for i in range(ws.nrows)]
    table, rows, header_row = _sheet_table(path, name, cells, header_score)
    info = {"format": "xls", "sheet": name, "header_row": header_row}
    return RawSource(f"{path.name}#{name}", table, rows, info)


# -- typed sources ----------------------------------------------------------------------------
def _as_text(table: pa.Table) -> pa.Table:
    """Typed columns (Parquet, database) as text the value parsers read back exactly."""
    columns = {}
    for name, column in zip(
        _unique([str(n) for n in table.column_names]), table.columns, strict=True
    ):
        if pa.types.is_timestamp(column.type):
            column = column.cast(pa.date64()).cast(pa.date32())
        if pa.types.is_floating(column.type):
            # Arrow writes a double as the shortest text that reads back to it (0.1 stays
            # "0.1"); rounding first drops the noise of computed values (0.30000000000000004)
            column = pc.round(column, _FLOAT_DECIMALS)
        text = column.cast(pa.string()) if not pa.types.is_string(column.type) else column
        columns[name] = pc.fill_null(text, "")
    return pa.table(columns)


def _read_parquet(path: Path) -> RawSource:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(
            f"{path}: not a readable Parquet file ({str(exc).splitlines()[0]})"
        ) from None
    rows = np.arange(1, table.num_rows + 1, dtype=np.int64)
    return RawSource(path.name, _as_text(table), rows, {"format": "parquet"})


_ENV_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_url(url: str) -> str:
    """Substitute ``${VAR}`` from the environment, so passwords never sit in params files.

    >>> os.environ["ARKIT_DOCTEST_PW"] = "s3cret"
    >>> expand_url("postgresql://ar:${ARKIT_DOCTEST_PW}@db/erp")
    'postgresql://ar:s3cret@db/erp'
    """

    def value(match: re.Match[str]) -> str:
        name = match[1]
        if name not in os.environ:
            raise InputError(f"database URL: environment variable {name} is not set")
        return os.environ[name]

    return _ENV_VAR.sub(value, url)


def masked_url(url: str) -> str:
    """The URL as it may be shown or stored: password hidden, ``${VAR}`` left unexpanded.

    >>> masked_url("postgresql://ar:s3cret@db/erp")
    'postgresql://ar:***@db/erp'
    >>> masked_url("sqlite:///${DATA}/erp.db")
    'sqlite:///${DATA}/erp.db'
    """
    return re.sub(r"^([^:/]+://[^:/@]*:)[^@]*@", r"\1***@", url)


def read_database(url: str, table: str, name: str, query: str | None) -> RawSource:
    """Read one ledger table from a database table or query through SQLAlchemy."""
    import pandas as pd
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    shown = masked_url(url)
    try:
        parsed = make_url(expand_url(url))
    except ArgumentError:
        raise InputError(f"database URL {shown}: not a valid SQLAlchemy URL") from None
    local_file = parsed.database not in (None, "", ":memory:")
    if parsed.get_backend_name() == "sqlite" and local_file and not Path(parsed.database).is_file():
        raise InputError(f"database URL {shown}: no such SQLite file {parsed.database}")
    try:
        engine = sa.create_engine(parsed)
    except (NoSuchModuleError, ArgumentError, ImportError) as exc:
        raise InputError(f"database URL {shown}: no driver for it ({exc})") from None
    statement = sa.text(query) if query else sa.select(sa.text("*")).select_from(sa.table(name))
    try:
        with engine.connect() as con:
            frame = pd.read_sql(statement, con, dtype_backend="pyarrow")
    except (SQLAlchemyError, pd.errors.DatabaseError) as exc:
        cause = exc.__cause__ if isinstance(exc, pd.errors.DatabaseError) else exc
        first = str(getattr(cause, "orig", None) or cause or exc).splitlines()[0]
        what = "query" if query else f"table {name}"
        raise InputError(f"database {shown}, {what} for {table}: {first}") from None
    finally:
        engine.dispose()
    data = _as_text(pa.Table.from_pandas(frame, preserve_index=False))
    rows = np.arange(1, data.num_rows + 1, dtype=np.int64)
    label = f"db:{name if not query else table + ' query'}"
    info = {"format": "database", "url": shown, "table": None if query else name, "query": query}
    return RawSource(label, data, rows, info, table)
