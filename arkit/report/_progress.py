"""Progress display of ``arkit run`` on an interactive terminal (rich)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["rich_progress"]


@contextmanager
def rich_progress() -> Iterator:
    """Show a progress bar over the reports of a run; yields the runner's ``on_event``.

    While the bar is shown, log records are printed above it through rich, so
    log lines and the bar do not garble each other.
    """
    from rich.console import Console
    from rich.logging import RichHandler
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    console = Console(stderr=True)
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[bold]reports[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
    task = progress.add_task("", total=0)
    running: list[str] = []

    def on_event(event: str, report, result) -> None:
        if event == "queued":
            progress.update(task, total=progress.tasks[0].total + 1)
            return
        if event == "started":
            running.append(report.name)
        else:
            if report.name in running:
                running.remove(report.name)
            progress.advance(task)
        progress.update(task, description=", ".join(running))

    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers = [RichHandler(console=console, show_path=False, show_time=True)]
    try:
        with progress:
            yield on_event
    finally:
        root.handlers = saved
