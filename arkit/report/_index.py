"""``outputs/<as_of>/index.html``: every report of every audience, its status, headline metrics and links."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from urllib.parse import quote

from arkit.report._registry import Report, format_metric

__all__ = ["write_index", "read_run"]

_STYLE = """
body { font-family: -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK SC", sans-serif;
       max-width: 1100px; margin: 0 auto; padding: 1.5rem; color: #222; }
h1 { color: #1f4e79; margin-bottom: 0.2rem; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.4rem 0.6rem; text-align: left; vertical-align: top; }
td.metrics { font-variant-numeric: tabular-nums; }
.status-ok { color: #1b7f3b; font-weight: 600; }
.status-failed, .status-skipped { color: #b00020; font-weight: 600; }
.error { color: #b00020; font-size: 0.9rem; white-space: pre-wrap; }
.question { color: #555; font-size: 0.9rem; }
"""


def read_run(folder: Path) -> dict:
    """Read ``run.json`` of an audience folder (empty when there is none yet)."""
    path = folder / "run.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _metrics_cell(report_dir: Path, report: Report | None) -> str:
    path = report_dir / "metrics.json"
    if not path.is_file():
        return ""
    metrics = json.loads(path.read_text(encoding="utf-8"))
    if report is not None and report.metrics:
        shown = [(m.label, metrics.get(m.key), m.kind) for m in report.metrics]
    else:
        shown = [(key, value, "number") for key, value in list(metrics.items())[:4]]
    currency = str(metrics.get("currency") or "")  # reports in one currency say which
    return "<br>".join(
        f"{escape(label)}: <strong>{escape(format_metric(value, kind, currency))}</strong>"
        for label, value, kind in shown
    )


def _report_row(audience_dir: Path, name: str, entry: dict, report: Report | None) -> str:
    status = entry.get("status", "unknown")
    title = report.display_title(entry.get("language", "en")) if report else name
    html_file = audience_dir / f"{name}.html"
    link_target = quote(f"{audience_dir.name}/{name}.html")
    if html_file.is_file():
        title_html = f'<a href="{escape(link_target)}">{escape(title)}</a>'
    else:
        title_html = escape(title)
    question = f'<div class="question">{escape(report.question)}</div>' if report else ""
    detail = ""
    if status != "ok":
        where = f"cell {entry['cell']}: " if entry.get("cell") else ""
        detail = f'<div class="error">{escape(where + str(entry.get("error", "")))}</div>'
        if html_file.is_file():
            detail += '<div class="question">the link shows the previous good output</div>'
    duration = entry.get("duration_s")
    return (
        "<tr>"
        f"<td>{title_html}{question}</td>"
        f'<td><span class="status-{escape(status)}">{escape(status)}</span>{detail}</td>'
        f'<td class="metrics">{_metrics_cell(audience_dir / name, report) if status == "ok" else ""}</td>'
        f"<td>{escape(f'{duration:.1f} s' if duration is not None else '')}</td>"
        f"<td>{escape(str(entry.get('finished', '')))}</td>"
        "</tr>"
    )


def write_index(as_of_dir: Path, reports: dict[str, Report]) -> Path:
    """(Re)write ``<as_of_dir>/index.html`` from the ``run.json`` of each audience folder.

    Everything shown (titles, errors, metric values) is HTML-escaped. Written to a
    temporary file and renamed, so a reader never sees half a page.
    """
    sections = []
    for audience_dir in sorted(p for p in as_of_dir.iterdir() if p.is_dir()):
        run = read_run(audience_dir)
        if not run:
            continue
        rows = "".join(
            _report_row(audience_dir, name, entry, reports.get(name))
            for name, entry in run.get("reports", {}).items()
        )
        sections.append(
            f"<h2>Audience: {escape(audience_dir.name)}</h2>"
            f"<p>Ledger: {escape(str(run.get('ledger', '')))} · manifest sha256 "
            f"{escape(str(run.get('manifest_sha256', ''))[:16])}… · arkit "
            f"{escape(str(run.get('arkit_version', '')))}</p>"
            "<table><thead><tr><th>Report</th><th>Status</th><th>Headline</th>"
            f"<th>Duration</th><th>Finished (UTC)</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    as_of = as_of_dir.name
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>arkit reports as of {escape(as_of)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>Reports as of {escape(as_of)}</h1>{''.join(sections)}</body></html>\n"
    )
    path = as_of_dir / "index.html"
    tmp = as_of_dir / ".index.html.tmp"
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
