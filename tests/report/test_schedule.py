"""Scheduling without kernels: dependency order, skipping after a failure, the parallel bound."""

from __future__ import annotations

import threading
import time

import pytest

from arkit.report._registry import Report
from arkit.report._runner import ReportResult, _schedule

A = Report("a", "A")
B = Report("b", "B", depends_on=("a",))
C = Report("c", "C")
D = Report("d", "D", depends_on=("b",))


class FakeRunner:
    """Stands in for execute_report: records overlap, fails the reports it is told to."""

    def __init__(self, failing=(), seconds=0.15):
        self.failing, self.seconds = set(failing), seconds
        self.lock = threading.Lock()
        self.running = self.most = 0
        self.order: list[str] = []

    def __call__(self, report: Report) -> ReportResult:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.order.append(report.name)
        time.sleep(self.seconds)
        with self.lock:
            self.running -= 1
        status = "failed" if report.name in self.failing else "ok"
        return ReportResult(report.name, status)


def _events():
    seen = []
    return seen, lambda event, report, result: seen.append((event, report.name))


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_at_most_jobs_reports_run_at_once(jobs):
    runner = FakeRunner()
    reports = [Report(f"r{i}", "R") for i in range(6)]
    results = _schedule(reports, runner, jobs, lambda *args: None)
    assert [r.status for r in results] == ["ok"] * 6
    assert runner.most == jobs


def test_dependents_wait_and_are_skipped_after_a_failure():
    runner = FakeRunner(failing={"a"})
    seen, on_event = _events()
    results = _schedule([A, C, B, D], runner, 2, on_event)
    assert {r.name: r.status for r in results} == {
        "a": "failed",
        "c": "ok",
        "b": "skipped",
        "d": "skipped",
    }
    assert next(r for r in results if r.name == "b").error == "a failed"
    assert next(r for r in results if r.name == "d").error == "b failed"
    assert sorted(runner.order) == ["a", "c"]  # b and d never started
    assert ("skipped", "b") in seen and ("started", "b") not in seen


def test_a_dependency_finishes_before_its_dependent_starts():
    runner = FakeRunner()
    seen, on_event = _events()
    _schedule([A, B, C, D], runner, 3, on_event)
    assert seen.index(("finished", "a")) < seen.index(("started", "b"))
    assert seen.index(("finished", "b")) < seen.index(("started", "d"))
    assert [e for e in seen if e[0] == "queued"] == [("queued", n) for n in "abcd"]
