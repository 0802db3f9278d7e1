"""The ingest run: read sources, tell which table each holds, validate, write the folder."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from arkit._schema import SCHEMA_VERSION, TABLES
from arkit.errors import InputError
from arkit.ingest._headers import (
    HeaderMatch,
    closest_headers,
    load_mapping,
    match_headers,
    normalise_header,
)
from arkit.ingest._readers import RawSource, expand_sources, read_database, read_file
from arkit.ingest._result import IngestResult
from arkit.ingest._validate import REJECTS_SCHEMA, Options, TableOutcome, validate_tables
from arkit.ingest._values import parse_currencies

__all__ = ["ingest"]

log = logging.getLogger("arkit.ingest")
_ALWAYS_WRITTEN = ("customers", "invoices", "payments")


def _score_headers(mapping: dict[str, dict[str, str]]):
    def score(row: list[str]) -> int:
        cells = [c for c in row if c and str(c).strip()]
        if len(cells) < 2:
            return 0
        return max(len(match_headers(cells, t, mapping.get(t)).columns) for t in TABLES)

    return score


def _closest_note(headers: list[str], table: str, missing: Iterable[str]) -> str:
    notes = []
    for column in missing:
        near = closest_headers(headers, column, table)
        notes.append(
            f"{column} (closest headers: {', '.join(repr(h) for h in near)})"
            if near
            else f"{column} (no similar header)"
        )
    return "; ".join(notes)


def _unmapped(headers: list[str], match: HeaderMatch) -> list[str]:
    """Headers not yet used, the only sensible suggestions for a missing column."""
    used = set(match.columns.values())
    return [h for h in headers if h not in used]


def _assign(source: RawSource, mapping: dict[str, dict[str, str]]) -> HeaderMatch:
    """Decide which table a source holds: named by the user, else by its headers."""
    headers = source.data.column_names
    where = source.info.get("path", source.label)
    if source.info.get("sheet"):
        where = f"{where}#{source.info['sheet']}"
    if source.table is not None:
        match = match_headers(headers, source.table, mapping.get(source.table))
        _check_mapping(source, where, mapping.get(source.table, {}), source.table)
        if match.missing:
            raise InputError(
                f"{where}: {source.table} needs column(s) it does not have: "
                f"{_closest_note(_unmapped(headers, match), source.table, match.missing)}; "
                "name the headers in a mapping file (--mapping)"
            )
        return match
    matches = [match_headers(headers, t, mapping.get(t)) for t in TABLES]
    complete = [m for m in matches if m.complete]
    stem = Path(str(source.info.get("path", ""))).stem.lower()
    if complete:
        best = max(
            complete,
            key=lambda m: (len(TABLES[m.table].required), len(m.columns), m.table == stem),
        )
        _check_mapping(source, where, mapping.get(best.table, {}), best.table)
        return best
    for table, columns in mapping.items():
        _check_mapping(source, where, columns, table, only_if_partial=True)
    best = max(matches, key=lambda m: (m.table == stem, len(m.columns) - len(m.missing)))
    raise InputError(
        f"{where}: cannot tell which ledger table this is; closest is {best.table}, "
        f"missing {_closest_note(_unmapped(headers, best), best.table, best.missing)}; "
        f"name the headers in a mapping file (--mapping) or the table ({best.table}=PATH)"
    )


def _check_mapping(
    source: RawSource, where: str, columns: dict[str, str], table: str, only_if_partial=False
) -> None:
    headers = source.data.column_names
    present = {normalise_header(h) for h in headers}
    absent = {c: h for c, h in columns.items() if normalise_header(h) not in present}
    if only_if_partial and len(absent) == len(columns):
        return  # the mapping is for some other file
    for column, header in absent.items():
        near = closest_headers(headers, header, table) or closest_headers(headers, column, table)
        hint = f"; closest headers: {', '.join(repr(h) for h in near)}" if near else ""
        raise InputError(
            f"{where}: mapping says {table}.{column} is header {header!r}, "
            f"which the file does not have{hint}"
        )


def _named(named: Mapping[str, str | Path] | None) -> list[str]:
    out = []
    for table, path in (named or {}).items():
        if table not in TABLES:
            raise InputError(f"unknown table {table!r} (tables: {', '.join(TABLES)})")
        out.append(f"{table}={path}")
    return out


def _read_all(
    sources: Iterable[str | Path],
    named: Mapping[str, str | Path] | None,
    mapping: dict[str, dict[str, str]],
    db: str | None,
    db_tables: Mapping[str, str] | None,
    db_queries: Mapping[str, str] | None,
) -> list[RawSource]:
    specs = [str(s) for s in sources] + _named(named)
    score = _score_headers(mapping)
    files = expand_sources(specs, tuple(TABLES))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        raw = list(pool.map(lambda spec: read_file(spec[1], spec[2], score, spec[0]), files))
    if (db_tables or db_queries) and not db:
        raise InputError("--db-table/--db-query given without a database URL (--db)")
    if db:
        if not (db_tables or db_queries):
            raise InputError("--db given without --db-table TABLE=NAME or --db-query TABLE=SQL")
        for table in {**(db_tables or {}), **(db_queries or {})}:
            if table not in TABLES:
                raise InputError(f"database: unknown ledger table {table!r}")
        for table, name in (db_tables or {}).items():
            raw.append(read_database(db, table, name, None))
        for table, query in (db_queries or {}).items():
            raw.append(read_database(db, table, table, query))
    if not raw:
        raise InputError("no source given: name files, a folder, or a database (--db)")
    return raw


def _currency_option(value: str | None, name: str) -> str | None:
    if not value:
        return None
    code = parse_currencies([value])[0].as_py()
    if code is None:
        raise InputError(f"{name}: {value!r} is not a currency code such as CNY or USD")
    return code


def _source_record(source: RawSource, match: HeaderMatch) -> dict:
    record = {"label": source.label, "table": match.table, "rows": source.data.num_rows}
    record.update({k: v for k, v in source.info.items() if v is not None})
    record["columns"] = match.columns
    return record


def _check_reconciled(name: str, stats: dict) -> None:
    """Rows and money must add up exactly; a mismatch is a bug in arkit, not in the data."""
    parts = stats["rows_clean"] + stats["rows_rejected"] + stats["rows_merged"]
    if parts != stats["rows_read"]:
        raise AssertionError(f"{name}: rows do not reconcile: {stats}")
    for column, money in stats["money"].items():
        total = Decimal(money["clean"]) + Decimal(money["rejected"]) + Decimal(money["merged"])
        if total != Decimal(money["read"]):
            raise AssertionError(f"{name}.{column}: money does not reconcile: {money}")


def _write_folder(out: Path, outcomes: dict[str, TableOutcome], manifest: dict) -> None:
    """Build the folder beside ``out`` and rename it into place only once complete."""
    from arkit._schema import arrow_schema

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        files = {
            f"{name}.parquet": (
                outcomes[name].clean if name in outcomes else arrow_schema(name).empty_table()
            ).cast(arrow_schema(name))
            for name in dict.fromkeys([*_ALWAYS_WRITTEN, *outcomes])
        }
        rejects = [o.rejects for o in outcomes.values() if o.rejects.num_rows]
        files["rejects.parquet"] = (
            pa.concat_tables(rejects) if rejects else REJECTS_SCHEMA.empty_table()
        )
        # Arrow releases the GIL while it encodes, so files are written side by side.
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            for done in [pool.submit(pq.write_table, t, tmp / f) for f, t in files.items()]:
                done.result()
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8"
        )
        if out.exists():
            if not (out / "manifest.json").exists() and any(out.iterdir()):
                raise InputError(
                    f"{out}: exists and is not a ledger folder; refusing to replace it"
                )
            old = out.with_name(f".{out.name}.old-{os.getpid()}")
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def ingest(
    *sources: str | Path,
    out: str | Path,
    mapping: str | Path | None = None,
    tables: Mapping[str, str | Path] | None = None,
    db: str | None = None,
    db_tables: Mapping[str, str] | None = None,
    db_queries: Mapping[str, str] | None = None,
    dayfirst: bool = False,
    decimal: str = ".",
    thousands: str = ",",
    default_currency: str | None = None,
    reporting_currency: str | None = None,
    run_date: str | dt.date | None = None,
) -> IngestResult:
    """Read ERP exports into a clean ledger folder, with every bad row kept in rejects.

    Parameters
    ----------
    *sources : str or Path
        Files (CSV in UTF-8/GBK, XLSX, XLS, Parquet), folders (their top-level
        files) or ``table=PATH`` to name the table; ``PATH#Sheet`` picks a sheet.
    out : str or Path
        The clean ledger folder; replaced only once the new one is complete.
    mapping : str or Path, optional
        YAML ``{table: {canonical_column: "source header"}}`` for headers arkit
        does not recognise.
    tables : mapping, optional
        Table name -> file, the same as ``table=PATH`` sources.
    db : str, optional
        SQLAlchemy URL; ``${VAR}`` is taken from the environment, so passwords
        stay out of files. The password is never written to outputs.
    db_tables, db_queries : mapping, optional
        Ledger table -> database table name, or -> SQL query.
    dayfirst : bool
        Read ``05/03/2026`` as 5 March.
    decimal, thousands : str
        Separators of amounts (``","`` and ``"."`` for ``1.234,50``).
    default_currency : str, optional
        Currency of documents that have none (else the customer's); counted.
    reporting_currency : str, optional
        When set, documents in another currency need a rate in ``fx_rates``.
    run_date : str or date, optional
        Date the "more than a year ahead" check counts from (default today).

    Returns
    -------
    IngestResult

    Raises
    ------
    arkit.errors.InputError
        A source cannot be read or recognised; nothing is written then.
    """
    from arkit._version import __version__

    if decimal == thousands:
        raise InputError(f"--decimal and --thousands are both {decimal!r}; they must differ")
    try:
        today = dt.date.fromisoformat(str(run_date)) if run_date else dt.date.today()
    except ValueError:
        raise InputError(f"run_date: {run_date!r} is not a date (use YYYY-MM-DD)") from None
    options = Options(
        dayfirst=dayfirst,
        decimal=decimal,
        thousands=thousands,
        default_currency=_currency_option(default_currency, "default_currency"),
        reporting_currency=_currency_option(reporting_currency, "reporting_currency"),
        run_date=today,
    )
    mapping_data = load_mapping(mapping)
    raw = _read_all(sources, tables, mapping_data, db, db_tables, db_queries)
    parts: dict[str, list[tuple[RawSource, HeaderMatch]]] = {}
    records = []
    for source in raw:
        match = _assign(source, mapping_data)
        parts.setdefault(match.table, []).append((source, match))
        records.append(_source_record(source, match))
        log.info("%s: %s rows of %s", source.label, f"{source.data.num_rows:,}", match.table)
    for needed in ("customers", "invoices"):
        if needed not in parts:
            found = ", ".join(f"{r['label']} = {r['table']}" for r in records)
            raise InputError(
                f"no {needed} table among the sources ({found}); add the {needed} export "
                f"or name it {needed}=PATH"
            )
    outcomes = validate_tables(parts, options)
    for name, outcome in outcomes.items():
        _check_reconciled(name, outcome.stats)
    by_reason: dict[str, int] = {}
    for outcome in outcomes.values():
        for code, n in outcome.stats["reasons"].items():
            by_reason[code] = by_reason.get(code, 0) + n
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "arkit_version": __version__,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "run_date": today.isoformat(),
        "options": {
            "dayfirst": dayfirst,
            "decimal": decimal,
            "thousands": thousands,
            "default_currency": options.default_currency,
            "reporting_currency": options.reporting_currency,
            "mapping": str(mapping) if mapping else None,
        },
        "sources": records,
        "tables": {
            name: {
                "rows": outcome.stats["rows_clean"],
                "money": {c: m["clean"] for c, m in outcome.stats["money"].items()},
            }
            for name, outcome in outcomes.items()
        },
        "reconciliation": {name: outcome.stats for name, outcome in outcomes.items()},
        "rejects": {
            "rows": sum(o.rejects.num_rows for o in outcomes.values()),
            "by_reason": dict(sorted(by_reason.items())),
        },
    }
    folder = Path(out)
    _write_folder(folder, outcomes, manifest)
    return IngestResult(folder, manifest)
