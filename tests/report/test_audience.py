"""Audiences: scopes from audiences.yaml and the ledger restricted to the scoped customers."""

from __future__ import annotations

import pytest

from arkit.errors import ParamsError
from arkit.ledger import open_ledger
from arkit.report import ReportContext
from arkit.report._audience import audience_scope, load_audiences, scope_ledger

from .conftest import TOTAL_EAST, TOTAL_INVOICED


def _total(ledger) -> float:
    return float(ledger.query("SELECT coalesce(sum(amount), 0) AS s FROM invoices")["s"].iloc[0])


def test_scopes_are_read_and_checked(params_folder, tmp_path):
    assert load_audiences(params_folder)["region_east"] == {"region": ["East"]}
    assert load_audiences(tmp_path) == {"all": {}}  # no file: everyone sees everything
    (tmp_path / "audiences.yaml").write_text("east: {regio: East}\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="unknown customers column 'regio'"):
        load_audiences(tmp_path)
    with pytest.raises(ParamsError, match="audience 'west' is not in"):
        audience_scope("west", params_folder)
    (tmp_path / "audiences.yaml").write_text("../east: {region: East}\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="audience name '../east' must be letters"):
        load_audiences(tmp_path)


def test_scoped_ledger_restricts_every_customer_table(ledger_dir):
    led = scope_ledger(open_ledger(ledger_dir), {"salesperson": ["Alice"]})
    assert led.query("SELECT customer_id FROM customers")["customer_id"].tolist() == ["C1"]
    assert sorted(led.query("SELECT invoice_id FROM invoices")["invoice_id"]) == ["I1", "I2"]
    assert led.query("SELECT payment_id FROM payments")["payment_id"].tolist() == ["P1"]
    assert _total(led) == pytest.approx(300.10)


def test_a_list_matches_any_value_and_values_are_not_sql(ledger_dir):
    led = scope_ledger(open_ledger(ledger_dir), {"region": ["West", "East"]})
    assert _total(led) == pytest.approx(TOTAL_INVOICED)
    nobody = scope_ledger(open_ledger(ledger_dir), {"region": ["East' OR '1'='1"]})
    assert _total(nobody) == 0


def test_report_context_scopes_by_audience(ledger_dir, params_folder, monkeypatch):
    monkeypatch.setenv("ARKIT_PARAMS", str(params_folder))
    east = ReportContext.from_params(ledger=str(ledger_dir), audience="region_east")
    assert _total(east.ledger) == pytest.approx(TOTAL_EAST)
    everyone = ReportContext.from_params(ledger=str(ledger_dir))
    assert _total(everyone.ledger) == pytest.approx(TOTAL_INVOICED)
