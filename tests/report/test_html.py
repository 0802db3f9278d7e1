"""HTML rendering, output sanitising, the index and `latest`, without starting a kernel."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from arkit.report._html import render_html, strip_active_outputs
from arkit.report._index import write_index
from arkit.report._registry import REGISTRY
from arkit.report._runner import _update_latest

SOURCE = [("Data source", "/data/ledger"), ("arkit version", "0.1.0")]


def _notebook(*outputs) -> nbformat.NotebookNode:
    cell = new_code_cell("secret_code_here()", outputs=list(outputs))
    return new_notebook(cells=[new_markdown_cell("## 应收账款\n\n### Détail"), cell])


def _html_output(html: str, plain: str = "plain text"):
    return new_output("display_data", data={"text/html": html, "text/plain": plain})


def test_chinese_page_labels_title_and_toc():
    page = render_html(
        _notebook(),
        title="应收账款账龄",
        as_of="2026-11-30",
        source_note=SOURCE,
        audience="sales_wang",
        language="zh",
    )
    assert '<html lang="zh">' in page
    assert "<title>应收账款账龄</title>" in page
    assert '<p class="arkit-subtitle">截至 2026-11-30 · 受众：sales_wang</p>' in page
    assert "<strong>目录</strong>" in page
    assert (
        '<a href="#%E5%BA%94%E6%94%B6%E8%B4%A6%E6%AC%BE">应收账款</a>' in page
    )  # as nbconvert ids it
    assert '<a href="#D%C3%A9tail">Détail</a>' in page
    assert "secret_code_here" not in page


def test_header_and_source_note_escape_their_text():
    page = render_html(
        _notebook(),
        title="<b>AR</b>",
        as_of="2026-11-30",
        question="<img src=x onerror=alert(1)>",
        source_note=[("Data source", "</td><script>alert(1)</script>")],
    )
    assert "<h1>&lt;b&gt;AR&lt;/b&gt;</h1>" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page


@pytest.mark.parametrize(
    "html",
    [
        "<p>ok</p><script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        "<SCRIPT src=//evil.example/x.js></SCRIPT>",
    ],
)
def test_outputs_that_could_run_code_are_withheld(html):
    nb = strip_active_outputs(_notebook(_html_output(html)))
    data = nb.cells[1].outputs[0]["data"]
    assert "text/html" not in data
    assert data["text/plain"] == "[HTML output withheld: it contained a script]"


def test_plain_tables_and_javascript_outputs():
    table = "<table><tr><td>&lt;script&gt;</td></tr></table>"
    js = new_output("display_data", data={"application/javascript": "alert(1)", "text/plain": "js"})
    original = _notebook(_html_output(table), js)
    nb = strip_active_outputs(original)
    assert nb.cells[1].outputs[0]["data"]["text/html"] == table  # escaped text is harmless
    assert nb.cells[1].outputs[1]["data"] == {"text/plain": "js"}
    assert "application/javascript" in original.cells[1].outputs[1]["data"]  # input untouched


def _write_run(folder: Path, reports: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "run.json").write_text(
        json.dumps({"ledger": "/l", "manifest_sha256": "ab" * 32, "reports": reports}),
        encoding="utf-8",
    )


def test_index_escapes_errors_and_lists_every_audience(tmp_path):
    as_of = tmp_path / "2026-11-30"
    _write_run(
        as_of / "all",
        {
            "aging": {
                "status": "failed",
                "cell": 7,
                "error": "KeyError: '<script>alert(1)</script>'",
                "duration_s": 1.25,
            }
        },
    )
    _write_run(as_of / "<east>", {"data_quality": {"status": "ok", "duration_s": 2.0}})
    (as_of / "<east>" / "data_quality").mkdir()
    (as_of / "<east>" / "data_quality" / "metrics.json").write_text(
        json.dumps(
            {"rows_read": 1234, "rows_rejected": 5, "money_rejected": -12.5, "reconciled": True}
        )
    )
    (as_of / "<east>" / "data_quality.html").write_text("page")
    page = write_index(as_of, REGISTRY).read_text(encoding="utf-8")
    assert "cell 7: KeyError: &#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27;" in page
    assert "<script" not in page
    assert "Audience: &lt;east&gt;" in page
    assert '<a href="%3Ceast%3E/data_quality.html">Data quality and reconciliation</a>' in page
    assert "Rows read: <strong>1,234</strong>" in page
    assert "Money rejected: <strong>(12.50)</strong>" in page
    assert "Reconciled: <strong>yes</strong>" in page
    assert "1.2 s" in page  # duration


def test_latest_points_at_newest_finished_run(tmp_path):
    for name, finished in (("2026-10-31", True), ("2026-11-30", True), ("2026-12-31", False)):
        (tmp_path / name).mkdir()
        if finished:
            (tmp_path / name / "index.html").write_text("x")
    _update_latest(tmp_path)
    assert os.readlink(tmp_path / "latest") == "2026-11-30"


def test_latest_is_a_file_where_symlinks_are_not_allowed(tmp_path, monkeypatch):
    (tmp_path / "2026-11-30").mkdir()
    (tmp_path / "2026-11-30" / "index.html").write_text("x")

    def refuse(*args, **kwargs):
        raise OSError("symlinks not permitted")

    monkeypatch.setattr(Path, "symlink_to", refuse)
    _update_latest(tmp_path)
    assert (tmp_path / "latest").read_text() == "2026-11-30\n"


def test_progress_counts_reports(capsys):
    from arkit.report._progress import rich_progress
    from arkit.report._registry import Report

    a, b = Report("a", "A"), Report("b", "B")
    with rich_progress() as on_event:
        for event, report in (("queued", a), ("queued", b), ("started", a), ("finished", a)):
            on_event(event, report, None)
        on_event("skipped", b, None)
    assert "2/2" in capsys.readouterr().err
