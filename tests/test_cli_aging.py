"""``arkit aging``: CSV/JSON for scripts, one-line errors, and a light import footprint."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from decimal import Decimal

import pandas as pd
import pytest
from ledger_fixture import fixture_tables

from arkit.cli import main
from arkit.ledger import save_ledger


@pytest.fixture(scope="module")
def ledger_dir(tmp_path_factory):
    return save_ledger(tmp_path_factory.mktemp("cli") / "ledger", fixture_tables())


def _run(capsys, *argv):
    code = main(["aging", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_csv_by_customer_prints_exact_cents(capsys, ledger_dir):
    code, out, err = _run(capsys, "--ledger", str(ledger_dir), "--as-of", "2026-03-31")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("customer_id,customer_name,currency,not_due,1-30,31-60,61-90")
    assert "C1,Acme,CNY,100.00,300.00,600.00,0.00,0.00,0.00,1000.00" in lines[2]
    table = pd.read_csv(io.StringIO(out), dtype={"total": str})
    assert table["total"].map(Decimal).sum() == Decimal("2350.00")


def test_json_by_region(capsys, ledger_dir):
    code, out, _ = _run(
        capsys,
        "--ledger",
        str(ledger_dir),
        "--as-of",
        "2026-03-31",
        "--by",
        "region",
        "--format",
        "json",
    )
    assert code == 0
    rows = {row["region"]: row for row in json.loads(out)}
    assert rows["North"]["total"] == 2350.0
    assert rows["North"]["31-60"] == 600.0
    assert rows["South"]["credit_balance"] == 125.0


def test_bucket_edges_and_received_after_options(capsys, ledger_dir):
    code, out, _ = _run(
        capsys,
        "--ledger",
        str(ledger_dir),
        "--as-of",
        "2026-03-31",
        "--by",
        "all",
        "--buckets",
        "15,45",
        "--received-after",
    )
    assert code == 0
    row = pd.read_csv(io.StringIO(out)).iloc[0]
    # I5 + I7 not due; I2 14 days past due; D1 28 days; I1 50 days
    assert row[["not_due", "1-15", "16-45", "46+"]].tolist() == [1300.0, 300.0, 150.0, 600.0]
    assert row["received_after"] == 600.0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--as-of", "2026-02-30"], "--as-of: '2026-02-30' is not a date"),
        (["--by", "country"], "--by: 'country' is not one of customer"),
        (["--basis", "paid_date"], "--basis: 'paid_date' is not one of due_date, invoice_date"),
        (["--buckets", "90,30"], "--buckets: '90,30' must be strictly increasing"),
        (["--buckets", "abc"], "--buckets: 'abc' must be strictly increasing"),
        # the fixture has no fx rates: CNY cannot be converted to anything else
        (["--reporting-currency", "USD"], "for CNY (needed to report in USD)"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(capsys, ledger_dir, argv, message):
    code, out, err = _run(capsys, "--ledger", str(ledger_dir), *argv)
    assert code != 0
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("arkit aging: error: ") and message in err


def test_missing_ledger_folder(capsys, tmp_path):
    code, _, err = _run(capsys, "--ledger", str(tmp_path / "nope"), "--as-of", "2026-03-31")
    assert code != 0
    assert "no such ledger folder" in err and err.count("\n") == 1


def test_aging_command_loads_no_plotting_notebook_or_model_library(ledger_dir):
    script = (
        "import io, contextlib, sys, arkit.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = arkit.cli.main(['aging', '--ledger', {str(ledger_dir)!r}, '--as-of', '2026-03-31'])\n"
        "heavy = ['sklearn', 'statsmodels', 'lifelines', 'matplotlib', 'seaborn', 'great_tables',\n"
        "         'papermill', 'nbconvert', 'IPython']\n"
        "print(code, sorted(m for m in heavy if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "0 []"


def test_json_numbers_are_the_nearest_doubles_to_the_csv_cents(capsys, ledger_dir):
    common = ("--ledger", str(ledger_dir), "--as-of", "2026-03-31", "--by", "customer")
    _, csv_out, _ = _run(capsys, *common, "--format", "csv")
    _, json_out, _ = _run(capsys, *common, "--format", "json")
    exact = pd.read_csv(io.StringIO(csv_out), dtype=str)
    rows = json.loads(json_out)
    assert len(rows) == len(exact) == 3
    for column in ("total", "overdue", "unapplied_cash", "credit_balance", "net_balance"):
        assert [row[column] for row in rows] == [float(Decimal(v)) for v in exact[column]]
