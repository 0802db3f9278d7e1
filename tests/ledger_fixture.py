"""A small hand-made ledger whose open items, balances and settlements are worked out by hand.

Every rule of the ledger views has a row here; the expected answers sit in the tests.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["fixture_tables", "random_tables", "with_schedules", "AS_OF"]

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
        # partial payment by as_of (P1 400), the rest after it (P2); open dispute DS1
        ("I1", "C1", "2026-01-10", "2026-02-09", 1000.00, "invoice", None, False),
        # credit note before as_of (CN1) and after it (CN2); dispute DS2 closed before as_of
        ("I2", "C1", "2026-02-15", "2026-03-17", 500.00, "invoice", None, False),
        ("CN1", "C1", "2026-03-01", None, -200.00, "credit_note", "I2", False),
        ("CN2", "C1", "2026-04-10", None, -100.00, "credit_note", "I2", False),
        # no due date (due on issue); overpaid by P3 350 -> credit balance 50
        ("I3", "C2", "2026-01-05", None, 300.00, "invoice", None, False),
        # issued after as_of, prepaid before it by P4 (unapplied cash on as_of)
        ("I4", "C2", "2026-04-02", "2026-05-02", 800.00, "invoice", None, False),
        # credit note without a reference -> credit balance
        ("CN3", "C2", "2026-03-10", None, -75.00, "credit_note", None, False),
        # issued on as_of, flagged disputed, not due
        ("I5", "C3", "2026-03-31", "2026-04-30", 1200.00, "invoice", None, True),
        # debit note, written off after as_of by WO1
        ("D1", "C3", "2026-02-01", "2026-03-03", 150.00, "debit_note", None, False),
        ("WO1", "C3", "2026-04-15", None, -150.00, "write_off", "D1", False),
        # paid (P6), reversed (P7), paid again (P8)
        ("I6", "C1", "2026-01-01", "2026-01-31", 200.00, "invoice", None, False),
        # due on as_of: not due
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
            ("P5", "C3", "2026-03-15", 250.00, None),  # cash on account
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


def random_tables(seed: int, n_invoices: int = 60, currencies: tuple[str, ...] = ("CNY",)):
    """A random but valid ledger: partial and over-payments, credit notes, unapplied cash.

    Dates fall in 2025-2026; amounts are whole cents. Used for invariants that must
    hold on any ledger (buckets add up to totals, history equals point-in-time aging).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    n_customers = max(2, n_invoices // 8)
    customer_ids = [f"C{i}" for i in range(n_customers)]
    customers = pd.DataFrame(
        {
            "customer_id": customer_ids,
            "customer_name": [f"Customer {i}" for i in range(n_customers)],
            "region": rng.choice(["North", "South", None], n_customers),
            "salesperson": rng.choice(["Wang", "Li"], n_customers),
            "collector": rng.choice(["Zhao", "Qian"], n_customers),
            "segment": rng.choice(["Key", "SMB"], n_customers),
            "currency": rng.choice(list(currencies), n_customers),
        }
    )
    start = pd.Timestamp("2025-01-01")
    invoice_dates = start + pd.to_timedelta(rng.integers(0, 600, n_invoices), unit="D")
    terms = rng.choice([0, 30, 45, 60], n_invoices)
    amounts = rng.integers(1_000, 500_000, n_invoices) / 100
    invoice_customers = rng.choice(customer_ids, n_invoices)
    invoices = pd.DataFrame(
        {
            "invoice_id": [f"I{i}" for i in range(n_invoices)],
            "customer_id": invoice_customers,
            "invoice_date": invoice_dates.date,
            "due_date": (invoice_dates + pd.to_timedelta(terms, unit="D")).date,
            "amount": amounts,
            "doc_type": "invoice",
            "disputed": rng.random(n_invoices) < 0.1,
        }
    )
    invoices["currency"] = invoices["customer_id"].map(
        customers.set_index("customer_id")["currency"]
    )
    # Credit notes against a fifth of the invoices, a few unreferenced.
    credited = invoices.sample(frac=0.2, random_state=seed)
    credit_notes = pd.DataFrame(
        {
            "invoice_id": [f"CN{i}" for i in range(len(credited))],
            "customer_id": credited["customer_id"].to_numpy(),
            "invoice_date": (
                pd.to_datetime(credited["invoice_date"])
                + pd.to_timedelta(rng.integers(0, 90, len(credited)), unit="D")
            ).dt.date.to_numpy(),
            "amount": -np.round(credited["amount"].to_numpy() * rng.uniform(0.1, 0.6), 2),
            "doc_type": "credit_note",
            "reference_invoice_id": np.where(
                rng.random(len(credited)) < 0.8, credited["invoice_id"].to_numpy(), None
            ),
            "currency": credited["currency"].to_numpy(),
        }
    )
    # One or two payments per invoice: some partial, some over, some never.
    paid = invoices.sample(frac=0.8, random_state=seed + 1)
    share = rng.choice([0.5, 1.0, 1.0, 1.1], len(paid))
    first = np.round(paid["amount"].to_numpy() * share, 2)
    delays = rng.integers(0, 150, len(paid))
    payments = pd.DataFrame(
        {
            "payment_id": [f"P{i}" for i in range(len(paid))],
            "customer_id": paid["customer_id"].to_numpy(),
            "payment_date": (
                pd.to_datetime(paid["invoice_date"]) + pd.to_timedelta(delays, unit="D")
            ).dt.date.to_numpy(),
            "amount": first,
            "invoice_id": np.where(
                rng.random(len(paid)) < 0.9, paid["invoice_id"].to_numpy(), None
            ),
            "currency": paid["currency"].to_numpy(),
        }
    )
    return {
        "customers": customers,
        "invoices": pd.concat([invoices, credit_notes], ignore_index=True),
        "payments": payments,
    }


def with_schedules(tables: dict[str, pd.DataFrame], seed: int, share: float = 0.3):
    """``tables`` plus a payment schedule on a ``share`` of the invoices.

    Each chosen invoice is due in three instalments (its due date, +30 and +60 days)
    of a third each; on half of them the schedule is 1.00 off the invoice amount, so
    the last instalment has to absorb the difference.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    invoices = tables["invoices"]
    chosen = invoices[invoices["doc_type"] == "invoice"].sample(frac=share, random_state=seed)
    third = np.floor(chosen["amount"].to_numpy() * 100 / 3) / 100
    off = np.where(rng.random(len(chosen)) < 0.5, 1.0, 0.0)
    rest = np.round(chosen["amount"].to_numpy() - 2 * third + off, 2)
    due = pd.to_datetime(chosen["due_date"])
    schedule = pd.DataFrame(
        {
            "invoice_id": np.repeat(chosen["invoice_id"].to_numpy(), 3),
            "instalment": np.tile([1, 2, 3], len(chosen)),
            "due_date": np.concatenate(
                [due.to_numpy()[:, None] + np.array([0, 30, 60], "timedelta64[D]")]
            ).ravel(),
            "amount": np.column_stack([third, third, rest]).ravel(),
        }
    )
    schedule["due_date"] = schedule["due_date"].dt.date
    return {**tables, "payment_schedule": schedule}
