"""The `arkit` command: help for every subcommand, one-line errors, exit codes."""

import argparse
import subprocess
import sys

import pytest

from arkit.cli import COMMANDS, build_parser, main
from arkit.errors import ArkitError


def test_top_level_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert name in out


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_subcommand_has_complete_help(command, capsys):
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert f"usage: arkit {command}" in out
    # every option documents itself
    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices[command]
    for action in sub._actions:
        if action.dest != "help":
            assert action.help, f"arkit {command}: option {action.dest} has no help text"


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: arkit" in capsys.readouterr().out


def test_user_error_is_one_line_and_non_zero(monkeypatch, capsys):
    class FailingCommand:
        @staticmethod
        def run(args):
            raise ArkitError("invoices.csv: no such file")

    class FixedParser:
        def parse_args(self, argv):
            return argparse.Namespace(command="ingest", verbose=False, _module=FailingCommand)

    monkeypatch.setattr("arkit.cli.build_parser", FixedParser)
    assert main(["ingest"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["arkit ingest: error: invoices.csv: no such file"]


def test_python_dash_m_runs_the_cli():
    proc = subprocess.run(
        [sys.executable, "-m", "arkit", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("arkit ")


def test_help_imports_no_data_or_notebook_library():
    code = (
        "import sys, arkit.cli; arkit.cli.build_parser(); "
        "print(sorted(m for m in ('pandas', 'duckdb', 'pyarrow', 'papermill', 'matplotlib') "
        "if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_a_closed_pipe_ends_quietly(tmp_path):
    from arkit.ledger import save_ledger
    from arkit.synth import generate

    # enough customers that the CSV outgrows the pipe buffer and head really closes it early
    synthetic = generate(customers=1500, years=1, seed=1)
    folder = save_ledger(tmp_path / "ledger", synthetic.tables)
    script = (
        f"{sys.executable} -m arkit aging --ledger {folder} "
        "--as-of 2026-11-30 --by customer | head -1"
    )
    proc = subprocess.run(["bash", "-o", "pipefail", "-c", script], capture_output=True, text=True)
    assert proc.stdout.startswith("customer_id,")
    assert proc.stderr == ""
    assert proc.returncode in (0, 141)
