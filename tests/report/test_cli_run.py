"""`arkit run` help and its one-line errors (no kernel is started by these tests)."""

from __future__ import annotations

import pytest

from arkit.cli import main
from arkit.errors import ReportError
from arkit.report._runner import prune_runs

from .conftest import FIXTURE_NOTEBOOKS


def test_run_help_documents_every_option_and_the_outputs(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in (
        "--as-of",
        "--ledger",
        "--audience",
        "--out",
        "--keep",
        "--params",
        "--param",
        "--notebooks",
        "--params-dir",
        "--timeout",
        "--jobs",
    ):
        assert option in out
    assert "OUT/<as_of>/<audience>/<report>.html" in out
    assert "exit with status 1" in out


def _run(capsys, *argv) -> tuple[int, str]:
    code = main(["run", *argv, "--notebooks", str(FIXTURE_NOTEBOOKS)])
    return code, capsys.readouterr().err.strip()


def test_unknown_report_is_one_line(capsys, params_folder, tmp_path):
    code, err = _run(capsys, "agin", "--params-dir", str(params_folder), "--out", str(tmp_path))
    assert code == 2
    assert err.startswith("arkit run: error: unknown report 'agin'; valid reports: all, aging")
    assert "\n" not in err


def test_bad_value_is_one_line(capsys, params_folder, tmp_path):
    code, err = _run(
        capsys,
        "good",
        "-p",
        "top_n=many",
        "--params-dir",
        str(params_folder),
        "--out",
        str(tmp_path),
    )
    assert code == 2
    assert err == (
        'arkit run: error: params: top_n "many": Input should be a valid integer, unable to '
        "parse string as an integer (report good)"
    )
    assert not (tmp_path / "2026-11-30").exists()


@pytest.mark.parametrize("option", ["--keep", "--timeout", "--jobs"])
def test_counts_must_be_positive_before_anything_runs(capsys, params_folder, tmp_path, option):
    code, err = _run(
        capsys, "good", option, "0", "--params-dir", str(params_folder), "--out", str(tmp_path)
    )
    assert code == 2
    assert err == f"arkit run: error: {option} 0: must be at least 1"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("option", ["--notebooks", "--params-dir"])
def test_a_missing_folder_is_refused_before_anything_runs(capsys, params_folder, tmp_path, option):
    """A mistyped --params-dir used to run silently without the defaults."""
    folders = {"--notebooks": str(FIXTURE_NOTEBOOKS), "--params-dir": str(params_folder)}
    missing = tmp_path / "nowhere"
    folders[option] = str(missing)
    out = tmp_path / "out"
    code = main(["run", "good", "--out", str(out), *(x for kv in folders.items() for x in kv)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == f"arkit run: error: {missing}: no such folder (see {option})"
    assert not out.exists()


def test_prune_refuses_to_keep_nothing(tmp_path):
    with pytest.raises(ReportError, match="--keep 0: keep at least 1 run"):
        prune_runs(tmp_path, 0)
