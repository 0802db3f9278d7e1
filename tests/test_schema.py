"""The canonical schema contract and conform()."""

from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

from arkit._schema import MONEY, TABLES, arrow_schema, conform


def test_every_table_has_its_key_among_required_columns():
    for table in TABLES.values():
        assert set(table.key) <= set(table.required), table.name


def test_money_columns_are_exact_decimals():
    assert TABLES["invoices"].money_columns == ("amount",)
    assert arrow_schema("invoices").field("amount").type == MONEY


def test_conform_rounds_floats_to_the_cent_and_sums_exactly():
    frame = pd.DataFrame(
        {
            "invoice_id": [f"I{i}" for i in range(1000)],
            "customer_id": "C1",
            "invoice_date": "2026-01-01",
            "amount": [0.1] * 1000,
        }
    )
    table = conform("invoices", frame)
    assert table.column("amount").type == MONEY
    assert pa.compute.sum(table.column("amount")).as_py() == Decimal("100.00")


def test_conform_adds_missing_optional_columns_as_nulls_in_canonical_order():
    table = conform(
        "payments",
        pd.DataFrame(
            {
                "amount": ["12.345"],
                "payment_id": ["P1"],
                "customer_id": ["C1"],
                "payment_date": ["2026-02-01"],
                "extra": [1],
            }
        ),
    )
    assert table.column_names == list(TABLES["payments"].names)
    assert table.column("invoice_id").null_count == 1
    assert table.column("amount")[0].as_py() == Decimal("12.35")


def test_conform_names_the_missing_required_column():
    with pytest.raises(KeyError, match="invoices: missing required column"):
        conform("invoices", pd.DataFrame({"invoice_id": ["I1"]}))


def test_conform_reads_integer_money_as_whole_units():
    table = conform(
        "payments",
        pd.DataFrame(
            {
                "payment_id": ["P1", "P2"],
                "customer_id": "C1",
                "payment_date": "2026-02-01",
                "amount": [100, 50],
            }
        ),
    )
    assert table.column("amount").to_pylist() == [Decimal("100.00"), Decimal("50.00")]
