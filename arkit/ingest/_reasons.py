"""Reason codes for rows that ingest rejects, flags or merges, with the message each gets.

One place for the codes, shared with the synthetic generator's messy mode (which
injects a defect per code and checks that ingest finds exactly those rows).
Messages are templates filled column-wise with:

``{where}`` ("row 17 of invoices.csv"), ``{noun}`` ("invoice"), ``{key}``
("INV-0042"), ``{column}``, ``{value}`` (the text as read) and ``{other}`` (the
second fact the message needs, e.g. the invoice date a due date precedes).
"""

from __future__ import annotations

__all__ = ["REASONS", "SEVERITY", "FLAGGED", "MERGED"]

REASONS: dict[str, str] = {
    "missing_key": "{where}: the {column} is empty, so the {noun} cannot be identified",
    "missing_value": "{where}: {noun} {key} has no {column}",
    "duplicate_conflict": (
        "{where}: {noun} {key} appears again with different values; "
        "the first occurrence (row {other}) is kept"
    ),
    "merged": "{where}: {noun} {key} is an exact copy of row {other}; kept once",
    "unknown_customer": (
        "{where}: {noun} {key} is for customer {value}, who is not in the customer list"
    ),
    "unknown_invoice": (
        "{where}: {noun} {key} refers to invoice {value}, which is not in the invoice list{other}"
    ),
    "bad_date": "{where}: {noun} {key} has {column} '{value}', which is not a date",
    "bad_amount": "{where}: {noun} {key} has {column} '{value}', which is not an amount",
    "bad_value": "{where}: {noun} {key} has {column} '{value}', which is not a recognised value",
    "due_before_invoice": (
        "{where}: invoice {key} has due date {value} before its invoice date {other}"
    ),
    "date_out_of_range": (
        "{where}: {noun} {key} has {column} {value}, before 1990 or more than a year after {other}"
    ),
    "missing_fx_rate": (
        "{where}: {noun} {key} is in {value} but fx_rates has no {value} rate to {other}"
    ),
    "zero_amount": "{where}: {noun} {key} has a zero {column}",
    "sign_mismatch": "{where}: {noun} {key} has a negative {column} {value} but is {other}",
    "bad_terms": (
        "{where}: customer {key} has payment terms '{value}' that arkit cannot read; "
        "their invoices need a due date in the export"
    ),
    "missing_due_date": (
        "{where}: invoice {key} has no due date and customer {other} has no readable "
        "payment terms to derive one"
    ),
}

FLAGGED = frozenset({"unknown_invoice", "bad_terms"})
"""Codes whose row is kept in the clean ledger and only reported (payments' unknown invoice)."""

MERGED = "merged"

SEVERITY: dict[str, str] = {
    code: ("flagged" if code in FLAGGED else "merged" if code == MERGED else "rejected")
    for code in REASONS
}
