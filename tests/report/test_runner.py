"""The runner end to end on the fixture notebooks: outputs, HTML, failures, lock, keep, audiences.

Runs are shared (module/session fixtures) because each notebook costs a kernel start.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from arkit._version import __version__
from arkit.cli import main
from arkit.errors import LedgerError, ParamsError, ReportError
from arkit.ledger import save_ledger
from arkit.report._lock import RunLock
from arkit.report._runner import check_reporting_currency, run_reports

from .conftest import FIXTURE_NOTEBOOKS, SCRIPT_NAME, TOTAL_EAST, TOTAL_INVOICED

pytestmark = [pytest.mark.notebook, pytest.mark.slow]

AS_OF = "2026-11-30"


def _run_json(out: Path, audience: str = "all") -> dict:
    return json.loads((out / AS_OF / audience / "run.json").read_text(encoding="utf-8"))


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture(scope="module")
def rerun(tmp_path_factory, fixture_run, params_folder):
    """Copy the good run, then run ``failing`` (failing this time) and ``good`` through the CLI.

    Returns (output root, exit code, log records, the failing report's HTML before).
    """
    out = tmp_path_factory.mktemp("rerun") / "outputs"
    shutil.copytree(fixture_run, out, symlinks=True)
    before = (out / AS_OF / "all" / "failing.html").read_bytes()
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = logging.getLogger("arkit.report")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)  # as `arkit` configures logging when run from a shell
    try:
        code = main(
            [
                "run",
                "failing",
                "good",
                "--as-of",
                AS_OF,
                "--out",
                str(out),
                "--notebooks",
                str(FIXTURE_NOTEBOOKS),
                "--params-dir",
                str(params_folder),
                "--jobs",
                "2",
            ]
        )
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return out, code, records, before


# -- a good run ----------------------------------------------------------------------------------


def test_outputs_are_where_the_contract_says(fixture_run):
    audience = fixture_run / AS_OF / "all"
    for name in ("good", "failing", "malicious"):
        assert (audience / f"{name}.html").is_file()
        assert (audience / name / f"{name}.html").read_bytes() == (
            audience / f"{name}.html"
        ).read_bytes()
        executed = json.loads((audience / name / f"{name}.ipynb").read_text(encoding="utf-8"))
        assert any(
            "injected-parameters" in c["metadata"].get("tags", []) for c in executed["cells"]
        )
    assert (fixture_run / AS_OF / "index.html").is_file()
    # no temporary folders or half-written files are left behind
    assert not [p.name for p in audience.iterdir() if p.name.startswith(".")]


def test_tables_and_metrics_hold_the_ledger_values(fixture_run):
    good = fixture_run / AS_OF / "all" / "good"
    metrics = json.loads((good / "metrics.json").read_text(encoding="utf-8"))
    assert metrics == {
        "total_invoiced": TOTAL_INVOICED,
        "customers": 3,
        "as_of": AS_OF,
        "cwd": str(FIXTURE_NOTEBOOKS.resolve()),  # kernels start in the notebook's folder
    }
    table = pd.read_csv(good / "tables" / "invoiced.csv")
    assert table["customer_name"].tolist() == ["Zeta & Co", "Acme Ltd", SCRIPT_NAME]
    assert table["invoiced"].tolist() == [900.00, 300.10, 50.25]


def test_run_json_records_each_report(fixture_run, ledger_dir):
    run = _run_json(fixture_run)
    assert run["status"] == "ok"
    assert run["as_of"] == AS_OF and run["audience"] == "all"
    assert (
        run["manifest_sha256"]
        == hashlib.sha256((ledger_dir / "manifest.json").read_bytes()).hexdigest()
    )
    assert {name: r["status"] for name, r in run["reports"].items()} == {
        "good": "ok",
        "failing": "ok",
        "malicious": "ok",
    }
    assert run["params"]["good"]["top_n"] == 10  # from the fixture params/good.yaml
    assert run["params"]["good"]["ledger"] == str(ledger_dir.resolve())


def test_dependent_report_starts_after_its_dependency(fixture_run):
    reports = _run_json(fixture_run)["reports"]
    assert _when(reports["malicious"]["started"]) >= _when(reports["good"]["finished"])


def test_independent_reports_run_in_parallel(fixture_run):
    reports = _run_json(fixture_run)["reports"]
    good, failing = reports["good"], reports["failing"]
    # Both were submitted together to a pool of two: their run times overlap.
    assert _when(good["started"]) <= _when(failing["finished"])
    assert _when(failing["started"]) <= _when(good["finished"])


def test_latest_points_to_the_run(fixture_run):
    latest = fixture_run / "latest"
    assert latest.is_symlink() and os.readlink(latest) == AS_OF
    assert (latest / "index.html").is_file()


def test_index_lists_reports_with_status_metrics_and_links(fixture_run):
    page = (fixture_run / AS_OF / "index.html").read_text(encoding="utf-8")
    assert '<a href="all/good.html">Fixture invoice totals</a>' in page
    assert "Total invoiced: <strong>1,250.35</strong>" in page
    assert "Customers: <strong>3</strong>" in page
    assert page.count('<span class="status-ok">ok</span>') == 3
    assert "<script" not in page


# -- the HTML ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pages(fixture_run) -> dict[str, str]:
    folder = fixture_run / AS_OF / "all"
    return {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("*.html")}


def test_html_has_title_subtitle_toc_and_source_note(pages, ledger_dir):
    page = pages["good"]
    assert "<title>Fixture invoice totals</title>" in page
    assert "<h1>Fixture invoice totals</h1>" in page
    assert '<p class="arkit-subtitle">As of 2026-11-30</p>' in page
    toc = re.search(r'<nav class="arkit-toc">.*?</nav>', page, re.S).group(0)
    assert re.findall(r">([^<>]+)</a></li>", toc) == [
        "Invoiced per customer",
        "Chart",
        "Invoiced amount by customer",
        "Source",
    ]
    sha = hashlib.sha256((ledger_dir / "manifest.json").read_bytes()).hexdigest()
    note = page[page.index('<footer class="arkit-source">') :]
    assert f"Data source</th><td>{ledger_dir.resolve()}</td>" in note
    assert f"Ledger manifest sha256</th><td>{sha}</td>" in note
    assert f"arkit version</th><td>{__version__}</td>" in note
    assert "top_n=10" in note
    assert "Run time (UTC)" in note


def test_html_shows_no_code_and_no_prompts(pages):
    body = pages["good"].split("<body", 1)[1]
    assert "ReportContext.from_params" not in body
    assert "hl-ipython3" not in body  # highlighted code blocks
    assert "jp-InputPrompt" not in body and "jp-OutputPrompt" not in body
    assert "In&nbsp;[" not in body and "Out[" not in body


def test_html_is_self_contained(pages):
    for name, page in pages.items():
        external = re.findall(r'(?:src|href)\s*=\s*["\']?\s*(?:https?:)?//', page, re.I)
        assert external == [], name
        assert "<script" not in page.lower(), name  # nothing to run, nothing to fetch
        assert "<img" not in page or 'src="data:image/png;base64,' in page


def test_chart_is_embedded_as_png(pages):
    assert len(re.findall(r'<img[^>]+src="data:image/png;base64,', pages["good"])) == 1


def test_html_under_size_budget(fixture_run):
    for path in (fixture_run / AS_OF / "all").glob("*.html"):
        assert path.stat().st_size < 3 * 1024 * 1024, path.name


def test_user_text_is_escaped(pages):
    page = pages["malicious"]
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert page.count(escaped) >= 2  # pandas table and great_tables table
    assert SCRIPT_NAME not in page
    assert "HTML output withheld: it contained a script" in page  # the careless raw HTML


# -- a failing report ----------------------------------------------------------------------------


def test_failed_report_exits_non_zero(rerun):
    _, code, _, _ = rerun
    assert code == 1


def test_failed_report_keeps_previous_good_output(rerun):
    out, _, _, before = rerun
    assert (out / AS_OF / "all" / "failing.html").read_bytes() == before
    assert (out / AS_OF / "all" / "failing" / "metrics.json").is_file()
    assert not [p for p in (out / AS_OF / "all").iterdir() if p.name.startswith(".")]


def test_run_json_records_failing_cell_and_error(rerun, fixture_run):
    out, _, _, _ = rerun
    run = _run_json(out)
    failing = run["reports"]["failing"]
    assert failing["status"] == "failed"
    assert failing["cell"] == 4  # the fourth cell of failing.py (markdown counted)
    assert failing["cell_source"] == "time.sleep(pause_seconds)"
    assert failing["error"] == "ValueError: deliberate failure for the pipeline tests"
    assert run["status"] == "failed"
    # the other report still ran, again; a report outside this run keeps its entry
    assert run["reports"]["good"]["status"] == "ok"
    assert run["reports"]["malicious"] == _run_json(fixture_run)["reports"]["malicious"]
    first = _run_json(fixture_run)["reports"]["good"]["finished"]
    assert _when(run["reports"]["good"]["finished"]) > _when(first)


def test_index_shows_the_failure(rerun):
    out, _, _, _ = rerun
    page = (out / AS_OF / "index.html").read_text(encoding="utf-8")
    assert '<span class="status-failed">failed</span>' in page
    assert "cell 4: ValueError: deliberate failure for the pipeline tests" in page
    assert "the link shows the previous good output" in page


def test_non_terminal_run_logs_plain_lines(rerun):
    _, _, records, _ = rerun
    lines = [r.getMessage() for r in records]
    assert "report good: started" in lines
    assert any(re.fullmatch(r"report good: ok in \d+\.\d s", line) for line in lines)
    assert (
        "report failing: FAILED at cell 4: ValueError: deliberate failure for the pipeline tests"
        in lines
    )


# -- safety: validation first, lock, keep, audiences ---------------------------------------------


def test_a_cell_over_the_timeout_fails_the_report(tmp_path, params_folder):
    summary = run_reports(
        ["failing"],
        out=tmp_path / "out",
        as_of=AS_OF,
        notebooks=FIXTURE_NOTEBOOKS,
        params_folder=params_folder,
        assignments=["fail=false", "pause_seconds=30"],
        timeout=2,
    )
    (result,) = summary.results
    assert result.status == "failed"
    assert result.cell == 4
    assert result.error == (
        "CellTimeoutError: A cell timed out while it was being executed, after 2 seconds."
    )
    assert result.duration_s < 25
    assert not (tmp_path / "out" / AS_OF / "all" / "failing").exists()


def test_bad_parameter_fails_before_any_output(tmp_path, params_folder):
    out = tmp_path / "out"
    with pytest.raises(ParamsError, match="unknown key 'top_m'"):
        run_reports(
            ["good"],
            out=out,
            as_of=AS_OF,
            notebooks=FIXTURE_NOTEBOOKS,
            params_folder=params_folder,
            assignments=["top_m=3"],
        )
    assert not out.exists()


def test_unknown_audience_and_missing_ledger_fail_before_any_output(tmp_path, params_folder):
    common = dict(out=tmp_path / "out", as_of=AS_OF, notebooks=FIXTURE_NOTEBOOKS)
    with pytest.raises(ParamsError, match="audience 'sales_bob' is not in .*valid audiences: all"):
        run_reports(["good"], audience="sales_bob", params_folder=params_folder, **common)
    with pytest.raises(LedgerError, match="not a clean ledger folder"):
        run_reports(["good"], ledger=str(tmp_path), params_folder=params_folder, **common)
    assert not (tmp_path / "out").exists()


def _ledger_in_currencies(folder: Path) -> Path:
    """Invoices in CNY (the base, no rate rows) and USD; rates for USD, EUR only later."""
    return save_ledger(
        folder,
        {
            "customers": pd.DataFrame({"customer_id": ["C1"], "customer_name": ["Acme"]}),
            "invoices": pd.DataFrame(
                {
                    "invoice_id": ["I1", "I2"],
                    "customer_id": ["C1", "C1"],
                    "invoice_date": ["2026-10-01", "2026-10-02"],
                    "amount": ["100.00", "20.00"],
                    "currency": ["CNY", "USD"],
                }
            ),
            "payments": pd.DataFrame(
                {
                    "payment_id": ["P1"],
                    "customer_id": ["C1"],
                    "payment_date": ["2026-10-20"],
                    "amount": ["10.00"],
                }
            ),
            "fx_rates": pd.DataFrame(
                {
                    "date": ["2026-09-30", "2026-12-15"],
                    "currency": ["USD", "EUR"],
                    "rate_to_base": ["7.10", "7.80"],
                }
            ),
        },
    )


def test_a_reporting_currency_without_rates_fails_before_any_output(tmp_path, params_folder):
    """JPY used to be taken for the base currency: CNY amounts labelled JPY."""
    ledger = _ledger_in_currencies(tmp_path / "ledger")
    check_reporting_currency(ledger, AS_OF, "USD")  # a rate on or before as_of
    check_reporting_currency(ledger, AS_OF, "CNY")  # the invoices' own currency
    with pytest.raises(ParamsError, match=r"'EUR': .* on or before 2026-11-30 .*rates: USD\)"):
        check_reporting_currency(ledger, AS_OF, "EUR")  # its only rate comes later
    out = tmp_path / "out"
    with pytest.raises(ParamsError, match="reporting_currency 'JPY': the ledger has no fx rate"):
        run_reports(
            ["good"],
            out=out,
            as_of=AS_OF,
            ledger=str(ledger),
            notebooks=FIXTURE_NOTEBOOKS,
            params_folder=params_folder,
            assignments=["reporting_currency=JPY"],
        )
    assert not out.exists()


def test_a_locked_folder_is_refused(tmp_path, params_folder):
    out = tmp_path / "out"
    (out / AS_OF).mkdir(parents=True)
    (out / AS_OF / ".arkit-run.lock").write_text(str(os.getpid()))  # a live process holds it
    with pytest.raises(ReportError, match=f"locked by another arkit run \\(pid {os.getpid()}\\)"):
        run_reports(
            ["good"], out=out, as_of=AS_OF, notebooks=FIXTURE_NOTEBOOKS, params_folder=params_folder
        )
    assert not (out / AS_OF / "all").exists()


def test_stale_lock_is_taken_over(tmp_path):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    (tmp_path / ".arkit-run.lock").write_text(dead.stdout.strip())
    with RunLock(tmp_path) as lock:
        assert lock.path.read_text() == str(os.getpid())
    assert not lock.path.exists()


@pytest.fixture(scope="module")
def audience_run(tmp_path_factory, params_folder):
    """``good`` for audience region_east, with older runs around and ``keep=2``."""
    out = tmp_path_factory.mktemp("audience") / "outputs"
    for old in ("2026-09-30", "2026-10-31", "2027-01-31"):
        (out / old / "all").mkdir(parents=True)
        (out / old / "index.html").write_text("old run")
    (out / "notes").mkdir()
    leftovers = out / AS_OF / "region_east"
    (leftovers / ".good.tmp-killed" / "tables").mkdir(parents=True)  # from a killed run
    (leftovers / ".good.html.tmp").write_text("half a page")
    summary = run_reports(
        ["good"],
        out=out,
        as_of=AS_OF,
        audience="region_east",
        notebooks=FIXTURE_NOTEBOOKS,
        params_folder=params_folder,
        keep=2,
    )
    return out, summary


def test_audience_sees_only_its_customers(audience_run):
    out, summary = audience_run
    assert summary.ok and summary.folder == out / AS_OF / "region_east"
    good = out / AS_OF / "region_east" / "good"
    metrics = json.loads((good / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["total_invoiced"] == TOTAL_EAST
    names = pd.read_csv(good / "tables" / "invoiced.csv")["customer_name"].tolist()
    assert names == ["Zeta & Co", "Acme Ltd"]
    page = (out / AS_OF / "region_east" / "good.html").read_text(encoding="utf-8")
    assert "As of 2026-11-30 · audience: region_east" in page


def test_leftovers_of_a_killed_run_are_removed(audience_run):
    out, _ = audience_run
    assert sorted(p.name for p in (out / AS_OF / "region_east").iterdir()) == [
        "good",
        "good.html",
        "run.json",
    ]


def test_keep_prunes_old_runs_but_not_other_folders(audience_run):
    out, _ = audience_run
    assert sorted(p.name for p in out.iterdir()) == ["2026-11-30", "2027-01-31", "latest", "notes"]


def test_latest_is_the_newest_finished_as_of(audience_run):
    out, _ = audience_run
    assert os.readlink(out / "latest") == "2027-01-31"
