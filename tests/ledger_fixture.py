"""A small hand-made ledger whose open items, balances and settlements are worked out by hand.

Every rule of the ledger views has a row here; the expected answers sit in the tests.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["fixture_tables", "AS_OF"]

AS_OF = "2026-03-31"


def fixture_tables() -> dict[str, pd.DataFrame]:
    """Return the canonical tables of the worked example (amounts as floats of cents)."""
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "customer_name": ["Acme", "Beta", "Gamma"],
            "region": ["North", "South", "North"],
            "segment": ["Key", "SMB", "SMB"],
            "salesperson": ["Wang", "Li", "Li"],
            "collector": ["Zhao", "Zhao", "Qian"],
            "currency": ["CNY", "CNY", "CNY"],
        }
    )
    rows = [
        # id, customer, date, due, amount, doc_type, reference, disputed
        ("I1", "C1", "2026-01-10", "2026-02-09", 1000.00, "invoice", None, False),
        ("I2", "C1", "2026-02-15", "2026-03-17", 500.00, "invoice", None, False),
        ("CN1", "C1", "2026-03-01", None, -200.00, "credit_note", "I2", False),
        ("CN2", "C1", "2026-04-10", None, -100.00, "credit_note", "I2", False),
        ("I3", "C2", "2026-01-05", None, 300.00, "invoice", None, False),
        ("I4", "C2", "2026-04-02", "2026-05-02", 800.00, "invoice", None, False),
        ("CN3", "C2", "2026-03-10", None, -75.00, "credit_note", None, False),
        ("I5", "C3", "2026-03-31", "2026-04-30", 1200.00, "invoice", None, True),
        ("D1", "C3", "2026-02-01", "2026-03-03", 150.00, "debit_note", None, False),
        ("WO1", "C3", "2026-04-15", None, -150.00, "write_off", "D1", False),
        ("I6", "C1", "2026-01-01", "2026-01-31", 200.00, "invoice", None, False),
        ("I7", "C1", "2026-03-01", "2026-03-31", 100.00, "invoice", None, False),
    ]
    invoices = pd.DataFrame(
        rows,
        columns=[
            "invoice_id",
            "customer_id",
            "invoice_date",
            "due_date",
            "amount",
            "doc_type",
            "reference_invoice_id",
            "disputed",
        ],
    )
    invoices["currency"] = "CNY"
    payments = pd.DataFrame(
        [
            ("P1", "C1", "2026-02-01", 400.00, "I1"),
            ("P2", "C1", "2026-04-05", 600.00, "I1"),
            ("P3", "C2", "2026-01-20", 350.00, "I3"),
            ("P4", "C2", "2026-03-25", 100.00, "I4"),
            ("P5", "C3", "2026-03-15", 250.00, None),
            ("P6", "C1", "2026-01-31", 200.00, "I6"),
            ("P7", "C1", "2026-02-10", -200.00, "I6"),
            ("P8", "C1", "2026-02-20", 200.00, "I6"),
        ],
        columns=["payment_id", "customer_id", "payment_date", "amount", "invoice_id"],
    )
    payments["currency"] = "CNY"
    disputes = pd.DataFrame(
        {
            "dispute_id": ["DS1", "DS2"],
            "invoice_id": ["I1", "I2"],
            "opened_date": ["2026-03-01", "2026-02-20"],
            "closed_date": [None, "2026-03-10"],
        }
    )
    return {
        "customers": customers,
        "invoices": invoices,
        "payments": payments,
        "disputes": disputes,
    }
