"""The canonical ledger schema: table names, column names and exact types.

This module is the contract between ingest, the synthetic generator, the ledger
engine and the analyses. Money is ``DECIMAL(18, 2)`` (exact, two decimals, in the
document's currency); dates are calendar dates without time zone.

Sign conventions
----------------
* ``invoices.amount`` is signed as it moves the receivable: invoices and debit notes
  are positive, credit notes and write-offs are negative.
* ``payments.amount`` is positive for cash received; a negative payment is a reversal
  (bounced cheque, refund) and is kept as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pyarrow as pa

__all__ = [
    "SCHEMA_VERSION",
    "MONEY",
    "RATE",
    "DOC_TYPES",
    "Column",
    "Table",
    "TABLES",
    "arrow_schema",
    "conform",
]

SCHEMA_VERSION = 1
MONEY = pa.decimal128(18, 2)
RATE = pa.decimal128(18, 8)
DOC_TYPES = ("invoice", "credit_note", "debit_note", "write_off")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Column:
    """One canonical column: its name, Arrow type and whether it is required."""

    name: str
    type: pa.DataType
    required: bool = False

    @property
    def is_money(self) -> bool:
        return self.type == MONEY


@dataclass(frozen=True)
class Table:
    """One canonical table: its key columns and columns in output order."""

    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def optional(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if not c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def money_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.is_money)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def _c(name: str, type_: pa.DataType, required: bool = False) -> Column:
    return Column(name, type_, required)


S, D, INT, B = pa.string(), pa.date32(), pa.int32(), pa.bool_()

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "customers",
            ("customer_id",),
            (
                _c("customer_id", S, True),
                _c("customer_name", S, True),
                _c("segment", S),
                _c("region", S),
                _c("salesperson", S),
                _c("collector", S),
                _c("credit_limit", MONEY),
                _c("payment_terms", S),
                _c("currency", S),
                _c("email", S),
            ),
        ),
        Table(
            "invoices",
            ("invoice_id",),
            (
                _c("invoice_id", S, True),
                _c("customer_id", S, True),
                _c("invoice_date", D, True),
                _c("amount", MONEY, True),
                _c("due_date", D),
                _c("currency", S),
                _c("doc_type", S),
                _c("reference_invoice_id", S),
                _c("salesperson", S),
                _c("disputed", B),
                _c("po_number", S),
            ),
        ),
        Table(
            "payments",
            ("payment_id",),
            (
                _c("payment_id", S, True),
                _c("customer_id", S, True),
                _c("payment_date", D, True),
                _c("amount", MONEY, True),
                _c("invoice_id", S),
                _c("currency", S),
                _c("method", S),
            ),
        ),
        Table(
            "payment_schedule",
            ("invoice_id", "instalment"),
            (
                _c("invoice_id", S, True),
                _c("instalment", INT, True),
                _c("due_date", D, True),
                _c("amount", MONEY, True),
            ),
        ),
        Table(
            "invoice_lines",
            ("invoice_id", "line_no"),
            (
                _c("invoice_id", S, True),
                _c("line_no", INT, True),
                _c("product_id", S, True),
                _c("net_amount", MONEY, True),
                _c("product_category", S),
                _c("quantity", pa.float64()),
                _c("cost_amount", MONEY),
            ),
        ),
        Table(
            "promises",
            ("promise_id",),
            (
                _c("promise_id", S, True),
                _c("customer_id", S, True),
                _c("promised_date", D, True),
                _c("amount", MONEY, True),
                _c("invoice_id", S),
                _c("created_date", D),
            ),
        ),
        Table(
            "disputes",
            ("dispute_id",),
            (
                _c("dispute_id", S, True),
                _c("invoice_id", S, True),
                _c("opened_date", D, True),
                _c("closed_date", D),
                _c("reason", S),
            ),
        ),
        Table(
            "fx_rates",
            ("date", "currency"),
            (
                _c("date", D, True),
                _c("currency", S, True),
                _c("rate_to_base", RATE, True),
            ),
        ),
    )
}


def arrow_schema(table: str) -> pa.Schema:
    """Return the Arrow schema of a canonical table.

    >>> arrow_schema("fx_rates").names
    ['date', 'currency', 'rate_to_base']
    """
    return pa.schema([pa.field(c.name, c.type, nullable=True) for c in TABLES[table].columns])


def _to_money(values: pa.Array | pa.ChunkedArray, type_: pa.DataType) -> pa.Array:
    """Cast numbers or numeric strings to an exact decimal, rounding half up to the cent."""
    if pa.types.is_decimal(values.type):
        return values.cast(type_)
    if pa.types.is_floating(values.type):
        # A float given by a caller (tests, in-memory frames) is read as the nearest cent.
        quant = Decimal(1).scaleb(-type_.scale)
        py = [
            None if v is None else Decimal(repr(v)).quantize(quant, ROUND_HALF_UP)
            for v in values.to_pylist()
        ]
        return pa.array(py, type=type_)
    if pa.types.is_integer(values.type):
        # int64 needs 19 digits before it can gain two decimals
        return values.cast(pa.decimal128(38, 0)).cast(type_)
    py = [
        None
        if v is None
        else Decimal(str(v)).quantize(Decimal(1).scaleb(-type_.scale), ROUND_HALF_UP)
        for v in values.to_pylist()
    ]
    return pa.array(py, type=type_)


def conform(table: str, data) -> pa.Table:
    """Coerce a frame to the canonical Arrow schema of ``table``.

    Missing optional columns are added as nulls; extra columns are dropped; money
    is cast to ``DECIMAL(18, 2)`` (floats are rounded to the cent) and dates to
    ``date32``. Used for in-memory ledgers (tests, notebooks); ingest does its own
    row-by-row validation before it gets here.

    Parameters
    ----------
    table : str
        Canonical table name, e.g. ``"invoices"``.
    data : pandas.DataFrame or pyarrow.Table
        The rows.

    Returns
    -------
    pyarrow.Table

    Raises
    ------
    KeyError
        If a required column is missing.

    >>> import pandas as pd
    >>> t = conform("fx_rates", pd.DataFrame({"date": ["2026-01-31"], "currency": ["USD"],
    ...                                        "rate_to_base": [7.1]}))
    >>> t.schema.field("rate_to_base").type, t.column("rate_to_base")[0].as_py()
    (Decimal128Type(decimal128(18, 8)), Decimal('7.10000000'))
    """
    spec = TABLES[table]
    if not isinstance(data, pa.Table):
        import pandas as pd

        frame = pd.DataFrame(data)
        data = pa.Table.from_pandas(frame, preserve_index=False)
    missing = [c for c in spec.required if c not in data.column_names]
    if missing:
        raise KeyError(f"{table}: missing required column(s) {', '.join(missing)}")
    arrays = []
    for col in spec.columns:
        if col.name not in data.column_names:
            arrays.append(pa.nulls(data.num_rows, type=col.type))
            continue
        values = data.column(col.name).combine_chunks()
        if pa.types.is_decimal(col.type):
            arrays.append(_to_money(values, col.type))
        elif col.type == pa.date32() and (
            pa.types.is_string(values.type)
            or pa.types.is_large_string(values.type)
            or pa.types.is_timestamp(values.type)
        ):
            arrays.append(values.cast(pa.date32()))
        elif col.type == pa.string() and not pa.types.is_string(values.type):
            arrays.append(
                values.cast(pa.string())
                if not pa.types.is_null(values.type)
                else pa.nulls(data.num_rows, type=pa.string())
            )
        else:
            arrays.append(values.cast(col.type))
    return pa.Table.from_arrays(arrays, schema=arrow_schema(table))
