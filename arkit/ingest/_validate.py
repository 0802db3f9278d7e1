"""Validation: parse each table column-wise, give every bad row a reason, split clean from rejects.

Each row gets at most one reason, the first that applies in this order: row-level
checks (missing key or value, unreadable date, amount or code, date out of range,
zero amount, sign, due date before invoice date), then duplicates (exact copies
merged, conflicting copies rejected: the first occurrence in source order wins),
then checks against other tables (unknown customer, due date from the customer's
terms, fx rate, unknown invoice). Tables are validated in dependency order so
that "unknown customer" means "not among the clean customers".

Everything is column-wise (Arrow compute, numpy masks, one DuckDB window query
for duplicates); messages are filled column-wise too.
"""

from __future__ import annotations

import datetime as dt
import os
import string
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from arkit._schema import MONEY, RATE, TABLES
from arkit.ingest._headers import HeaderMatch
from arkit.ingest._readers import RawSource
from arkit.ingest._reasons import MERGED, REASONS
from arkit.ingest._values import (
    _amounts,
    _dates,
    normalise_text,
    parse_booleans,
    parse_currencies,
    parse_doc_types,
    parse_floats,
    parse_integers,
)
from arkit.terms import parse_terms

__all__ = ["Options", "TableOutcome", "validate_tables", "REJECTS_SCHEMA", "ORDER"]

ORDER = (
    "customers",
    "fx_rates",
    "invoices",
    "payments",
    "promises",
    "payment_schedule",
    "invoice_lines",
    "disputes",
)
_NOUNS = {
    "customers": "customer",
    "invoices": "invoice",
    "payments": "payment",
    "promises": "promise",
    "disputes": "dispute",
    "fx_rates": "fx rate",
    "payment_schedule": "instalment",
    "invoice_lines": "invoice line",
}
_CODES = ("", *REASONS)
_CODE = {c: i for i, c in enumerate(_CODES)}
_EARLIEST = dt.date(1990, 1, 1)
_REVERSAL = r"(?i)revers|refund|bounce|chargeback|return|冲销|冲回|退款|退票|红冲"

REJECTS_SCHEMA = pa.schema(
    [
        ("table", pa.string()),
        ("source", pa.string()),
        ("row", pa.int64()),
        ("reason", pa.string()),
        ("severity", pa.string()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("key", pa.string()),
        ("amount", MONEY),
        ("message", pa.string()),
        ("raw", pa.string()),
    ]
)
# the money a reject row carries, so rejects can be summed by reason like the manifest does
_REJECT_MONEY = {
    "invoices": "amount",
    "payments": "amount",
    "promises": "amount",
    "payment_schedule": "amount",
    "invoice_lines": "net_amount",
}


@dataclass(frozen=True)
class Options:
    """How values are read and which fix-ups apply (see :func:`arkit.ingest.ingest`)."""

    dayfirst: bool = False
    decimal: str = "."
    thousands: str = ","
    default_currency: str | None = None
    reporting_currency: str | None = None
    run_date: dt.date = field(default_factory=dt.date.today)


@dataclass
class TableOutcome:
    """The result of validating one table."""

    name: str
    clean: pa.Table
    rejects: pa.Table
    stats: dict


def _np_mask(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


class _Stage:
    """One table being validated: text, parsed values and a reason per row."""

    def __init__(self, name: str, parts: list[tuple[RawSource, HeaderMatch]]):
        self.name = name
        self.spec = TABLES[name]
        self.sources = [source for source, _ in parts]
        self.present = {c for _, match in parts for c in match.columns}
        text: dict[str, list[pa.Array]] = {c: [] for c in self.spec.names}
        for source, match in parts:
            n = source.data.num_rows
            for column in self.spec.names:
                header = match.columns.get(column)
                raw = (
                    source.data.column(header).combine_chunks()
                    if header is not None
                    else pa.nulls(n, pa.string())
                )
                text[column].append(normalise_text(raw) if n else pa.array([], pa.string()))
        self.text = {
            c: parts_[0] if len(parts_) == 1 else pa.concat_arrays(parts_)
            for c, parts_ in text.items()
        }
        self.n = sum(s.data.num_rows for s in self.sources)
        self.source_index = np.concatenate(
            [np.full(s.data.num_rows, i, dtype=np.int32) for i, s in enumerate(self.sources)]
        )
        self.position = np.concatenate(
            [np.arange(s.data.num_rows, dtype=np.int64) for s in self.sources]
        )
        self.rows = np.concatenate([s.rows for s in self.sources])
        self.values: dict[str, pa.Array] = {}
        self.reason = np.zeros(self.n, dtype=np.int8)
        self.flag = np.zeros(self.n, dtype=np.int8)
        self.column = np.full(self.n, None, dtype=object)
        self.value = np.full(self.n, None, dtype=object)
        self.other = np.full(self.n, None, dtype=object)
        self.fixups: dict[str, np.ndarray] = {}
        self.customer_position: pa.Array | None = None

    # -- bookkeeping ---------------------------------------------------------------------
    @property
    def ok(self) -> np.ndarray:
        return self.reason == 0

    def mark(
        self,
        mask: np.ndarray,
        code: str,
        column: str | None,
        value: pa.Array | None = None,
        other: pa.Array | np.ndarray | str | None = None,
        flag: bool = False,
    ) -> np.ndarray:
        """Give ``code`` to the rows in ``mask`` that have no reason yet; return them."""
        hit = mask & self.ok & (self.flag == 0 if flag else True)
        if not hit.any():
            return hit
        (self.flag if flag else self.reason)[hit] = _CODE[code]
        self.column[hit] = column
        if value is None and column is not None:
            value = self.text[column]
        if value is not None:
            self.value[hit] = value.filter(pa.array(hit)).to_numpy(zero_copy_only=False)
        if isinstance(other, str):
            self.other[hit] = other
        elif isinstance(other, np.ndarray):
            self.other[hit] = other[hit]
        elif other is not None:
            self.other[hit] = other.filter(pa.array(hit)).to_numpy(zero_copy_only=False)
        return hit

    def count(self, fixup: str, rows: np.ndarray) -> None:
        """Remember rows a fix-up touched; only those that end up clean are counted."""
        if rows.any():
            self.fixups[fixup] = self.fixups[fixup] | rows if fixup in self.fixups else rows

    def key_text(self) -> pa.Array:
        keys = [pc.fill_null(self.text[k], "?") for k in self.spec.key]
        return keys[0] if len(keys) == 1 else pc.binary_join_element_wise(*keys, "/")


def _parse_rates(text: pa.Array) -> pa.Array:
    ok = pc.fill_null(pc.match_substring_regex(text, r"^\d{1,10}(\.\d{1,8})?$"), False)
    return pc.if_else(ok, pc.if_else(ok, text, "0").cast(RATE), pa.scalar(None, RATE))


def _row_checks(stage: _Stage, options: Options) -> None:
    text = stage.text
    for key in stage.spec.key:
        stage.mark(_np_mask(pc.is_null(text[key])), "missing_key", key)
    for column in stage.spec.required:
        stage.mark(_np_mask(pc.is_null(text[column])), "missing_value", column)
    failures = (
        # the text is normalised already: the private parsers skip doing it again
        ("bad_date", lambda c: c.type == pa.date32(), lambda t: _dates(t, options.dayfirst)),
        (
            "bad_amount",
            lambda c: c.type == MONEY,
            lambda t: _amounts(t, options.decimal, options.thousands),
        ),
        ("bad_value", lambda c: c.type == RATE, _parse_rates),
        ("bad_value", lambda c: c.type == pa.int32(), parse_integers),
        ("bad_value", lambda c: c.type == pa.float64(), parse_floats),
        ("bad_value", lambda c: c.type == pa.bool_(), parse_booleans),
        ("bad_value", lambda c: c.name == "currency", parse_currencies),
        ("bad_value", lambda c: c.name == "doc_type", parse_doc_types),
    )
    for code, applies, parse in failures:
        for column in stage.spec.columns:
            if applies(column) and column.name not in stage.values:
                parsed = parse(text[column.name])
                stage.values[column.name] = parsed
                unreadable = pc.and_(pc.is_valid(text[column.name]), pc.is_null(parsed))
                stage.mark(_np_mask(unreadable), code, column.name)
    for column in stage.spec.names:
        stage.values.setdefault(column, text[column])

    latest = options.run_date + dt.timedelta(days=365)
    for column in stage.spec.columns:
        if column.type == pa.date32():
            d = stage.values[column.name]
            outside = pc.or_(pc.less(d, pa.scalar(_EARLIEST)), pc.greater(d, pa.scalar(latest)))
            stage.mark(
                _np_mask(outside),
                "date_out_of_range",
                column.name,
                other=f"the run date {options.run_date.isoformat()}",
            )
    if stage.name in ("invoices", "payments", "promises", "payment_schedule"):
        zero = pc.equal(stage.values["amount"], pa.scalar(0, MONEY))
        stage.mark(_np_mask(zero), "zero_amount", "amount")
    if stage.name == "invoices":
        _invoice_signs(stage)
        due, issued = stage.values["due_date"], stage.values["invoice_date"]
        stage.mark(
            _np_mask(pc.less(due, issued)),
            "due_before_invoice",
            "due_date",
            other=text["invoice_date"],
        )
    if stage.name == "payments":
        amount, method = stage.values["amount"], text["method"]
        reversal = pc.fill_null(pc.match_substring_regex(method, _REVERSAL), False)
        negative = pc.less(amount, pa.scalar(0, MONEY))
        stage.mark(
            _np_mask(pc.and_(negative, pc.invert(reversal))),
            "sign_mismatch",
            "amount",
            other="not marked as a reversal or refund in its method",
        )


def _invoice_signs(stage: _Stage) -> None:
    """Credit notes and write-offs are negative; without a doc_type the sign decides."""
    amount, doc_type = stage.values["amount"], stage.values["doc_type"]
    negative = _np_mask(pc.less(amount, pa.scalar(0, MONEY)))
    positive = _np_mask(pc.greater(amount, pa.scalar(0, MONEY)))
    given = _np_mask(pc.is_valid(doc_type))
    debit = _np_mask(pc.is_in(doc_type, value_set=pa.array(["invoice", "debit_note"])))
    credit = _np_mask(pc.is_in(doc_type, value_set=pa.array(["credit_note", "write_off"])))
    stage.mark(
        negative & debit,
        "sign_mismatch",
        "amount",
        other=pc.if_else(pc.equal(doc_type, "invoice"), "an invoice", "a debit note"),
    )
    valid = stage.ok
    stage.count("credit_note_from_sign", valid & ~given & negative)
    stage.count("invoice_by_default", valid & ~given & ~negative)
    by_sign = pc.if_else(pa.array(negative), "credit_note", "invoice")
    stage.values["doc_type"] = pc.coalesce(doc_type, by_sign)
    flip = valid & credit & positive
    stage.count("credit_sign_flipped", flip)
    stage.values["amount"] = pc.if_else(pa.array(flip), pc.negate(amount), amount)


def _duplicates(stage: _Stage, con: duckdb.DuckDBPyConnection) -> None:
    """Exact copies of a kept row are merged; other rows with its key are rejected.

    Two DuckDB queries: the valid rows whose key is seen more than once, found from
    the key columns alone, then, only among those rows, whether each later row of a
    key (in source order) hashes like the first. Most tables have few or no repeated
    keys, so the second query, which reads every column, stays small.
    """
    if not stage.ok.any():
        return
    keys = ", ".join(f"c{stage.spec.names.index(k)}" for k in stage.spec.key)
    key_columns = {f"c{stage.spec.names.index(k)}": stage.values[k] for k in stage.spec.key}
    con.register("keys_", pa.table({"_i": np.arange(stage.n), "_ok": stage.ok, **key_columns}))
    repeated = con.sql(
        f"""
        WITH valid AS (SELECT * FROM keys_ WHERE _ok),
        repeated AS (SELECT {keys} FROM valid GROUP BY {keys} HAVING count(*) > 1)
        SELECT _i FROM valid JOIN repeated USING ({keys})
        """
    ).to_arrow_table()
    con.unregister("keys_")
    if not repeated.num_rows:
        return
    rows = np.sort(repeated.column("_i").to_numpy())
    take = pa.array(rows)
    cols = {f"c{i}": stage.values[c].take(take) for i, c in enumerate(stage.spec.names)}
    con.register("stage", pa.table({"_i": rows, **cols}))
    row_hash = f"hash({', '.join(cols)})"
    found = con.sql(
        f"""
        WITH ranked AS (
            SELECT _i,
                   row_number() OVER w AS occurrence,
                   {row_hash} = first_value({row_hash}) OVER w AS same_as_first,
                   first_value(_i) OVER w AS first_i
            FROM stage
            WINDOW w AS (PARTITION BY {keys} ORDER BY _i)
        )
        SELECT _i, same_as_first, first_i FROM ranked WHERE occurrence > 1
        """
    ).to_arrow_table()
    con.unregister("stage")
    index = found.column("_i").to_numpy()
    same = found.column("same_as_first").to_numpy(zero_copy_only=False).astype(bool)
    first_row = np.full(stage.n, None, dtype=object)
    first_row[index] = stage.rows[found.column("first_i").to_numpy()].astype(str)
    merged = np.zeros(stage.n, dtype=bool)
    merged[index[same]] = True
    conflict = np.zeros(stage.n, dtype=bool)
    conflict[index[~same]] = True
    stage.mark(merged, MERGED, None, other=first_row)
    stage.mark(conflict, "duplicate_conflict", None, other=first_row)


def _in(values: pa.Array, known: pa.Array) -> np.ndarray:
    return _np_mask(pc.is_in(values, value_set=known))


def _not_among(values: pa.Array, known: pa.Array) -> np.ndarray:
    """Rows whose value is given but not in ``known``, for a ``known`` as long as the table.

    A DuckDB anti-join: Arrow's ``is_in`` builds its set of a million invoice ids
    several times slower than DuckDB's hash join.
    """
    con = duckdb.connect()
    try:
        con.register("rows_", pa.table({"i": np.arange(len(values)), "v": values}))
        con.register("known_", pa.table({"v": known}))
        found = con.sql(
            "SELECT i FROM rows_ ANTI JOIN known_ USING (v) WHERE rows_.v IS NOT NULL"
        ).to_arrow_table()
    finally:
        con.close()
    mask = np.zeros(len(values), dtype=bool)
    mask[found.column("i").to_numpy()] = True
    return mask


def _cross_checks(stage: _Stage, done: _Finishing, options: Options) -> None:
    values = stage.values
    customers = done.get("customers")
    if "customer_id" in stage.spec.names and stage.name != "customers":
        unknown = _np_mask(pc.is_null(_customer_position(stage, customers)))
        stage.mark(unknown, "unknown_customer", "customer_id")
    if stage.name == "invoices":
        _derive_due_dates(stage, customers)
    if stage.name in ("invoices", "payments") and "currency" in values:
        _default_currency(stage, customers, options)
        if options.reporting_currency:
            rates = done.get("fx_rates")
            known = (
                rates.clean.column("currency").combine_chunks()
                if rates
                else pa.array([], pa.string())
            )
            currency = values["currency"]
            foreign = pc.and_(
                pc.not_equal(currency, options.reporting_currency),
                pc.invert(pc.is_in(currency, value_set=known)),
            )
            stage.mark(
                _np_mask(foreign),
                "missing_fx_rate",
                "currency",
                value=currency,
                other=options.reporting_currency,
            )
    if "invoice_id" in stage.spec.names and stage.name != "invoices":
        invoices = done.get("invoices")
        known = (
            invoices.clean.column("invoice_id").combine_chunks()
            if invoices
            else pa.array([], pa.string())
        )
        ids = values["invoice_id"]
        unknown = _not_among(ids, known)
        if "invoice_id" in stage.spec.required:
            stage.mark(unknown, "unknown_invoice", "invoice_id", other="")
        else:
            hit = stage.mark(
                unknown,
                "unknown_invoice",
                "invoice_id",
                other="; kept without it (unapplied cash on account)"
                if stage.name == "payments"
                else "; kept without it",
                flag=True,
            )
            values["invoice_id"] = pc.if_else(pa.array(hit), pa.scalar(None, pa.string()), ids)
            stage.count("unapplied_unknown_invoice", hit)


def _customer_position(stage: _Stage, customers: TableOutcome | None) -> pa.Array:
    """Row of each document's customer among the clean customers (null: unknown), found once."""
    if stage.customer_position is None:
        ids = (
            customers.clean.column("customer_id").combine_chunks()
            if customers
            else pa.array([], pa.string())
        )
        stage.customer_position = pc.index_in(stage.values["customer_id"], value_set=ids)
    return stage.customer_position


def _customer_lookup(stage: _Stage, customers: TableOutcome | None, column: str) -> pa.Array:
    if customers is None:
        return pa.nulls(stage.n, TABLES["customers"].column(column).type)
    where = _customer_position(stage, customers)
    return pc.take(customers.clean.column(column).combine_chunks(), where)


def _derive_due_dates(stage: _Stage, customers: TableOutcome | None) -> None:
    """Invoices without a due date get one from their customer's payment terms."""
    due = stage.values["due_date"]
    lacking = _np_mask(pc.is_null(due)) & stage.ok
    if not lacking.any():
        return
    terms = _customer_lookup(stage, customers, "payment_terms")
    distinct = pc.unique(terms.filter(pa.array(lacking))).drop_null().to_pylist()
    days, month_end = {}, {}
    for text in distinct:  # one parse per distinct terms text, not per invoice
        try:
            parsed = parse_terms(text)
        except ValueError:
            continue
        days[text], month_end[text] = parsed.days, parsed.end_of_month
    known = pa.array(list(days), pa.string())
    where = pc.index_in(terms, value_set=known)
    readable = _np_mask(pc.is_valid(where))
    stage.mark(
        lacking & ~readable,
        "missing_due_date",
        "due_date",
        value=pa.nulls(stage.n, pa.string()),
        other=stage.text["customer_id"],
    )
    derive = lacking & readable
    if not derive.any():
        return
    index = pc.fill_null(where, 0).to_numpy()
    add_days = np.array(list(days.values()) or [0], dtype=np.int64)[index]
    eom = np.array(list(month_end.values()) or [False], dtype=bool)[index]
    issued = pc.fill_null(stage.values["invoice_date"].cast(pa.int32()), 0).to_numpy()
    issued = issued.astype("datetime64[D]")
    month_last = (issued.astype("datetime64[M]") + 1).astype("datetime64[D]") - 1
    derived = np.where(eom, month_last, issued) + add_days.astype("timedelta64[D]")
    derived_arr = pa.array(derived.astype(np.int64).astype(np.int32), pa.int32()).cast(pa.date32())
    stage.values["due_date"] = pc.if_else(pa.array(derive), derived_arr, due)
    stage.count("derived_due_date", derive)


def _default_currency(stage: _Stage, customers: TableOutcome | None, options: Options) -> None:
    currency = stage.values["currency"]
    lacking = _np_mask(pc.is_null(currency)) & stage.ok
    if not lacking.any():
        return
    if options.default_currency:
        stage.values["currency"] = pc.fill_null(currency, options.default_currency)
        stage.count("default_currency", lacking)
        return
    from_customer = _customer_lookup(stage, customers, "currency")
    filled = pc.if_else(pa.array(lacking), from_customer, currency)
    stage.count("currency_from_customer", lacking & _np_mask(pc.is_valid(from_customer)))
    stage.values["currency"] = filled


def _customer_flags(stage: _Stage) -> None:
    terms = stage.text["payment_terms"]
    distinct = pc.unique(terms).drop_null().to_pylist()
    unreadable = []
    for text in distinct:  # one parse per distinct terms text
        try:
            parse_terms(text)
        except ValueError:
            unreadable.append(text)
    if unreadable:
        bad = _in(terms, pa.array(unreadable, pa.string()))
        stage.mark(bad, "bad_terms", "payment_terms", flag=True)


# -- output -------------------------------------------------------------------------------
def _fill(template: str, fields: dict[str, pa.Array]) -> pa.Array:
    """Fill a message template column-wise."""
    pieces: list[pa.Array | str] = []
    for literal, name, _, _ in string.Formatter().parse(template):
        if literal:
            pieces.append(literal)
        if name:
            pieces.append(pc.fill_null(fields[name], ""))
    return pc.binary_join_element_wise(*pieces, "")


def _rejects(stage: _Stage) -> pa.Table:
    code = np.where(stage.reason > 0, stage.reason, stage.flag)
    picked = np.flatnonzero(code > 0)
    if not len(picked):
        return REJECTS_SCHEMA.empty_table()
    take = pa.array(picked)
    codes = np.array(_CODES, dtype=object)[code[picked]]
    severity = np.where(stage.reason[picked] > 0, "rejected", "flagged")
    severity = np.where(codes == MERGED, "merged", severity)
    labels = np.array([s.label for s in stage.sources], dtype=object)[stage.source_index[picked]]
    rows = stage.rows[picked]
    where = pc.binary_join_element_wise(
        "row ", pa.array(rows).cast(pa.string()), " of ", pa.array(labels, pa.string()), ""
    )
    fields = {
        "where": where,
        "noun": pa.array(np.full(len(picked), _NOUNS[stage.name], dtype=object), pa.string()),
        "key": stage.key_text().take(take),
        "column": pa.array(stage.column[picked], pa.string()),
        "value": pa.array(stage.value[picked], pa.string()),
        "other": pa.array(stage.other[picked], pa.string()),
    }
    message = pa.array(np.full(len(picked), "", dtype=object), pa.string())
    for name in np.unique(codes):
        mask = pa.array(codes == name)
        filled = _fill(REASONS[name], fields)
        message = pc.if_else(mask, filled, message)
    return pa.table(
        {
            "table": pa.array(np.full(len(picked), stage.name, dtype=object), pa.string()),
            "source": pa.array(labels, pa.string()),
            "row": pa.array(rows, pa.int64()),
            "reason": pa.array(codes, pa.string()),
            "severity": pa.array(severity, pa.string()),
            "column": fields["column"],
            "value": fields["value"],
            "key": fields["key"],
            "amount": _reject_amounts(stage, take),
            "message": message,
            "raw": _raw_json(stage, picked),
        },
        schema=REJECTS_SCHEMA,
    )


def _reject_amounts(stage: _Stage, take: pa.Array) -> pa.Array:
    """The parsed amount of each reported row (null where unreadable or the table has none)."""
    column = _REJECT_MONEY.get(stage.name)
    if column is None or column not in stage.values:
        return pa.nulls(len(take), MONEY)
    return stage.values[column].cast(MONEY).take(take)


def _raw_json(stage: _Stage, picked: np.ndarray) -> pa.Array:
    """Each reported row exactly as read, header -> text, for a finance person to look up."""
    out = np.empty(len(picked), dtype=object)
    for i, source in enumerate(stage.sources):
        mine = stage.source_index[picked] == i
        if not mine.any():
            continue
        frame = source.data.take(pa.array(stage.position[picked][mine])).to_pandas()
        lines = frame.to_json(orient="records", lines=True, force_ascii=False).splitlines()
        out[mine] = lines
    return pa.array(out, pa.string())


def _money(values: pa.Array | pa.ChunkedArray, mask: np.ndarray | None = None) -> Decimal:
    """Exact sum of ``values``, or of the rows in ``mask``; zero at the column's scale if none."""
    total = pc.sum(values if mask is None else values.filter(pa.array(mask))).as_py()
    return Decimal(0).scaleb(-values.type.scale) if total is None else total


def _outcome(stage: _Stage) -> TableOutcome:
    clean_mask = stage.ok
    clean = pa.table(
        {
            c.name: stage.values[c.name].cast(c.type).filter(pa.array(clean_mask))
            for c in stage.spec.columns
        }
    )
    merged = stage.reason == _CODE[MERGED]
    rejected = ~clean_mask & ~merged
    reasons_all = np.where(stage.reason > 0, stage.reason, stage.flag)
    counts = np.bincount(reasons_all, minlength=len(_CODES))
    money = {}
    for column in stage.spec.money_columns:
        values = stage.values[column]
        money[column] = {
            "read": str(_money(values)),
            # summed from the clean table as written, not from a second filter of the column
            "clean": str(_money(clean.column(column))),
            "rejected": str(_money(values, rejected)),
            "merged": str(_money(values, merged)),
            "unreadable_rows": int(
                _np_mask(pc.and_(pc.is_valid(stage.text[column]), pc.is_null(values))).sum()
            ),
        }
    stats = {
        "rows_read": int(stage.n),
        "rows_clean": int(clean_mask.sum()),
        "rows_rejected": int(rejected.sum()),
        "rows_merged": int(merged.sum()),
        "rows_flagged": int(((stage.flag > 0) & clean_mask).sum()),
        "money": money,
        "reasons": {c: int(counts[i]) for i, c in enumerate(_CODES) if i and counts[i]},
        "fixups": {
            name: int((rows & clean_mask).sum())
            for name, rows in sorted(stage.fixups.items())
            if (rows & clean_mask).any()
        },
        "columns_found": sorted(stage.present),
    }
    if merged.any():
        stats["fixups"]["merged_duplicate"] = int(merged.sum())
    return TableOutcome(stage.name, clean, _rejects(stage), stats)


def _stage_table(name: str, parts: list[tuple[RawSource, HeaderMatch]], options: Options) -> _Stage:
    """The checks that need no other table: row checks, then duplicates."""
    stage = _Stage(name, parts)
    _row_checks(stage, options)
    if name == "customers":
        _customer_flags(stage)
    con = duckdb.connect()
    try:
        _duplicates(stage, con)
    finally:
        con.close()
    return stage


def validate_tables(
    parts: dict[str, list[tuple[RawSource, HeaderMatch]]], options: Options
) -> dict[str, TableOutcome]:
    """Validate every table that has at least one source.

    Tables are checked on their own side by side (Arrow and DuckDB release the GIL),
    then against each other in dependency order.
    """
    names = [name for name in ORDER if name in parts]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        staged = {n: pool.submit(_stage_table, n, parts[n], options) for n in names}
        stages = {n: future.result() for n, future in staged.items()}
        # A table's outcome is built beside the next table's cross checks, which wait
        # for it only where they look it up (payments wait for the clean invoice ids).
        finishing = _Finishing()
        for name in names:
            _cross_checks(stages[name], finishing, options)
            finishing.futures[name] = pool.submit(_outcome, stages.pop(name))
        return {name: future.result() for name, future in finishing.futures.items()}


class _Finishing:
    """Outcomes of the tables cross-checked so far, each waited for when first looked up."""

    def __init__(self) -> None:
        self.futures: dict[str, Future[TableOutcome]] = {}

    def get(self, name: str) -> TableOutcome | None:
        future = self.futures.get(name)
        return future.result() if future is not None else None
