"""Synthetic AR ledger with known ground truth.

:func:`generate` draws customers with payment-behaviour archetypes, invoices with
product lines, and everything that happens to them up to an end date: partial
payments, credit notes, disputes, promises to pay (some broken), unapplied cash,
overpayments and write-offs, in several currencies with daily fx rates. The ledger
is what an ERP would export on the end date; the generator's own knowledge (each
customer's archetype, each invoice's true probability of being paid late and its
expected payment date) is kept apart in :attr:`SyntheticLedger.truth`, so risk,
habit and forecast analyses can be scored against it.

The same seed gives the same ledger, byte for byte, on any day: the end date is a
parameter with a fixed default, never "today".

>>> synth = generate(customers=5, years=1, seed=1)
>>> sorted(synth.truth)
['customers', 'invoices', 'promises']
>>> synth.ledger().query("SELECT count(*) AS n FROM customers")["n"].iloc[0]
np.int64(5)
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from arkit._schema import conform
from arkit._synth_model import (
    ARCHETYPES,
    CNY_DATES,
    PAYMENT_TERMS,
    make_customers,
    make_documents,
    make_fx_rates,
)
from arkit.errors import ParamsError

if TYPE_CHECKING:
    from arkit.ledger import Ledger

__all__ = ["ARCHETYPES", "PAYMENT_TERMS", "DEFAULT_END_DATE", "SyntheticLedger", "generate"]

DEFAULT_END_DATE = "2026-11-30"
_FORMATS = ("csv", "parquet")
_TRUTH_README = """\
Ground truth of a synthetic arkit ledger (arkit.synth). Not a ledger table: ingest
reads only the files of the folder above.

customers.parquet  customer_id, archetype and the habit behind it (mean/sd of days late,
                   drift per year, dispute probability, default_date and
                   write_off_date of defaulters)
invoices.parquet   per invoice (doc_type invoice): p_late = P(paid after due date or never),
                   p_late_30 = P(more than 30 days late or never), p_never_paid,
                   expected_days_late and expected_payment_date (given it is paid),
                   the simulated actual_payment_date (may lie after the end date),
                   settled_by_end, written_off, disputed, partial_payment, overpaid,
                   instalments (number of parts of its payment_schedule; 1 = none)
promises.parquet   promise_id, invoice_id, kept (paid by the promised date + 2 days)
defects.parquet    messy exports only: every injected defect with its file, line,
                   key and the reason code ingest is expected to give it
params.json        the generator parameters and row counts
"""


@dataclass
class SyntheticLedger:
    """A generated ledger and the truth behind it.

    Attributes
    ----------
    arrow : dict of str to pyarrow.Table
        Canonical tables (exact ``decimal128(18, 2)`` money, ``date32`` dates).
    truth : dict of str to pandas.DataFrame
        ``customers``, ``invoices``, ``promises``; ``defects`` after a messy :meth:`write`.
    params : dict
        The parameters of :func:`generate`.
    """

    arrow: dict[str, pa.Table]
    truth: dict[str, pd.DataFrame]
    params: dict
    _frames: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Canonical tables as pandas frames; money and dates keep their exact Arrow types."""
        if not self._frames:

            def exact(arrow_type: pa.DataType) -> pd.ArrowDtype | None:
                keep = pa.types.is_decimal(arrow_type) or pa.types.is_date(arrow_type)
                return pd.ArrowDtype(arrow_type) if keep else None

            self._frames = {
                name: table.to_pandas(types_mapper=exact) for name, table in self.arrow.items()
            }
        return self._frames

    def ledger(self) -> Ledger:
        """The tables as an in-memory :class:`arkit.ledger.Ledger`."""
        from arkit.ledger import Ledger

        return Ledger.from_frames(source=self.describe(), **self.arrow)

    def describe(self) -> str:
        """One line naming the generator call, for source notes.

        >>> generate(customers=3, years=1, seed=4).describe()
        'arkit.synth.generate(customers=3, years=1, seed=4, end_date=2026-11-30, invoices_per_month=4.0)'
        """
        args = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"arkit.synth.generate({args})"

    def write(
        self,
        out_dir: str | Path,
        format: str = "csv",
        messy: bool = False,
        overwrite: bool = False,
        defects_per_kind: int = 2,
    ) -> Path:
        """Write raw export files and the ground truth to ``out_dir``.

        Clean mode writes ``<table>.csv`` (UTF-8) or ``<table>.parquet`` with canonical
        headers. Messy mode writes what an ERP exports: Chinese headers, GBK-encoded
        CSV, amounts with currency symbols and thousands separators, mixed date
        formats, ``customers.xlsx`` with a title row, and ``defects_per_kind`` injected
        defects of each kind, listed in ``truth/defects.parquet`` (and in
        ``self.truth["defects"]``). The truth goes to ``out_dir/truth/``. The folder is
        built beside ``out_dir`` and renamed into place, so a failure leaves nothing
        half-written.

        Parameters
        ----------
        out_dir : str or Path
            Destination folder; must not exist or be empty unless ``overwrite``.
        format : {"csv", "parquet"}
            File format of clean mode (messy mode is always CSV + one XLSX).
        messy : bool
            Write ERP-style exports with injected defects.
        overwrite : bool
            Replace a non-empty ``out_dir``.
        defects_per_kind : int
            Messy mode: how many defects of each kind to inject.

        Returns
        -------
        Path
            ``out_dir``.
        """
        if format not in _FORMATS:
            raise ParamsError(f"format: {format!r} is not one of {', '.join(_FORMATS)}")
        if messy and format != "csv":
            raise ParamsError(
                f"format: a messy export is GBK CSV plus one XLSX, not {format}; use csv"
            )
        if messy and defects_per_kind < 1:
            raise ParamsError(f"defects_per_kind: must be at least 1, got {defects_per_kind}")
        out = Path(out_dir)
        if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
            raise ParamsError(
                f"{out}: exists and is not an empty folder; choose another --out or --overwrite"
            )
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
        except OSError as err:
            raise ParamsError(f"{out}: cannot create the folder ({err.strerror})") from None
        try:
            truth_dir = tmp / "truth"
            truth_dir.mkdir()
            if messy:
                from arkit._synth_messy import write_messy

                rng = np.random.default_rng([self.params["seed"], 1])
                self.truth["defects"] = write_messy(self, tmp, rng, defects_per_kind)
            else:
                for name, table in self.arrow.items():
                    if format == "csv":
                        pacsv.write_csv(table, tmp / f"{name}.csv")
                    else:
                        pq.write_table(table, tmp / f"{name}.parquet")
            for name, frame in self.truth.items():
                frame.to_parquet(truth_dir / f"{name}.parquet", index=False)
            info = {
                "generator": self.describe(),
                "params": self.params,
                "format": "messy" if messy else format,
                "rows": {name: table.num_rows for name, table in self.arrow.items()},
            }
            (truth_dir / "params.json").write_text(
                json.dumps(info, indent=2, ensure_ascii=False), encoding="utf-8"
            )
            (truth_dir / "README.md").write_text(_TRUTH_README, encoding="utf-8")
            _replace_folder(tmp, out)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return out


def _replace_folder(new: Path, out: Path) -> None:
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
        new.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(out)


def _check_params(customers: int, years: int, seed: int, end_date: str | dt.date) -> dt.date:
    for name, value, low in (("customers", customers, 1), ("years", years, 1), ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ParamsError(f"{name}: must be an integer >= {low}, got {value!r}")
    if isinstance(end_date, dt.date):
        end = end_date
    else:
        try:
            end = dt.date.fromisoformat(str(end_date))
        except ValueError:
            raise ParamsError(f"end_date: {end_date!r} is not a date (use YYYY-MM-DD)") from None
    first, last = min(CNY_DATES) + 1, max(CNY_DATES) - 1
    if end.year - years < first - 1 or end.year > last:
        raise ParamsError(
            f"end_date/years: the ledger must lie within {first}-{last} "
            f"(got {end.year - years + 1}-{end.year}; the Chinese New Year calendar ends there)"
        )
    return end


def generate(
    customers: int = 200,
    years: int = 3,
    seed: int = 0,
    end_date: str | dt.date = DEFAULT_END_DATE,
    invoices_per_month: float = 4.0,
) -> SyntheticLedger:
    """Generate a synthetic ledger with known ground truth.

    Parameters
    ----------
    customers : int
        Number of customers (>= 1).
    years : int
        Length of the history, ending at ``end_date`` (>= 1). The first month is the
        one after ``end_date``'s month, ``years`` years earlier.
    seed : int
        Seed of the random generator; the same seed gives the same ledger.
    end_date : str or datetime.date
        The export date: nothing in the ledger is dated after it (a promise's
        ``promised_date`` may be, since it is a date promised on or before it).
    invoices_per_month : float
        Mean invoices per active customer and month before growth and seasonality;
        invoices ≈ ``customers * 12 * years * invoices_per_month``.

    Returns
    -------
    SyntheticLedger

    Raises
    ------
    arkit.errors.ParamsError
        If a parameter is out of range.

    >>> s = generate(customers=20, years=1, seed=3)
    >>> inv = s.tables["invoices"]
    >>> bool((inv.loc[inv.doc_type == "invoice", "amount"] > 0).all())
    True
    """
    end = _check_params(customers, years, seed, end_date)
    if not invoices_per_month > 0:
        raise ParamsError(f"invoices_per_month: must be > 0, got {invoices_per_month!r}")
    rng = np.random.default_rng(seed)
    end_day = int(np.datetime64(end, "D").astype(np.int64))
    first_month = np.datetime64(end, "M") + 1 - 12 * years
    start_day = int(first_month.astype("datetime64[D]").astype(np.int64))
    n_months = 12 * years

    cust = make_customers(rng, customers, start_day, end_day, n_months, invoices_per_month)
    docs = make_documents(rng, cust, start_day, end_day, n_months)
    fx = make_fx_rates(rng, start_day, end_day)

    first_active = (first_month + cust.first_month).astype("datetime64[D]").astype(np.int64)
    arrow = {
        "customers": cust.table,
        "invoices": docs["invoices"],
        "payments": docs["payments"],
        "invoice_lines": docs["invoice_lines"],
        "promises": docs["promises"],
        "disputes": docs["disputes"],
        "payment_schedule": docs["payment_schedule"],
        "fx_rates": fx,
    }
    # conform is a no-op cast on these tables; it guarantees the canonical schema.
    arrow = {name: conform(name, table) for name, table in arrow.items()}
    params = {
        "customers": int(customers),
        "years": int(years),
        "seed": int(seed),
        "end_date": end.isoformat(),
        "invoices_per_month": float(invoices_per_month),
    }
    truth = {
        "customers": cust.truth(first_active),
        "invoices": docs["truth_invoices"],
        "promises": docs["truth_promises"],
    }
    return SyntheticLedger(arrow=arrow, truth=truth, params=params)
