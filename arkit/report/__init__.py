"""Report pipeline: what a report notebook needs, and the runner behind ``arkit run``.

Notebooks only need :class:`ReportContext`; the runner's names are imported on
first use so that a notebook does not pay for papermill, nbconvert or pydantic.
"""

from __future__ import annotations

import importlib

# public name -> module that defines it; nothing is imported until used, so that
# `arkit run --help` does not load pandas and DuckDB
_EXPORTS: dict[str, str] = {
    "ReportContext": "arkit.report._context",
    "run_reports": "arkit.report._runner",
    "RunSummary": "arkit.report._runner",
    "ReportResult": "arkit.report._runner",
    "prune_runs": "arkit.report._runner",
    "Report": "arkit.report._registry",
    "Metric": "arkit.report._registry",
    "REGISTRY": "arkit.report._registry",
    "discover_reports": "arkit.report._registry",
    "build_params": "arkit.report._params",
    "parse_parameters": "arkit.report._notebook",
    "render_html": "arkit.report._html",
    "load_audiences": "arkit.report._audience",
    "scope_ledger": "arkit.report._audience",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'arkit.report' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
