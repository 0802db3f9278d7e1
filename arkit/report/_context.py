"""The object a report notebook works with: ledger, as-of date and output folder."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from arkit.errors import ParamsError
from arkit.ledger import Ledger, open_ledger

__all__ = ["ReportContext"]


def _json_value(value: Any) -> Any:
    """Make a metric JSON-friendly: exact money as float rounded to the cent, dates as ISO."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass
class ReportContext:
    """Everything a report notebook needs besides its own parameters.

    Notebooks build it from their parameters cell with :meth:`from_params`, read
    the ledger from :attr:`ledger`, and publish machine-readable results with
    :meth:`save_table` and :meth:`save_metrics`. When ``output_dir`` is empty (an
    analyst running the notebook by hand) nothing is written.

    Attributes
    ----------
    ledger : Ledger
        The clean ledger (already scoped to the audience, when one is set).
    as_of : datetime.date
        Report date.
    output_dir : Path or None
        Folder receiving ``tables/*.csv`` (and ``.xlsx``) and ``metrics.json``.
    reporting_currency : str or None
        Currency to convert to with ``fx_rates``; None keeps document currencies.
    company, language, audience : str
        Shown in titles; ``language`` is ``"en"`` or ``"zh"``.
    """

    ledger: Ledger
    as_of: dt.date
    output_dir: Path | None = None
    reporting_currency: str | None = None
    company: str = ""
    language: str = "en"
    audience: str = "all"
    metrics: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_params(
        cls,
        *,
        ledger: str,
        as_of: str = "",
        output_dir: str = "",
        reporting_currency: str = "",
        company: str = "",
        language: str = "en",
        audience: str = "all",
    ) -> ReportContext:
        """Build the context from a notebook's scalar parameters.

        Parameters
        ----------
        ledger : str
            Clean ledger folder written by ``arkit ingest``.
        as_of : str
            ISO date; empty means today.
        output_dir : str
            Where to write tables and metrics; empty writes nothing.
        reporting_currency, company, language, audience : str
            See the class attributes; ``audience`` restricts the ledger to the
            customers of its scope in ``params/audiences.yaml``.
        """
        if as_of:
            try:
                as_of_date = dt.date.fromisoformat(as_of)
            except ValueError:
                raise ParamsError(f"as_of: {as_of!r} is not a date (use YYYY-MM-DD)") from None
        else:
            as_of_date = dt.date.today()
        return cls(
            ledger=cls.scoped_ledger(ledger, audience),
            as_of=as_of_date,
            output_dir=Path(output_dir) if output_dir else None,
            reporting_currency=reporting_currency or None,
            company=company,
            language=language,
            audience=audience,
        )

    @staticmethod
    def scoped_ledger(ledger: str, audience: str = "all") -> Ledger:
        """Open the ledger folder restricted to the customers ``audience`` may see.

        Scopes come from ``audiences.yaml`` in the params folder
        (:func:`arkit.report._registry.params_dir`, overridable with ``$ARKIT_PARAMS``).
        """
        from arkit.report._audience import audience_scope, scope_ledger
        from arkit.report._registry import params_dir

        scope = audience_scope(audience, params_dir()) if audience != "all" else {}
        return scope_ledger(open_ledger(ledger), scope)

    def save_table(
        self, name: str, frame: pd.DataFrame, *, excel: bool = False, **excel_options: Any
    ) -> Path | None:
        """Write ``tables/<name>.csv`` (and ``.xlsx`` when ``excel``) under the output folder.

        Frames stay numeric: CSV gets plain numbers (no thousands separators) so
        scripts can read them back; Excel gets numbers with number formats.
        ``excel_options`` go to :func:`arkit.tables.to_excel` (e.g.
        ``percent_columns``, ``day_columns``) so that a share or a day count is not
        formatted as money.
        """
        if self.output_dir is None:
            return None
        tables = self.output_dir / "tables"
        tables.mkdir(parents=True, exist_ok=True)
        path = tables / f"{name}.csv"
        frame.to_csv(path, index=False)
        if excel:
            from arkit.tables import to_excel

            to_excel({name: frame}, tables / f"{name}.xlsx", **excel_options)
        return path

    def save_metrics(self, **metrics: Any) -> None:
        """Merge headline metrics into ``metrics.json`` (shown in the run index)."""
        self.metrics.update({k: _json_value(v) for k, v in metrics.items()})
        if self.output_dir is None:
            return
        self.output_dir.mkdir(parents=True, exist_ok=True)
        (self.output_dir / "metrics.json").write_text(
            json.dumps(self.metrics, indent=2, ensure_ascii=False), encoding="utf-8"
        )
