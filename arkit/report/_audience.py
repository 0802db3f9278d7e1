"""Audiences: who a run is for, and which customers they may see.

``params/audiences.yaml`` maps an audience name to a row-level scope on the
``customers`` table, for example::

    all: {}
    sales_alice: {salesperson: Alice}
    region_east: {region: [East, North-East]}

A scope keeps the customers whose columns equal the given value (or one of the
listed values); every other table is restricted to those customers. ``all`` (or
any empty scope) sees everything.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from arkit._schema import TABLES
from arkit.errors import ParamsError

__all__ = ["load_audiences", "audience_scope", "scope_ledger"]


def load_audiences(folder: str | Path) -> dict[str, dict[str, list[str]]]:
    """Read and check ``<folder>/audiences.yaml``; without the file only ``all`` exists.

    Returns
    -------
    dict
        Audience name -> {customers column -> accepted values}.
    """
    from arkit.report._params import load_yaml

    path = Path(folder) / "audiences.yaml"
    raw = load_yaml(path, required=False) or {"all": {}}
    columns = TABLES["customers"].names
    audiences: dict[str, dict[str, list[str]]] = {}
    for name, scope in raw.items():
        # The name becomes a folder under outputs/<as_of>/: keep it a plain word.
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", str(name)):
            raise ParamsError(
                f"{path}: audience name {name!r} must be letters, digits, '_', '-' or '.'"
            )
        if scope is None:
            scope = {}
        if not isinstance(scope, dict):
            raise ParamsError(f"{path}: audience {name!r} must map customer columns to values")
        checked = {}
        for column, value in scope.items():
            if column not in columns:
                raise ParamsError(
                    f"{path}: audience {name!r} filters on unknown customers column "
                    f"{column!r}; valid: {', '.join(columns)}"
                )
            values = value if isinstance(value, list) else [value]
            checked[column] = [str(v) for v in values]
        audiences[str(name)] = checked
    audiences.setdefault("all", {})
    return audiences


def audience_scope(name: str, folder: str | Path) -> dict[str, list[str]]:
    """The scope of audience ``name``; an unknown name is a :class:`ParamsError`."""
    audiences = load_audiences(folder)
    if name not in audiences:
        raise ParamsError(
            f"audience {name!r} is not in {Path(folder) / 'audiences.yaml'}; "
            f"valid audiences: {', '.join(audiences)}"
        )
    return audiences[name]


def scope_ledger(ledger: Any, scope: dict[str, list[str]]) -> Any:
    """A ledger holding only the customers matching ``scope`` (see :meth:`Ledger.restrict`).

    Scope values are bound as parameters, never written into SQL text; the scope's
    column names come from the validated audiences file.

    >>> import pandas as pd
    >>> from arkit.ledger import Ledger
    >>> led = Ledger.from_frames(
    ...     customers=pd.DataFrame({"customer_id": ["C1", "C2"], "customer_name": ["A", "B"],
    ...                             "region": ["East", "West"]}),
    ...     invoices=pd.DataFrame({"invoice_id": ["I1", "I2"], "customer_id": ["C1", "C2"],
    ...                            "invoice_date": ["2026-01-05"] * 2, "amount": [10.0, 20.0]}))
    >>> led = scope_ledger(led, {"region": ["East"]})
    >>> led.query("SELECT invoice_id FROM invoices")["invoice_id"].tolist()
    ['I1']
    """
    if not scope:
        return ledger
    conditions, params = [], []
    for column, values in scope.items():
        conditions.append(f"CAST({column} AS VARCHAR) IN ({', '.join(['?'] * len(values))})")
        params.extend(values)
    in_scope = ledger.con.sql(
        f"SELECT customer_id FROM customers WHERE {' AND '.join(conditions)}", params=params
    ).to_arrow_table()
    return ledger.restrict(in_scope.column("customer_id"), label=f"scope: {scope}")
