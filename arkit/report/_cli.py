"""``arkit run``: execute report notebooks and publish HTML, tables and metrics."""

from __future__ import annotations

import argparse

HELP = "run report notebooks and publish HTML for leadership (safe to schedule)"
DESCRIPTION = """\
Run report notebooks (notebooks/<report>.py) with papermill and publish, for each:
  OUT/<as_of>/<audience>/<report>.html      self-contained HTML, no code, opens offline
  OUT/<as_of>/<audience>/<report>/          executed .ipynb, tables/*.csv, metrics.json
  OUT/<as_of>/<audience>/run.json           status, duration, failing cell and error
  OUT/<as_of>/index.html                    every report with status, headline metrics, links
  OUT/latest                                the newest as_of folder whose run finished

Parameters are layered, later wins: the notebook's parameters cell, params/default.yaml,
params/<report>.yaml, --params FILE, -p key=value. They are all validated before any
notebook starts. Reports run in dependency order, independent ones in parallel.

A failed report keeps its previous good output, is recorded in run.json and the index,
does not stop the others, and makes the command exit with status 1. On a terminal a
progress bar is shown; otherwise (cron, CI) plain log lines. See docs/pipeline.md.

examples:
  arkit run all --ledger demo/ledger --as-of 2026-11-30 --out demo/outputs
  arkit run aging -p bucket_edges=30,60,90 -p top_n=15
  arkit run all --audience sales_wang_fang --keep 30
"""

__all__ = ["HELP", "DESCRIPTION", "add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "reports",
        nargs="+",
        metavar="REPORT",
        help="report name(s) (a notebook in the notebooks folder), or 'all'",
    )
    parser.add_argument("--as-of", metavar="DATE", help="report date YYYY-MM-DD (default: today)")
    parser.add_argument(
        "--ledger", metavar="DIR", help="clean ledger folder (default: from params/default.yaml)"
    )
    parser.add_argument(
        "--audience",
        default="all",
        metavar="NAME",
        help="audience from params/audiences.yaml; reports see only its customers (default: all)",
    )
    parser.add_argument(
        "--out", default="outputs", metavar="DIR", help="output root (default: outputs)"
    )
    parser.add_argument(
        "--keep", type=int, metavar="N", help="keep only the N newest as_of folders in --out"
    )
    parser.add_argument(
        "--params", metavar="FILE", help="YAML of parameters; a '<report>:' section targets one"
    )
    parser.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="set one parameter (repeatable); 'report.key=value' targets one report",
    )
    parser.add_argument(
        "--notebooks",
        metavar="DIR",
        help="notebooks folder (default: $ARKIT_NOTEBOOKS or notebooks/)",
    )
    parser.add_argument(
        "--params-dir", metavar="DIR", help="params folder (default: $ARKIT_PARAMS or params/)"
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=600,
        metavar="SECONDS",
        help="time allowed per notebook cell (default: 600)",
    )
    parser.add_argument(
        "--jobs", type=int, metavar="N", help="reports run at once (default and maximum: CPUs)"
    )


def _quiet_libraries(verbose: bool) -> None:
    import logging

    if not verbose:
        # papermill logs every notebook path and warns about parameters it cannot parse
        # (help comments containing "="), which arkit has already validated itself;
        # nbconvert warns about every image without alt text.
        logging.getLogger("papermill").setLevel(logging.ERROR)
        logging.getLogger("traitlets").setLevel(logging.ERROR)


def run(args: argparse.Namespace) -> int:
    import logging
    import sys

    from arkit.errors import ReportError
    from arkit.report._runner import run_reports

    _quiet_libraries(getattr(args, "verbose", False))
    options = dict(
        out=args.out,
        ledger=args.ledger,
        as_of=args.as_of,
        audience=args.audience,
        notebooks=args.notebooks,
        params_folder=args.params_dir,
        params_file=args.params,
        assignments=args.param,
        timeout=args.timeout,
        jobs=args.jobs,
        keep=args.keep,
    )
    if sys.stderr.isatty():
        from arkit.report._progress import rich_progress

        with rich_progress() as on_event:
            summary = run_reports(args.reports, on_event=on_event, **options)
    else:
        summary = run_reports(args.reports, **options)
    index = summary.folder.parent / "index.html"
    logging.getLogger("arkit.report").info("index: %s", index)
    print(index)
    if not summary.ok:
        details = "; ".join(
            f"{r.name} ({f'cell {r.cell}: ' if r.cell else ''}{r.error})" for r in summary.failed
        )
        raise ReportError(
            f"{len(summary.failed)} of {len(summary.results)} report(s) failed: {details}; "
            f"see {summary.folder / 'run.json'}"
        )
    return 0
