"""Which reports exist, where their notebooks are, and what the run index shows of them.

A report is a notebook ``<notebooks>/<name>.py``. The built-in reports are
registered here with their titles, the question they answer, their dependencies
and their headline metrics. Any other notebook found in the notebooks folder is a
report too (an analyst's new report runs without touching this file); it may
describe itself in its jupytext header under an ``arkit:`` key::

    # ---
    # jupyter:
    #   arkit:
    #     title: Credit holds
    #     question: Which customers should be put on hold?
    #     depends_on: [aging]
    #     metrics: [{key: held, label: Customers on hold, kind: count}]
    # ---
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

from arkit.errors import ParamsError, ReportError

__all__ = [
    "Metric",
    "Report",
    "REGISTRY",
    "notebooks_dir",
    "params_dir",
    "discover_reports",
    "resolve_reports",
    "format_metric",
]

METRIC_KINDS = ("money", "count", "days", "percent", "number", "flag")


@dataclass(frozen=True)
class Metric:
    """A headline metric shown in the run index: ``metrics.json`` key, label and format."""

    key: str
    label: str
    kind: str = "number"


@dataclass(frozen=True)
class Report:
    """One report: a notebook plus what the runner and the index need to know about it."""

    name: str
    title: str
    title_zh: str = ""
    question: str = ""
    depends_on: tuple[str, ...] = ()
    metrics: tuple[Metric, ...] = ()
    notebook: Path | None = field(default=None, compare=False)

    def display_title(self, language: str = "en") -> str:
        """Title in ``language`` (``"zh"`` falls back to English when not translated)."""
        return self.title_zh if language == "zh" and self.title_zh else self.title


REGISTRY: dict[str, Report] = {
    r.name: r
    for r in (
        Report(
            "data_quality",
            "Data quality and reconciliation",
            "数据质量与对账",
            "Did every exported row land in the ledger or in rejects, and do the totals agree?",
            metrics=(
                Metric("reconciled", "Reconciled", "flag"),
                Metric("rows_read", "Rows read", "count"),
                Metric("rows_rejected", "Rows rejected", "count"),
                Metric("money_rejected", "Money rejected", "money"),
            ),
        ),
        Report(
            "aging",
            "Receivables aging and KPIs",
            "应收账款账龄与关键指标",
            "How much is owed, how late is it, and how fast do customers pay?",
            metrics=(
                Metric("total_ar", "Total AR", "money"),
                Metric("overdue", "Overdue", "money"),
                Metric("over_90", "Over 90 days", "money"),
                Metric("dso", "DSO", "days"),
            ),
        ),
    )
}


def _repo_dir(name: str) -> Path:
    # <repo>/arkit/report/_registry.py -> <repo>/<name>
    return Path(__file__).resolve().parents[2] / name


def notebooks_dir(override: str | Path | None = None) -> Path:
    """Folder holding the report notebooks: ``override``, ``$ARKIT_NOTEBOOKS`` or ``<repo>/notebooks``."""
    chosen = override or os.environ.get("ARKIT_NOTEBOOKS")
    return Path(chosen) if chosen else _repo_dir("notebooks")


def params_dir(override: str | Path | None = None) -> Path:
    """Folder holding ``default.yaml`` and friends: ``override``, ``$ARKIT_PARAMS`` or ``<repo>/params``."""
    chosen = override or os.environ.get("ARKIT_PARAMS")
    return Path(chosen) if chosen else _repo_dir("params")


def _from_metadata(name: str, path: Path, meta: dict) -> Report:
    where = f"{path}: arkit metadata"
    if not isinstance(meta, dict):
        raise ReportError(f"{where}: expected a mapping")
    metrics = []
    for item in meta.get("metrics", []):
        if not isinstance(item, dict) or "key" not in item:
            raise ReportError(f"{where}: each metric needs a 'key'")
        kind = item.get("kind", "number")
        if kind not in METRIC_KINDS:
            raise ReportError(f"{where}: metric kind {kind!r} not one of {', '.join(METRIC_KINDS)}")
        metrics.append(Metric(str(item["key"]), str(item.get("label", item["key"])), kind))
    return Report(
        name,
        str(meta.get("title", name.replace("_", " ").capitalize())),
        str(meta.get("title_zh", "")),
        str(meta.get("question", "")),
        tuple(str(d) for d in meta.get("depends_on", [])),
        tuple(metrics),
    )


def discover_reports(folder: str | Path | None = None) -> dict[str, Report]:
    """Every report: the registered ones plus each ``*.py`` notebook in ``folder``.

    Registered reports keep their registry entry; their ``notebook`` is set only
    when the file exists. Unregistered notebooks describe themselves in their
    ``arkit`` metadata (see the module docstring).
    """
    from arkit.report._notebook import read_notebook

    folder = notebooks_dir(folder)
    reports = {name: replace(r, notebook=None) for name, r in REGISTRY.items()}
    for path in sorted(folder.glob("*.py")) if folder.is_dir() else []:
        name = path.stem
        if name.startswith("_"):
            continue
        if name in reports:
            reports[name] = replace(reports[name], notebook=path)
        else:
            meta = read_notebook(path).metadata.get("arkit", {})
            reports[name] = replace(_from_metadata(name, path, meta), notebook=path)
    return reports


def resolve_reports(selection: list[str], reports: dict[str, Report]) -> list[Report]:
    """Reports to run, in dependency order.

    ``["all"]`` means every report whose notebook exists. Naming a report pulls in
    the reports it depends on.

    Raises
    ------
    ParamsError
        For an unknown report name.
    ReportError
        For a missing notebook or a dependency cycle.

    >>> reg = {"a": Report("a", "A", depends_on=("b",), notebook=Path("a.py")),
    ...        "b": Report("b", "B", notebook=Path("b.py"))}
    >>> [r.name for r in resolve_reports(["a"], reg)]
    ['b', 'a']
    """
    if selection == ["all"]:
        wanted = [name for name, r in reports.items() if r.notebook is not None]
        if not wanted:
            raise ReportError("no report notebooks found (set --notebooks or ARKIT_NOTEBOOKS)")
    else:
        unknown = [name for name in selection if name not in reports]
        if unknown:
            raise ParamsError(
                f"unknown report {unknown[0]!r}; valid reports: all, {', '.join(sorted(reports))}"
            )
        wanted = list(dict.fromkeys(selection))
    graph: dict[str, tuple[str, ...]] = {}
    pending = list(wanted)
    while pending:
        name = pending.pop()
        if name in graph:
            continue
        report = reports.get(name)
        if report is None:
            raise ReportError(f"a report depends on {name!r}, which does not exist")
        if report.notebook is None:
            raise ReportError(
                f"report {name!r}: notebook {name}.py not found in the notebooks folder "
                "(see --notebooks / ARKIT_NOTEBOOKS)"
            )
        graph[name] = report.depends_on
        pending.extend(report.depends_on)
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise ReportError(f"report dependencies form a cycle: {' -> '.join(exc.args[1])}") from None
    return [reports[name] for name in order]


def format_metric(value: object, kind: str, currency: str = "") -> str:
    """Format a headline metric for the index (display only; metrics.json keeps numbers).

    >>> format_metric(1234567.891, "money", "CNY"), format_metric(-50, "money")
    ('CNY 1,234,567.89', '(50.00)')
    >>> format_metric(0.1234, "percent"), format_metric(41.26, "days"), format_metric(None, "count")
    ('12.3%', '41.3 days', '–')
    >>> format_metric(True, "flag"), format_metric(12345, "count")
    ('yes', '12,345')
    """
    if value is None:
        return "–"
    if kind == "flag":
        return "yes" if value else "no"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if kind == "money":
        text = f"{abs(value):,.2f}"
        text = f"({text})" if value < 0 else text
        return f"{currency} {text}" if currency else text
    if kind == "count":
        return f"{value:,.0f}"
    if kind == "days":
        return f"{value:,.1f} days"
    if kind == "percent":
        return f"{value:.1%}"
    return f"{value:,.4g}" if isinstance(value, float) else f"{value:,}"
