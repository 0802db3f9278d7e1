"""The repository's own report notebooks through the whole pipeline on a small synthetic ledger."""

from __future__ import annotations

import json
import re

import pytest

from arkit.report._registry import REGISTRY

pytestmark = [pytest.mark.notebook, pytest.mark.slow]

AS_OF = "2026-11-30"


def test_every_registered_report_runs(real_run):
    _, summary = real_run
    assert {r.name: r.status for r in summary.results} == dict.fromkeys(REGISTRY, "ok")


def test_reports_are_self_contained_and_small(real_run):
    out, _ = real_run
    for name in REGISTRY:
        path = out / AS_OF / "all" / f"{name}.html"
        page = path.read_text(encoding="utf-8")
        assert path.stat().st_size < 3 * 1024 * 1024, name
        assert re.findall(r'(?:src|href)\s*=\s*["\']?\s*(?:https?:)?//', page, re.I) == [], name
        assert "<script" not in page.lower(), name
        assert f"<h1>{REGISTRY[name].title}</h1>" in page


def test_index_shows_each_reports_headline_metrics(real_run):
    out, _ = real_run
    page = (out / AS_OF / "index.html").read_text(encoding="utf-8")
    for name, report in REGISTRY.items():
        assert f'<a href="all/{name}.html">{report.title}</a>' in page
        metrics = json.loads((out / AS_OF / "all" / name / "metrics.json").read_text("utf-8"))
        for metric in report.metrics:
            assert metric.key in metrics, f"{name} does not publish {metric.key}"
            assert f"{metric.label}: <strong>" in page
