"""The ``arkit`` command.

Each subcommand lives in its own module that exposes ``HELP`` (one line),
``DESCRIPTION`` (optional), ``add_arguments(parser)`` and ``run(args) -> int``.
Those modules import only argparse at import time, so ``arkit --help`` and light
subcommands such as ``arkit aging`` start fast; heavy libraries are imported inside
``run``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

__all__ = ["main", "COMMANDS"]

# subcommand -> module implementing it
COMMANDS: dict[str, str] = {
    "synth": "arkit._cli_synth",
    "ingest": "arkit._cli_ingest",
    "run": "arkit.report._cli",
    "aging": "arkit._cli_aging",
}


def _version() -> str:
    from arkit._version import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="arkit",
        description=(
            "arkit — receivables workbench. Ingest ERP exports into a clean ledger, "
            "then run the aging, KPI and other reports as HTML for leadership."
        ),
        epilog="Run `arkit COMMAND --help` for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"arkit {_version()}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # a command whose module is not built yet is simply not offered
        p = sub.add_parser(
            name,
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(p)
        p.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``arkit`` command; returns the process exit code."""
    from arkit.errors import ArkitError

    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args._module.run(args) or 0)
    except ArkitError as exc:
        print(f"arkit {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("arkit: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader (e.g. `arkit aging | head`) stopped reading: end quietly, as shell
        # tools killed by SIGPIPE do, without a second error when Python flushes stdout
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
