"""Ingest: messy ERP/CRM exports in, a clean canonical ledger folder out.

``ingest`` reads CSV (UTF-8 or GBK), XLSX/XLS, Parquet and SQL sources, recognises
English and Chinese headers, parses amounts, dates, flags and payment terms
column-wise, gives every bad row a reason code (:data:`REASONS`), and writes one
Parquet file per table, ``rejects.parquet`` and a ``manifest.json`` whose row and
money totals reconcile exactly.

>>> sorted(REASONS)[:3]
['bad_amount', 'bad_date', 'bad_terms']
"""

import sys
import types

from arkit.ingest._headers import SYNONYMS, load_mapping, normalise_header
from arkit.ingest._ingest import ingest
from arkit.ingest._readers import SUPPORTED_SUFFIXES
from arkit.ingest._reasons import REASONS, SEVERITY
from arkit.ingest._result import IngestResult
from arkit.ingest._validate import REJECTS_SCHEMA
from arkit.ingest._values import (
    parse_amounts,
    parse_booleans,
    parse_currencies,
    parse_dates,
    parse_doc_types,
)

__all__ = [
    "ingest",
    "IngestResult",
    "REASONS",
    "SEVERITY",
    "REJECTS_SCHEMA",
    "SYNONYMS",
    "SUPPORTED_SUFFIXES",
    "load_mapping",
    "normalise_header",
    "parse_amounts",
    "parse_booleans",
    "parse_currencies",
    "parse_dates",
    "parse_doc_types",
]


class _CallableModule(types.ModuleType):
    """``arkit.ingest(...)`` runs :func:`ingest`: the package is also the function.

    The issue asks for ``arkit.ingest(...)`` while ``arkit.ingest`` is this package
    (``arkit.ingest.REASONS``); a callable module serves both without an import-order
    dependent attribute on ``arkit``.
    """

    def __call__(self, *sources, **options) -> IngestResult:
        return ingest(*sources, **options)


sys.modules[__name__].__class__ = _CallableModule
