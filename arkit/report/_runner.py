"""Run report notebooks with papermill and publish their HTML, tables and metrics safely.

Layout of one run::

    <out>/<as_of>/index.html                 every audience and report, status, headline metrics
    <out>/<as_of>/<audience>/run.json        per report: status, duration, failing cell, error
    <out>/<as_of>/<audience>/<report>.html   what leadership opens
    <out>/<as_of>/<audience>/<report>/       <report>.html, executed <report>.ipynb,
                                             tables/*.csv, metrics.json
    <out>/latest -> <as_of>                  newest as_of whose run finished

Each report executes into a hidden temporary folder beside its destination and is
renamed into place only once its notebook ran and its HTML rendered, so a failed
report leaves the previous good output untouched. Reports run in dependency
order; independent ones run in parallel, at most one per CPU.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from arkit._version import __version__
from arkit.errors import LedgerError, ParamsError, ReportError
from arkit.report._audience import audience_scope
from arkit.report._index import read_run, write_index
from arkit.report._lock import RunLock
from arkit.report._notebook import read_notebook
from arkit.report._params import build_params
from arkit.report._registry import (
    Report,
    discover_reports,
    notebooks_dir,
    params_dir,
    resolve_reports,
)

__all__ = [
    "ReportResult",
    "RunSummary",
    "run_reports",
    "execute_report",
    "prune_runs",
    "check_reporting_currency",
]

log = logging.getLogger("arkit.report")
_AS_OF_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class ReportResult:
    """Outcome of one report in a run (one entry of ``run.json``)."""

    name: str
    status: str  # "ok", "failed" or "skipped"
    started: str = ""
    finished: str = ""
    duration_s: float = 0.0
    cell: int | None = None  # 1-based cell number in the notebook source, when a cell failed
    cell_source: str = ""  # first line of that cell, to find it quickly
    error: str = ""
    language: str = "en"


@dataclass
class RunSummary:
    """What :func:`run_reports` did: where, and each report's outcome."""

    folder: Path
    as_of: str
    audience: str
    results: list[ReportResult]

    @property
    def ok(self) -> bool:
        return all(r.status == "ok" for r in self.results)

    @property
    def failed(self) -> list[ReportResult]:
        return [r for r in self.results if r.status != "ok"]


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _manifest_sha256(ledger: Path) -> str:
    manifest = ledger / "manifest.json"
    if not manifest.is_file():
        return "none (no manifest.json)"
    return hashlib.sha256(manifest.read_bytes()).hexdigest()


def _failing_cell(exc: Exception, notebook, executed: Path) -> tuple[int | None, str]:
    """The failing cell as numbered in the source notebook (1-based), and its first line."""
    index = getattr(exc, "cell_index", None)
    if index is None and executed.is_file():
        # Timeouts and dead kernels carry no index: papermill saved the notebook as it
        # ran, and the last cell with a start time is the one that never finished.
        import nbformat

        cells = nbformat.read(executed, as_version=4).cells
        started = [
            i for i, c in enumerate(cells) if c.metadata.get("papermill", {}).get("start_time")
        ]
        index = started[-1] if started else None
    if index is None:
        return None, ""
    # papermill inserts its "injected-parameters" cell right after the parameters cell.
    tagged = [i for i, c in enumerate(notebook.cells) if "parameters" in c.metadata.get("tags", [])]
    if tagged and index > tagged[0]:
        index -= 1
    if not 0 <= index < len(notebook.cells):
        return None, ""
    lines = notebook.cells[index].source.strip().splitlines()
    return index + 1, lines[0][:120] if lines else ""


def _error_text(exc: Exception) -> str:
    """One line: ``ExceptionName: message`` (nbclient's timeout message quotes the cell)."""
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}"
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[0] if lines else ''}".strip()


def _ipc_kernel_manager(folder: Path) -> type:
    """A kernel manager class whose kernels talk over local sockets in ``folder``.

    Nothing listens on the network, and the kernel does not warn about unencrypted
    TCP in every scheduled log. nbclient creates and shuts down the kernel itself.
    """
    from jupyter_client import AsyncKernelManager

    class IpcKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(transport="ipc", ip=str(folder / "kernel"), **kwargs)

    return IpcKernelManager


def _publish(tmp: Path, audience_dir: Path, name: str) -> None:
    """Move a finished report from its temporary folder into place."""
    final = audience_dir / name
    old = audience_dir / f".{name}.old-{os.getpid()}-{time.monotonic_ns()}"
    if final.exists():
        final.rename(old)
    tmp.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    # The top-level copy is what people bookmark; replace it in one step.
    staged = audience_dir / f".{name}.html.tmp"
    shutil.copyfile(final / f"{name}.html", staged)
    staged.replace(audience_dir / f"{name}.html")


def _source_note(report: Report, params: dict[str, Any], sha: str, started: str):
    shown = ", ".join(f"{k}={v!r}" for k, v in params.items() if k not in ("output_dir",))
    return [
        ("Data source", params["ledger"]),
        ("Ledger manifest sha256", sha),
        ("Parameters", shown),
        ("Notebook", str(report.notebook.name)),
        ("Run time (UTC)", started),
        ("arkit version", __version__),
    ]


def execute_report(
    report: Report,
    params: dict[str, Any],
    audience_dir: Path,
    *,
    timeout: int = 600,
    manifest_sha256: str = "",
) -> ReportResult:
    """Execute one report notebook and publish its outputs; never raises for a report failure.

    Parameters
    ----------
    report : Report
        The report (its notebook must exist).
    params : dict
        Validated parameters; ``output_dir`` is set here to the temporary folder.
    audience_dir : Path
        ``<out>/<as_of>/<audience>``.
    timeout : int
        Seconds allowed per cell.
    manifest_sha256 : str
        Hash of the ledger manifest, for the source note.

    Returns
    -------
    ReportResult
    """
    import nbformat
    import papermill

    from arkit.report._html import render_html

    name = report.name
    started, clock = _now(), time.perf_counter()
    language = params.get("language", "en")
    audience_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=audience_dir))
    tmp.chmod(0o755)  # mkdtemp makes it private; the published folder is for readers
    source_nb = None
    executed_path = tmp / f"{name}.ipynb"
    sockets = Path(tempfile.mkdtemp(prefix="arkit-kernel-"))
    try:
        source_nb = read_notebook(report.notebook)
        source_nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        input_path = tmp / f".{name}.input.ipynb"
        nbformat.write(source_nb, input_path)
        papermill.execute_notebook(
            str(input_path),
            str(executed_path),
            parameters={**params, "output_dir": str(tmp)},
            kernel_name="python3",
            execution_timeout=timeout,
            progress_bar=False,
            log_output=False,
            # The kernel starts in the notebook's folder, as in JupyterLab. (papermill's own
            # cwd= would chdir this whole process, which races between parallel reports.)
            resources={"metadata": {"path": str(report.notebook.parent)}},
            kernel_manager_class=_ipc_kernel_manager(sockets),
            # Outputs are collected by then; a graceful shutdown only interrupts the kernel
            # and makes it log a KeyboardInterrupt into the run's log.
            shutdown_kernel="immediate",
        )
        input_path.unlink()
        page = render_html(
            nbformat.read(executed_path, as_version=4),
            title=report.display_title(language),
            as_of=params["as_of"],
            question=report.question,
            audience=params.get("audience", "all"),
            language=language,
            source_note=_source_note(report, params, manifest_sha256, started),
        )
        (tmp / f"{name}.html").write_text(page, encoding="utf-8")
        _publish(tmp, audience_dir, name)
    except Exception as exc:  # a report's failure is recorded, never fatal to the run
        cell, cell_source = (
            _failing_cell(exc, source_nb, executed_path) if source_nb else (None, "")
        )
        shutil.rmtree(tmp, ignore_errors=True)
        return ReportResult(
            name,
            "failed",
            started,
            _now(),
            round(time.perf_counter() - clock, 2),
            cell,
            cell_source,
            _error_text(exc),
            language,
        )
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    return ReportResult(
        name,
        "ok",
        started,
        _now(),
        round(time.perf_counter() - clock, 2),
        language=language,
    )


def _remove_leftovers(audience_dir: Path) -> None:
    """Delete temporary folders a killed run left behind (safe: the caller holds the lock)."""
    if not audience_dir.is_dir():
        return
    for path in audience_dir.iterdir():
        if path.name.startswith(".") and (".tmp" in path.name or ".old-" in path.name):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _schedule(
    reports: list[Report],
    run_one: Callable[[Report], ReportResult],
    jobs: int,
    on_event: Callable[[str, Report, ReportResult | None], None],
) -> list[ReportResult]:
    """Run reports as soon as their dependencies succeeded, at most ``jobs`` at a time."""
    done: dict[str, ReportResult] = {}
    pending = list(reports)
    for report in reports:
        on_event("queued", report, None)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        running = {}
        while pending or running:
            for report in list(pending):
                if any(dep not in done for dep in report.depends_on):
                    continue
                pending.remove(report)
                broken = [d for d in report.depends_on if done[d].status != "ok"]
                if broken:
                    result = ReportResult(
                        report.name, "skipped", _now(), _now(), error=f"{broken[0]} failed"
                    )
                    done[report.name] = result
                    on_event("skipped", report, result)
                    continue
                on_event("started", report, None)
                running[pool.submit(run_one, report)] = report
            if not running:
                continue
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                report = running.pop(future)
                done[report.name] = future.result()
                on_event("finished", report, done[report.name])
    return [done[r.name] for r in reports]


def _write_run_json(audience_dir: Path, run: dict, results: list[ReportResult]) -> None:
    previous = read_run(audience_dir).get("reports", {})
    run["reports"] = {**previous, **{r.name: asdict(r) for r in results}}
    run["status"] = "ok" if all(r["status"] == "ok" for r in run["reports"].values()) else "failed"
    tmp = audience_dir / ".run.json.tmp"
    tmp.write_text(json.dumps(run, indent=2, ensure_ascii=False), encoding="utf-8")
    tmp.replace(audience_dir / "run.json")


def _update_latest(out: Path) -> None:
    """Point ``<out>/latest`` at the newest as_of folder with a finished run, atomically."""
    finished = sorted(
        p.name
        for p in out.iterdir()
        if p.is_dir() and _AS_OF_DIR.match(p.name) and (p / "index.html").is_file()
    )
    if not finished:
        return
    staged = out / f".latest.tmp-{os.getpid()}"  # runs for other dates may finish meanwhile
    staged.unlink(missing_ok=True)
    try:
        staged.symlink_to(finished[-1], target_is_directory=True)
    except OSError:  # no symlinks (some Windows setups): a file naming the folder
        staged.write_text(finished[-1] + "\n", encoding="utf-8")
    staged.replace(out / "latest")


def check_reporting_currency(ledger_dir: Path, as_of: str, currency: str) -> None:
    """Refuse a reporting currency the ledger cannot convert to, before any kernel starts.

    A currency qualifies with an fx rate dated on or before ``as_of``, or as a currency
    the invoices are in (the base currency often has no rows of its own). Anything
    else, such as a typo, would otherwise be treated as the base currency and label
    base amounts with the wrong code.

    Raises
    ------
    ParamsError
        Naming the currency and the ones the ledger has rates for.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    fx_path = ledger_dir / "fx_rates.parquet"
    rated: list[str] = []
    if fx_path.is_file():
        fx = pq.read_table(fx_path, columns=["date", "currency"])
        as_of_date = pa.scalar(dt.date.fromisoformat(as_of), pa.date32())
        dated = fx.filter(pc.less_equal(fx["date"], as_of_date))
        rated = sorted(pc.unique(dated["currency"]).to_pylist(), key=str)
        if currency in rated:
            return
    invoices = pq.read_table(
        ledger_dir / "invoices.parquet", columns=["currency"], filters=[("currency", "=", currency)]
    )
    if invoices.num_rows:
        return
    known = ", ".join(c for c in rated if c) or "none"
    raise ParamsError(
        f"params: reporting_currency {currency!r}: the ledger has no fx rate for it on or "
        f"before {as_of} and no invoice in it (currencies with rates: {known})"
    )


def prune_runs(out: str | Path, keep: int, protect: str = "") -> list[str]:
    """Delete all but the ``keep`` newest ``<out>/<YYYY-MM-DD>`` run folders.

    ``protect`` (the run in progress) and folders locked by another run are never
    deleted. Returns the names removed.

    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> for d in ("2026-01-01", "2026-02-01", "2026-03-01", "notes"):
    ...     (out / d).mkdir()
    >>> prune_runs(out, 1), sorted(p.name for p in out.iterdir())
    (['2026-01-01', '2026-02-01'], ['2026-03-01', 'notes'])
    """
    if keep < 1:
        raise ReportError(f"--keep {keep}: keep at least 1 run")
    out = Path(out)
    runs = sorted(
        (p for p in out.iterdir() if p.is_dir() and _AS_OF_DIR.match(p.name)), reverse=True
    )
    removed = []
    for folder in runs[keep:]:
        if folder.name == protect or RunLock(folder).path.exists():
            continue
        shutil.rmtree(folder)
        removed.append(folder.name)
    return sorted(removed)


def _log_event(event: str, report: Report, result: ReportResult | None) -> None:
    if event == "queued":
        return
    if event == "started":
        log.info("report %s: started", report.name)
    elif result is not None and result.status == "ok":
        log.info("report %s: ok in %.1f s", report.name, result.duration_s)
    elif result is not None:
        where = f" at cell {result.cell}" if result.cell else ""
        log.error("report %s: %s%s: %s", report.name, result.status.upper(), where, result.error)


def run_reports(
    selection: list[str],
    *,
    out: str | Path = "outputs",
    ledger: str | None = None,
    as_of: str | None = None,
    audience: str = "all",
    notebooks: str | Path | None = None,
    params_folder: str | Path | None = None,
    params_file: str | Path | None = None,
    assignments: list[str] = (),
    timeout: int = 600,
    jobs: int | None = None,
    keep: int | None = None,
    on_event: Callable[[str, Report, ReportResult | None], None] | None = None,
) -> RunSummary:
    """Run reports and publish them under ``<out>/<as_of>/<audience>/``.

    Everything the user gives (report names, parameters, audience, ledger) is
    checked before any kernel starts. A failing report does not stop the others;
    check :attr:`RunSummary.ok`.

    Parameters
    ----------
    selection : list of str
        Report names, or ``["all"]`` for every notebook found.
    out : str or Path
        Output root.
    ledger, as_of : str, optional
        Override the ``ledger`` and ``as_of`` parameters (``as_of`` "" = today).
    audience : str
        Audience from ``audiences.yaml``; the ledger is scoped to its customers.
    notebooks, params_folder : str or Path, optional
        Where the notebooks and the params YAML live (default: the repository's).
    params_file : str or Path, optional
        ``--params FILE``.
    assignments : list of str
        ``-p key=value`` overrides.
    timeout : int
        Seconds allowed per cell.
    jobs : int, optional
        Reports run at once; at most the CPU count (the default).
    keep : int, optional
        Keep only this many newest as_of folders.
    on_event : callable, optional
        Called as ``on_event(event, report, result)`` with event ``"queued"``,
        ``"started"``, ``"finished"`` or ``"skipped"`` (progress display). Log lines are always emitted.

    Returns
    -------
    RunSummary
    """
    notebooks_folder = notebooks_dir(notebooks).resolve()
    params_folder = params_dir(params_folder).resolve()
    # a mistyped folder must not silently run without the notebooks or the defaults
    for folder, option in ((notebooks_folder, "--notebooks"), (params_folder, "--params-dir")):
        if not folder.is_dir():
            raise ParamsError(f"{folder}: no such folder (see {option})")
    # Kernels inherit the environment: that is how they find audiences.yaml.
    with _environment(ARKIT_PARAMS=str(params_folder), ARKIT_NOTEBOOKS=str(notebooks_folder)):
        return _run(
            selection,
            out=Path(out),
            ledger=ledger,
            as_of=as_of,
            audience=audience,
            notebooks_folder=notebooks_folder,
            params_folder=params_folder,
            params_file=params_file,
            assignments=list(assignments),
            timeout=timeout,
            jobs=jobs,
            keep=keep,
            on_event=on_event,
        )


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _run(
    selection: list[str],
    *,
    out: Path,
    ledger: str | None,
    as_of: str | None,
    audience: str,
    notebooks_folder: Path,
    params_folder: Path,
    params_file: str | Path | None,
    assignments: list[str],
    timeout: int,
    jobs: int | None,
    keep: int | None,
    on_event: Callable[[str, Report, ReportResult | None], None] | None,
) -> RunSummary:
    for option, value in (("--keep", keep), ("--timeout", timeout), ("--jobs", jobs)):
        if value is not None and value < 1:
            raise ParamsError(f"{option} {value}: must be at least 1")
    by_name = discover_reports(notebooks_folder)
    reports = resolve_reports(selection, by_name)
    audience_scope(audience, params_folder)
    fixed: dict[str, Any] = {"audience": audience, "output_dir": ""}
    if ledger is not None:
        fixed["ledger"] = ledger
    if as_of is not None:
        fixed["as_of"] = as_of
    params = build_params(
        reports,
        params_folder=params_folder,
        params_file=params_file,
        assignments=assignments,
        fixed=fixed,
        known_reports=by_name,
    )
    run_as_of = {p["as_of"] for p in params.values()}
    if len(run_as_of) > 1:
        raise ReportError(f"as_of differs between reports ({', '.join(sorted(run_as_of))})")
    as_of_text = run_as_of.pop() or dt.date.today().isoformat()
    ledgers = {p["ledger"] for p in params.values()}
    if len(ledgers) > 1:
        raise ReportError(f"ledger differs between reports ({', '.join(sorted(ledgers))})")
    ledger_dir = Path(ledgers.pop()).expanduser().resolve()
    if not (ledger_dir / "invoices.parquet").is_file():
        raise LedgerError(f"{ledger_dir}: not a clean ledger folder (run `arkit ingest` first)")
    for values in params.values():
        values.update(as_of=as_of_text, ledger=str(ledger_dir))
    for currency in sorted({p.get("reporting_currency") or "" for p in params.values()} - {""}):
        check_reporting_currency(ledger_dir, as_of_text, currency)
    sha = _manifest_sha256(ledger_dir)

    out = out.resolve()
    as_of_dir = out / as_of_text
    audience_dir = as_of_dir / audience
    jobs = max(1, min(jobs or os.cpu_count() or 1, os.cpu_count() or 1, len(reports)))

    def notify(event: str, report: Report, result: ReportResult | None) -> None:
        _log_event(event, report, result)
        if on_event is not None:
            on_event(event, report, result)

    with RunLock(as_of_dir):
        _remove_leftovers(audience_dir)
        started = _now()
        log.info(
            "running %d report(s) as of %s for audience %s, %d at a time",
            len(reports),
            as_of_text,
            audience,
            jobs,
        )
        results = _schedule(
            reports,
            lambda r: execute_report(
                r, params[r.name], audience_dir, timeout=timeout, manifest_sha256=sha
            ),
            jobs,
            notify,
        )
        run = {
            "as_of": as_of_text,
            "audience": audience,
            "ledger": str(ledger_dir),
            "manifest_sha256": sha,
            "arkit_version": __version__,
            "started": started,
            "finished": _now(),
            "params": {name: values for name, values in params.items()},
        }
        _write_run_json(audience_dir, run, results)
        write_index(as_of_dir, by_name)
    _update_latest(out)
    if keep is not None:
        for name in prune_runs(out, keep, protect=as_of_text):
            log.info("pruned old run %s", name)
    return RunSummary(audience_dir, as_of_text, audience, results)
