"""Property: whatever mixture of good and bad rows comes in, rows and money reconcile exactly."""

from __future__ import annotations

import csv
import json
import tempfile
from decimal import Decimal
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from arkit.ingest import ingest, parse_amounts

AMOUNTS = ["1,234.50", "(5.00)", "0.10", "99", "-", "0", "abc", "", "¥3.33", "-7.01", "1.999"]
DATES = [
    "2026-01-05",
    "2026/2/3",
    "2026年3月5日",
    "20260405",
    "2026-02-30",
    "",
    "1980-01-01",
    "2031-01-01",
]
CUSTOMERS = ["C1", "C2", "C3", "C9", ""]
TERMS = ["NET30", "EOM+30", "whenever", ""]

invoice_row = st.tuples(
    st.sampled_from(["I1", "I2", "I3", "I4", "I5", "I6", ""]),
    st.sampled_from(CUSTOMERS),
    st.sampled_from(DATES),
    st.sampled_from(AMOUNTS),
    st.sampled_from(DATES),
)
payment_row = st.tuples(
    st.sampled_from(["P1", "P2", "P3", "P4", ""]),
    st.sampled_from(CUSTOMERS),
    st.sampled_from(DATES),
    st.sampled_from(AMOUNTS),
    st.sampled_from(["I1", "I2", "I7", ""]),
)
customer_row = st.tuples(
    st.sampled_from(["C1", "C2", "C3", ""]), st.sampled_from(["A", "B"]), st.sampled_from(TERMS)
)


def _write(path: Path, header: list[str], rows: list[tuple]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def _total(texts) -> Decimal:
    return pc.sum(parse_amounts(list(texts))).as_py() or Decimal("0.00")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    customers=st.lists(customer_row, min_size=1, max_size=6),
    invoices=st.lists(invoice_row, min_size=1, max_size=25),
    payments=st.lists(payment_row, max_size=15),
)
def test_rows_and_money_always_reconcile(customers, invoices, payments):
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "raw"
        raw.mkdir()
        _write(raw / "customers.csv", ["customer_id", "customer_name", "payment_terms"], customers)
        _write(
            raw / "invoices.csv",
            ["invoice_id", "customer_id", "invoice_date", "amount", "due_date"],
            invoices,
        )
        _write(
            raw / "payments.csv",
            ["payment_id", "customer_id", "payment_date", "amount", "invoice_id"],
            payments,
        )
        result = ingest(raw, out=Path(tmp) / "ledger", run_date="2026-06-30")
        rejects = result.rejects
        for table, rows in (
            ("customers", customers),
            ("invoices", invoices),
            ("payments", payments),
        ):
            stats = result.manifest["reconciliation"][table]
            clean = pq.read_table(result.folder / f"{table}.parquet")
            mine = rejects[rejects["table"] == table]
            set_aside = mine[mine["severity"] != "flagged"]
            # every input row is either in the clean ledger or set aside, never both, never lost
            assert stats["rows_read"] == len(rows)
            assert len(rows) == clean.num_rows + len(set_aside)
            assert (
                stats["rows_read"]
                == stats["rows_clean"] + stats["rows_rejected"] + stats["rows_merged"]
            )
            assert set_aside["row"].is_unique
            assert set(set_aside["row"]) <= set(range(2, len(rows) + 2))
            if table == "customers":
                continue
            # money: the clean ledger plus the raw amounts of set-aside rows is every amount read
            raw_aside = [json.loads(r)["amount"] for r in set_aside["raw"]]
            clean_total = pc.sum(clean.column("amount")).as_py() or Decimal("0.00")
            money = stats["money"]["amount"]
            assert clean_total == Decimal(money["clean"])
            assert (
                clean_total + _total(raw_aside)
                == _total([r[3] for r in rows])
                == Decimal(money["read"])
            )
            assert Decimal(money["clean"]) + Decimal(money["rejected"]) + Decimal(
                money["merged"]
            ) == Decimal(money["read"])
            # each set-aside row carries its parsed amount, summing to the manifest's figures
            for severity in ("rejected", "merged"):
                amounts = set_aside.loc[set_aside["severity"] == severity, "amount"].dropna()
                assert sum(amounts, Decimal("0.00")) == Decimal(money[severity])
