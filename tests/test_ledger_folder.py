"""save_ledger / open_ledger: atomic folder writes, manifest totals, clear errors."""

import json
from decimal import Decimal

import pandas as pd
import pytest

from arkit.errors import LedgerError
from arkit.ledger import open_ledger, save_ledger

CUSTOMERS = pd.DataFrame({"customer_id": ["C1", "C2"], "customer_name": ["Acme", "广州贸易"]})
INVOICES = pd.DataFrame(
    {
        "invoice_id": ["I1", "I2", "I3"],
        "customer_id": ["C1", "C1", "C2"],
        "invoice_date": ["2026-01-05", "2026-01-06", "2026-02-01"],
        "amount": ["100.10", "0.20", "-5.00"],
    }
)


def test_manifest_records_exact_money_and_rows(tmp_path):
    folder = save_ledger(tmp_path / "ledger", {"customers": CUSTOMERS, "invoices": INVOICES})
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == 1
    assert manifest["tables"]["invoices"] == {"rows": 3, "money": {"amount": "95.30"}}
    assert manifest["tables"]["payments"]["rows"] == 0
    led = open_ledger(folder)
    total = led.arrow("SELECT sum(amount) AS s FROM invoices").column("s")[0].as_py()
    assert total == Decimal("95.30")
    assert led.query("SELECT customer_name FROM customers ORDER BY customer_id")[
        "customer_name"
    ].tolist() == ["Acme", "广州贸易"]


def test_optional_tables_are_empty_views(tmp_path):
    led = open_ledger(save_ledger(tmp_path / "l", {"customers": CUSTOMERS}))
    assert not led.has("payment_schedule")
    assert led.query("SELECT count(*) AS n FROM fx_rates")["n"].iloc[0] == 0


def test_failed_write_leaves_previous_ledger_untouched(tmp_path):
    folder = save_ledger(tmp_path / "l", {"customers": CUSTOMERS, "invoices": INVOICES})
    before = (folder / "invoices.parquet").read_bytes()
    with pytest.raises(KeyError):
        save_ledger(folder, {"customers": CUSTOMERS, "invoices": INVOICES.drop(columns="amount")})
    assert (folder / "invoices.parquet").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l"]  # no temp folder left behind


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "no such ledger folder"),
        (lambda p: p.mkdir(), "customers.parquet is missing"),
        (lambda p: (p.mkdir(), (p / "manifest.json").write_text("{oops")), "not valid JSON"),
        (
            lambda p: (p.mkdir(), (p / "manifest.json").write_text('{"schema_version": 99}')),
            "schema version 99",
        ),
    ],
)
def test_open_ledger_errors_name_the_problem(tmp_path, setup, message):
    folder = tmp_path / "ledger"
    setup(folder)
    with pytest.raises(LedgerError, match=message):
        open_ledger(folder)
