"""arkit — receivables workbench.

The public API is listed in ``__all__``. Names are imported on first use so that
``import arkit`` (and the ``arkit`` command) stays fast: the aging CLI never pays for
plotting or notebook machinery it does not use.
"""

from __future__ import annotations

import importlib

from arkit._version import __version__

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "ArkitError": "arkit.errors",
    # ingest (``arkit.ingest`` itself is the callable ingest package, see below)
    "IngestResult": "arkit.ingest",
    "REASONS": "arkit.ingest",
    # the ledger
    "Ledger": "arkit.ledger",
    "open_ledger": "arkit.ledger",
    "save_ledger": "arkit.ledger",
    # payment terms
    "PaymentTerms": "arkit.terms",
    "parse_terms": "arkit.terms",
    "due_date": "arkit.terms",
    "due_dates": "arkit.terms",
    # aging and KPIs
    "aging_summary": "arkit.aging",
    "aging_items": "arkit.aging",
    "aging_history": "arkit.aging",
    "top_overdue": "arkit.aging",
    "ar_kpis": "arkit.kpis",
    "kpi_history": "arkit.kpis",
    # synthetic data
    "SyntheticLedger": "arkit.synth",
    "load_sample_ledger": "arkit.datasets",
    "load_sample_truth": "arkit.datasets",
    "sample_ledger_path": "arkit.datasets",
    # reports
    "ReportContext": "arkit.report",
    "run_reports": "arkit.report",
}
# subpackages offered as attributes: ``arkit.ingest(...)`` runs an ingest,
# ``arkit.aging.aging(...)`` ages a ledger, ``arkit.synth.generate(...)`` builds one
_SUBMODULES = ("ingest", "aging", "kpis", "synth", "tables", "charts", "report")

__all__ = ["__version__", "ingest", *_EXPORTS]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"arkit.{name}")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'arkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*__all__, *_SUBMODULES})
