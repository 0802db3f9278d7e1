"""The clean ledger, held by DuckDB.

A :class:`Ledger` is a DuckDB connection on which every canonical table
(``customers``, ``invoices``, ``payments``, ``payment_schedule``, ``invoice_lines``,
``promises``, ``disputes``, ``fx_rates``) is a view: over the Parquet files of a
clean ledger folder (out-of-core), or over in-memory Arrow tables (tests,
notebooks). Optional tables that a ledger does not have are empty views with the
canonical schema, so every SQL transform can reference them.

The transforms themselves live in ``arkit/sql/*.sql``, one query per concept, with
named parameters such as ``$as_of``. Money stays ``DECIMAL(18, 2)`` inside DuckDB;
result frames carry it as float64 (the nearest double to each exact cent) for
display, and totals are always summed by the engine, never re-summed from floats.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from arkit._schema import SCHEMA_VERSION, TABLES, arrow_schema, conform
from arkit.errors import LedgerError

__all__ = [
    "Ledger",
    "open_ledger",
    "save_ledger",
    "load_sql",
    "compose_sql",
    "default_memory_limit",
]

# A transform declares the transforms it reads in a header line "-- inputs: a, b".
_INPUTS_LINE = re.compile(r"^--\s*inputs:\s*(.+)$", re.MULTILINE)
_SQL_DIR = Path(__file__).parent / "sql"
_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_COMMENT = re.compile(r"--[^\n]*")
_MEMORY_SIZE = re.compile(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)", re.IGNORECASE)


@cache
def load_sql(name: str) -> str:
    """Return the text of ``arkit/sql/<name>.sql``.

    >>> "SELECT" in load_sql("open_items").upper()
    True
    """
    # A plain path, not importlib.resources: arkit/sql is data, not a package.
    try:
        return (_SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyError(f"no SQL transform named {name!r} in arkit/sql/") from None


def _inputs(name: str) -> list[str]:
    match = _INPUTS_LINE.search(load_sql(name))
    return [part.strip() for part in match.group(1).split(",")] if match else []


@cache
def compose_sql(name: str) -> str:
    """Return transform ``name`` with the transforms it reads inlined as CTEs.

    A file in ``arkit/sql/`` that reads another transform says so in a header line
    ``-- inputs: open_items, fx_factors``; the result is one standard query
    ``WITH dep AS (...), ... SELECT * FROM (<name>) AS result`` that any SQL engine
    can run, dependencies first.

    >>> sql = compose_sql("open_items")  # reads receivable_status, which reads ledger_positions
    >>> sql.index("ledger_positions AS (") < sql.index("receivable_status AS (")
    True
    """
    order: list[str] = []

    def visit(current: str, path: tuple[str, ...]) -> None:
        if current in path:
            raise ValueError(f"arkit/sql: circular inputs {' -> '.join((*path, current))}")
        for dependency in _inputs(current):
            visit(dependency, (*path, current))
        if current not in order:
            order.append(current)

    visit(name, ())
    body = load_sql(name)
    if len(order) == 1:
        return body
    ctes = ",\n".join(f"{dep} AS (\n{load_sql(dep)}\n)" for dep in order[:-1])
    return f"WITH {ctes}\nSELECT * FROM (\n{body}\n) AS {name}_result"


# Peak RSS at 10M invoices was 4.1 GB with DuckDB's own default (80 % of RAM) and
# 3.4 GB with a 3 GB cap (spilling costs ~40 % in time): 3 GB keeps a 10M-invoice
# report under 4 GB, and 40 % of RAM leaves room for pandas, plots and the kernel on
# small machines.
_DEFAULT_MEMORY_CAP = 3 * 1024**3
_DEFAULT_MEMORY_SHARE = 0.4


def default_memory_limit() -> str:
    """The engine's memory cap when none is given: min(3 GB, 40 % of RAM), in MB.

    >>> default_memory_limit().endswith("MB")
    True
    """
    try:
        ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # no sysconf (Windows): the cap alone
        ram = _DEFAULT_MEMORY_CAP / _DEFAULT_MEMORY_SHARE
    return f"{int(min(_DEFAULT_MEMORY_CAP, _DEFAULT_MEMORY_SHARE * ram)) // 1024**2}MB"


def _connect(memory_limit: str | None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a memory cap, a private spill folder and no progress bar."""
    origin = "memory_limit" if memory_limit else "ARKIT_MEMORY_LIMIT"
    limit = (memory_limit or os.environ.get("ARKIT_MEMORY_LIMIT") or "").strip()
    limit = limit or default_memory_limit()
    if not _MEMORY_SIZE.fullmatch(limit):
        raise LedgerError(f"{origin}: {limit!r} is not a memory size (use e.g. 3GB or 500MB)")
    con = duckdb.connect()
    # SET takes no bound parameters: only a validated size ever reaches the SQL.
    con.execute(f"SET memory_limit = '{limit}'")
    # DuckDB would spill into ./.tmp of whatever folder the user runs from. A fresh
    # folder under the system temp dir is created only when a query spills, and
    # DuckDB deletes it when the connection closes.
    spill = Path(tempfile.gettempdir()) / f"arkit-spill-{uuid.uuid4().hex[:12]}"
    con.execute("SET temp_directory = '" + str(spill).replace("'", "''") + "'")
    # Scheduled runs and notebooks must not fill their output with engine progress bars.
    # Under Jupyter DuckDB has them off already and refuses the setting without ipywidgets.
    with contextlib.suppress(duckdb.InvalidInputException):
        con.execute("SET enable_progress_bar = false")
    return con


def _as_date(value: str | dt.date | None, name: str = "as_of") -> dt.date:
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise LedgerError(f"{name}: {value!r} is not a date (use YYYY-MM-DD)") from None


class Ledger:
    """A canonical AR ledger on a DuckDB connection.

    Use :func:`open_ledger` for a clean ledger folder and :meth:`from_frames` for
    in-memory tables.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        Connection on which every canonical table is a view.
    source : str
        Human description of where the data comes from (shown in report source notes).
    manifest : dict, optional
        The ingest manifest of a ledger folder.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, source: str, manifest: dict | None = None):
        self.con = con
        self.source = source
        self.manifest = manifest or {}
        # What each canonical view reads (a Parquet file or an Arrow table) and the
        # engine's memory cap, so that :meth:`restrict` can rebuild the views.
        self._bases: dict[str, Path | pa.Table] = {}
        self._memory_limit: str | None = None

    def _attach(self, bases: dict[str, Path | pa.Table], where: dict[str, str]) -> None:
        """Create each canonical view over its base, filtered by ``where[table]`` if given."""
        for name, base in bases.items():
            if isinstance(base, Path):
                source = "read_parquet('" + str(base).replace("'", "''") + "')"
            else:
                source = f"_{name}_arrow"
                self.con.register(source, base)
            condition = f" WHERE {where[name]}" if name in where else ""
            self.con.execute(f"CREATE VIEW {name} AS SELECT * FROM {source}{condition}")
        self._bases = dict(bases)

    # -- construction -----------------------------------------------------------------
    @classmethod
    def from_frames(
        cls, *, source: str = "in-memory frames", memory_limit: str | None = None, **tables: Any
    ) -> Ledger:
        """Build a ledger from in-memory frames keyed by canonical table name.

        Frames are conformed to the canonical schema (:func:`arkit._schema.conform`):
        floats are rounded to the cent, date strings are parsed. ``memory_limit``
        caps the engine as in :func:`open_ledger`.

        >>> import pandas as pd
        >>> led = Ledger.from_frames(
        ...     customers=pd.DataFrame({"customer_id": ["C1"], "customer_name": ["Acme"]}),
        ...     invoices=pd.DataFrame({"invoice_id": ["I1"], "customer_id": ["C1"],
        ...                            "invoice_date": ["2026-01-05"], "amount": [100.10]}))
        >>> led.query("SELECT sum(amount) AS s FROM invoices")["s"].iloc[0]
        np.float64(100.1)
        """
        unknown = sorted(set(tables) - set(TABLES))
        if unknown:
            raise KeyError(
                f"unknown ledger table(s): {', '.join(unknown)}; valid: {', '.join(TABLES)}"
            )
        led = cls(_connect(memory_limit), source)
        led._memory_limit = memory_limit
        led._attach(
            {
                name: conform(name, tables[name])
                if tables.get(name) is not None
                else arrow_schema(name).empty_table()
                for name in TABLES
            },
            where={},
        )
        return led

    @classmethod
    def from_folder(cls, path: str | Path, *, memory_limit: str | None = None) -> Ledger:
        """Open a clean ledger folder written by :func:`arkit.ingest` (see :func:`open_ledger`)."""
        folder = Path(path)
        if not folder.is_dir():
            raise LedgerError(f"{folder}: no such ledger folder (run `arkit ingest` first)")
        manifest_path = folder / "manifest.json"
        manifest: dict = {}
        if manifest_path.exists():
            try:
                manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise LedgerError(f"{manifest_path}: not valid JSON ({exc.msg})") from None
            version = manifest.get("schema_version")
            if version is not None and version != SCHEMA_VERSION:
                raise LedgerError(
                    f"{manifest_path}: schema version {version}, this arkit reads "
                    f"{SCHEMA_VERSION}; re-run `arkit ingest`"
                )
        for required in ("customers", "invoices", "payments"):
            if not (folder / f"{required}.parquet").exists():
                raise LedgerError(
                    f"{folder}: {required}.parquet is missing; not a clean ledger folder"
                )
        led = cls(_connect(memory_limit), str(folder), manifest)
        led._memory_limit = memory_limit
        led._attach(
            {
                name: file if file.exists() else arrow_schema(name).empty_table()
                for name in TABLES
                for file in [folder / f"{name}.parquet"]
            },
            where={},
        )
        return led

    # -- scoping ----------------------------------------------------------------------
    def restrict(self, customer_ids: Iterable[str], *, label: str | None = None) -> Ledger:
        """A new ledger that holds only some customers and their documents.

        ``customers``, ``invoices``, ``payments`` and ``promises`` keep the rows of
        the given customers; ``payment_schedule``, ``invoice_lines`` and ``disputes``
        keep the rows of those customers' invoices; ``fx_rates`` is shared. Ids not
        in this ledger are ignored, so restricting a restricted ledger narrows it.
        The new ledger has its own engine connection (with the same memory cap);
        this one is left as it was.

        Parameters
        ----------
        customer_ids : iterable of str
            Customers to keep (a list, a pandas Series, an Arrow array).
        label : str, optional
            Said in the new ledger's ``source`` (e.g. the audience); default the
            number of customers.

        Returns
        -------
        Ledger

        >>> import pandas as pd
        >>> led = Ledger.from_frames(
        ...     customers=pd.DataFrame({"customer_id": ["C1", "C2"], "customer_name": ["A", "B"]}),
        ...     invoices=pd.DataFrame({"invoice_id": ["I1", "I2"], "customer_id": ["C1", "C2"],
        ...                            "invoice_date": ["2026-01-05"] * 2, "amount": [10.0, 20.0]}))
        >>> led.restrict(["C2"]).query("SELECT invoice_id FROM invoices")["invoice_id"].tolist()
        ['I2']
        """
        if set(self._bases) != set(TABLES):
            raise TypeError(
                "restrict needs a ledger made by open_ledger or Ledger.from_frames, "
                "not one built on a bare connection"
            )
        wanted = pa.table({"customer_id": pa.array(customer_ids, type=pa.string())})
        # Intersect with this ledger's customers (already narrowed if it is restricted).
        self.con.register("_wanted_customers", wanted)
        try:
            kept = self.con.sql(
                "SELECT DISTINCT customer_id FROM customers "
                "WHERE customer_id IN (SELECT customer_id FROM _wanted_customers)"
            ).to_arrow_table()
        finally:
            self.con.unregister("_wanted_customers")
        scope = label or f"{kept.num_rows} customers"
        led = Ledger(_connect(self._memory_limit), f"{self.source} (scope: {scope})", self.manifest)
        led._memory_limit = self._memory_limit
        led.con.register("_scope_customers", kept)
        by_customer = "customer_id IN (SELECT customer_id FROM _scope_customers)"
        # invoices is itself filtered: tables keyed by invoice follow it.
        by_invoice = "invoice_id IN (SELECT invoice_id FROM invoices)"
        where = {}
        for name in TABLES:
            columns = TABLES[name].names
            if "customer_id" in columns:
                where[name] = by_customer
            elif "invoice_id" in columns:
                where[name] = by_invoice
        # invoices first: the views keyed by invoice read it.
        order = sorted(self._bases, key=lambda name: name != "invoices")
        led._attach({name: self._bases[name] for name in order}, where)
        return led

    # -- queries ----------------------------------------------------------------------
    def query(self, sql: str, **params: Any) -> pd.DataFrame:
        """Run SQL on the ledger and return a pandas frame.

        Named parameters are bound as ``$name``; dates may be given as ISO strings
        only where the SQL casts them, so prefer :class:`datetime.date` values.
        """
        rel = self.con.execute(sql, params) if params else self.con.execute(sql)
        return rel.df()

    def arrow(self, sql: str, **params: Any) -> pa.Table:
        """Run SQL and return an Arrow table (money stays exact ``decimal128``)."""
        return self.con.sql(sql, params=params or None).to_arrow_table()

    def transform(
        self, name: str, *, tables: dict[str, Any] | None = None, **params: Any
    ) -> pd.DataFrame:
        """Run the SQL transform ``arkit/sql/<name>.sql`` with named parameters.

        Parameters
        ----------
        name : str
            Transform name; its declared inputs are inlined (:func:`compose_sql`).
        tables : dict, optional
            Small auxiliary tables (name -> pandas frame or Arrow table) the query
            reads, such as the aging buckets or a month-end calendar; they are
            visible only while the query runs.
        **params
            Named parameters; those the query does not use are ignored.
        """
        return self._run(name, tables, params, arrow=False)

    def transform_arrow(
        self, name: str, *, tables: dict[str, Any] | None = None, **params: Any
    ) -> pa.Table:
        """Like :meth:`transform` but return Arrow, with money as exact ``decimal128``."""
        return self._run(name, tables, params, arrow=True)

    def _run(
        self, name: str, tables: dict[str, Any] | None, params: dict[str, Any], *, arrow: bool
    ) -> Any:
        sql = compose_sql(name)
        # Parameters named only in comments are not parameters of the query.
        used = set(_PARAMETER.findall(_COMMENT.sub("", sql)))
        bound = {key: value for key, value in params.items() if key in used}
        missing = sorted(used - set(bound))
        if missing:
            raise TypeError(f"transform {name!r} needs parameter(s): {', '.join(missing)}")
        for table_name, data in (tables or {}).items():
            self.con.register(table_name, data)
        try:
            if arrow:
                return self.con.sql(sql, params=bound or None).to_arrow_table()
            return self.con.execute(sql, bound).df()
        finally:
            for table_name in tables or {}:
                self.con.unregister(table_name)

    # -- derived views ----------------------------------------------------------------
    def open_items(self, as_of: str | dt.date | None = None) -> pd.DataFrame:
        """Open invoices and debit notes as of a date (``arkit/sql/open_items.sql``).

        Only payments, credit notes and write-offs dated on or before ``as_of``
        count; credit notes and write-offs reduce the invoice they reference; an
        invoice issued after ``as_of`` is not there. Unapplied cash and credit
        balances are in :meth:`customer_balances`.

        Parameters
        ----------
        as_of : str or datetime.date, optional
            Report date (ISO string accepted); default today.

        Returns
        -------
        pandas.DataFrame
            One row per open item: invoice_id, customer_id, customer_name, doc_type,
            invoice_date, due_date (invoice date when missing), currency, amount,
            applied, open_amount, days_past_due, days_outstanding, disputed, segment,
            region, salesperson, collector.
        """
        return self.transform("open_items", as_of=_as_date(as_of))

    def customer_balances(self, as_of: str | dt.date | None = None) -> pd.DataFrame:
        """Per customer and currency: unapplied cash and credit balances as of a date.

        Columns: customer_id, customer_name, currency, unapplied_cash,
        unreferenced_credits, overpayments, credit_balance (= unreferenced_credits +
        overpayments), segment, region, salesperson, collector. Amounts are positive
        when owed to the customer (``arkit/sql/customer_balances.sql``).
        """
        return self.transform("customer_balances", as_of=_as_date(as_of))

    def settlements(
        self, as_of: str | dt.date | None = None, paid_after: str | dt.date | None = None
    ) -> pd.DataFrame:
        """Fully settled invoices with paid date, days to pay and days late.

        Parameters
        ----------
        as_of : str or datetime.date, optional
            Only settling events on or before this date count; None = the whole
            ledger (``arkit/sql/settlements.sql``).
        paid_after : str or datetime.date, optional
            Keep only invoices whose paid date is after this date (cheaper than
            filtering afterwards: older invoices are never looked at).

        Returns
        -------
        pandas.DataFrame
            invoice_id, customer_id, doc_type, invoice_date, due_date, currency,
            amount, paid_date, days_to_pay, days_late, days_late_clipped,
            settled_by_credit.
        """
        cutoff = None if as_of is None else _as_date(as_of)
        since = None if paid_after is None else _as_date(paid_after, "paid_after")
        return self.transform("settlements", as_of=cutoff, paid_after=since)

    def has(self, table: str) -> bool:
        """True if the ledger holds at least one row of ``table``."""
        return bool(
            self.con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT 1)").fetchone()[0]
        )

    def __repr__(self) -> str:
        return f"Ledger({self.source!r})"


def open_ledger(path: str | Path, *, memory_limit: str | None = None) -> Ledger:
    """Open a clean ledger folder (Parquet files + manifest.json) with DuckDB.

    Parameters
    ----------
    path : str or Path
        Folder written by ``arkit ingest``.
    memory_limit : str, optional
        Cap on the engine's memory, such as ``"3GB"``; beyond it DuckDB spills to
        disk (a private folder under the system temp dir) instead of growing.
        Default: ``$ARKIT_MEMORY_LIMIT`` if set, else :func:`default_memory_limit`
        (min(3 GB, 40 % of RAM)).

    Returns
    -------
    Ledger
    """
    return Ledger.from_folder(path, memory_limit=memory_limit)


def save_ledger(folder: str | Path, tables: dict[str, Any], manifest: dict | None = None) -> Path:
    """Write a clean ledger folder atomically: build beside it, then rename.

    Each table is conformed to the canonical schema and written as
    ``<table>.parquet``; ``manifest.json`` gets at least ``schema_version`` and,
    per table, ``rows`` and exact ``money`` totals (as decimal strings). An existing
    folder is replaced only once the new one is complete.

    Parameters
    ----------
    folder : str or Path
        Destination folder.
    tables : dict
        Canonical table name -> pandas frame or Arrow table. ``customers``,
        ``invoices`` and ``payments`` are always written (empty if not given).
    manifest : dict, optional
        Extra manifest content (ingest puts its reconciliation here).

    Returns
    -------
    Path
        The folder.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=folder.parent))
    try:
        written: dict[str, dict] = {}
        names = dict.fromkeys(["customers", "invoices", "payments", *tables])
        for name in names:
            data = tables.get(name)
            arrow = conform(name, data) if data is not None else arrow_schema(name).empty_table()
            pq.write_table(arrow, tmp / f"{name}.parquet")
            money = {
                col: str(pc.sum(arrow.column(col)).as_py() or 0)
                for col in TABLES[name].money_columns
            }
            written[name] = {"rows": arrow.num_rows, "money": money}
        full = {"schema_version": SCHEMA_VERSION, "tables": written, **(manifest or {})}
        (tmp / "manifest.json").write_text(
            json.dumps(full, indent=2, default=str), encoding="utf-8"
        )
        if folder.exists():
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            folder.rename(old)
            tmp.rename(folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder
