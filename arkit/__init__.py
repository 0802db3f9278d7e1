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
    "ArkitError": "arkit.errors",
    "Ledger": "arkit.ledger",
    "open_ledger": "arkit.ledger",
    "PaymentTerms": "arkit.terms",
    "parse_terms": "arkit.terms",
    "due_date": "arkit.terms",
    "due_dates": "arkit.terms",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'arkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
