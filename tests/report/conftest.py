"""Shared fixtures of the pipeline tests: a tiny ledger, a params folder, fixture notebooks.

Executing a notebook costs seconds, so the runs are module-scoped and shared.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
import yaml

from arkit.ledger import save_ledger

FIXTURE_NOTEBOOKS = Path(__file__).parents[1] / "fixtures" / "notebooks"
SCRIPT_NAME = "<script>alert(1)</script>"

# Hand-computed from the rows below.
TOTAL_INVOICED = 1250.35  # 100.10 + 200.00 + 50.25 + 1000.00 - 100.00
TOTAL_EAST = 1200.10  # customers C1 and C3


def make_ledger(folder: Path) -> Path:
    customers = pd.DataFrame(
        {
            "customer_id": ["C1", "C2", "C3"],
            "customer_name": ["Acme Ltd", SCRIPT_NAME, "Zeta & Co"],
            "region": ["East", "West", "East"],
            "salesperson": ["Alice", "Bob", "Bob"],
        }
    )
    invoices = pd.DataFrame(
        {
            "invoice_id": ["I1", "I2", "I3", "I4", "I5"],
            "customer_id": ["C1", "C1", "C2", "C3", "C3"],
            "invoice_date": ["2026-09-01", "2026-10-01", "2026-10-15", "2026-08-01", "2026-08-20"],
            "amount": ["100.10", "200.00", "50.25", "1000.00", "-100.00"],
            "doc_type": ["invoice", "invoice", "invoice", "invoice", "credit_note"],
        }
    )
    payments = pd.DataFrame(
        {
            "payment_id": ["P1"],
            "customer_id": ["C1"],
            "payment_date": ["2026-10-20"],
            "amount": ["100.10"],
            "invoice_id": ["I1"],
        }
    )
    return save_ledger(folder, {"customers": customers, "invoices": invoices, "payments": payments})


def make_params(folder: Path, ledger: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    default = {
        "ledger": str(ledger),
        "as_of": "",
        "reporting_currency": "",
        "company": "Fixture Co",
        "language": "en",
        "audience": "all",
        "output_dir": "",
    }
    (folder / "default.yaml").write_text(yaml.safe_dump(default), encoding="utf-8")
    (folder / "good.yaml").write_text("top_n: 10\n", encoding="utf-8")
    (folder / "audiences.yaml").write_text(
        "all: {}\nregion_east: {region: East}\nsales_alice: {salesperson: Alice}\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="session")
def ledger_dir(tmp_path_factory) -> Path:
    return make_ledger(tmp_path_factory.mktemp("ledger") / "ledger")


@pytest.fixture(scope="session")
def params_folder(tmp_path_factory, ledger_dir) -> Path:
    return make_params(tmp_path_factory.mktemp("params") / "params", ledger_dir)


@pytest.fixture(scope="session")
def fixture_run(tmp_path_factory, params_folder, ledger_dir):
    """One successful run of every fixture notebook (``failing`` told not to fail).

    Returns the output root; the run is as of 2026-11-30 for audience ``all``.
    """
    from arkit.report._runner import run_reports

    out = tmp_path_factory.mktemp("run") / "outputs"
    cwd = os.getcwd()
    summary = run_reports(
        ["all"],
        out=out,
        as_of="2026-11-30",
        notebooks=FIXTURE_NOTEBOOKS,
        params_folder=params_folder,
        assignments=["failing.fail=false"],
        jobs=2,
    )
    assert summary.ok, summary.failed
    assert os.getcwd() == cwd  # parallel reports never move this process
    return out


@pytest.fixture(scope="session")
def real_run(tmp_path_factory):
    """``arkit run all`` on the repository's notebooks and params, over a small synthetic ledger.

    Returns the output root (as of 2026-11-30, audience ``all``) and the run summary.
    """
    from arkit.cli import main
    from arkit.report._runner import run_reports

    root = tmp_path_factory.mktemp("real")
    assert (
        main(
            [
                "synth",
                "--customers",
                "40",
                "--years",
                "1",
                "--seed",
                "3",
                "--out",
                str(root / "raw"),
            ]
        )
        == 0
    )
    assert main(["ingest", str(root / "raw"), "--out", str(root / "ledger")]) == 0
    summary = run_reports(
        ["all"], out=root / "outputs", ledger=str(root / "ledger"), as_of="2026-11-30"
    )
    return root / "outputs", summary
