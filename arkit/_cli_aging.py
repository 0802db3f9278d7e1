"""``arkit aging``: print the aging table of a clean ledger as CSV or JSON, for scripts.

Imports only argparse at module level; the ledger engine (DuckDB, pandas) is loaded
in :func:`run`, and nothing of plotting, notebooks or models is ever imported.
"""

from __future__ import annotations

import argparse

HELP = "print the aging table of a ledger (CSV or JSON) for scripts"
DESCRIPTION = """\
Print open receivables by age bucket as of a date, one row per group.

Buckets are inclusive: with the default edges 30,60,90,120 the columns are
not_due (due today or later), 1-30, 31-60, 61-90, 91-120 and 121+, followed by
total, overdue, over_90, disputed, unapplied_cash, credit_balance, net_balance and
lines. Money is printed exactly, to the cent. Without --reporting-currency every
group is split by currency.

example:
  arkit aging --ledger demo/ledger --as-of 2026-11-30 --by region --format json
"""

__all__ = ["HELP", "DESCRIPTION", "add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``arkit aging``."""
    parser.add_argument("--ledger", required=True, metavar="DIR", help="clean ledger folder")
    parser.add_argument(
        "--as-of", default="", metavar="DATE", help="report date YYYY-MM-DD (default: today)"
    )
    parser.add_argument(
        "--by",
        default="customer",
        metavar="DIM",
        help="customer (default), region, salesperson, collector, segment, currency or all",
    )
    parser.add_argument(
        "--basis",
        default="due_date",
        metavar="BASIS",
        help="age from due_date (default) or invoice_date",
    )
    parser.add_argument(
        "--buckets",
        default="30,60,90,120",
        metavar="EDGES",
        help="last day of each past-due bucket (default: 30,60,90,120)",
    )
    parser.add_argument(
        "--reporting-currency", default="", metavar="CUR", help="convert with the fx_rates table"
    )
    parser.add_argument(
        "--received-after",
        action="store_true",
        help="add payments received after the as-of date on the items open then",
    )
    parser.add_argument(
        "--format", default="csv", choices=("csv", "json"), help="output format (default: csv)"
    )


# Library parameter named in an error -> the flag that sets it.
_FLAGS = {
    "by": "--by",
    "basis": "--basis",
    "bucket_edges": "--buckets",
    "reporting_currency": "--reporting-currency",
}


def run(args: argparse.Namespace) -> int:
    """Compute the aging table and write it to stdout."""
    import json
    import sys

    from arkit.aging import aging
    from arkit.errors import ArkitError
    from arkit.ledger import _as_date, open_ledger

    as_of = _as_date(args.as_of or None, "--as-of")
    ledger = open_ledger(args.ledger)
    try:
        table = aging(
            ledger,
            as_of,
            by=args.by,
            basis=args.basis,
            edges=args.buckets,
            reporting_currency=args.reporting_currency or None,
            received_after=args.received_after,
            exact=True,
        )
    except ArkitError as exc:
        # The library names its parameters; on the command line the user typed a flag.
        name, sep, rest = str(exc).partition(": ")
        if not sep or name not in _FLAGS:
            raise
        raise type(exc)(f"{_FLAGS[name]}: {rest}") from None
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False)
    else:
        import pyarrow as pa

        # Exact decimals become JSON numbers, the nearest double to each amount (which
        # prints back as the cents): parsed from the decimal text, since Arrow's direct
        # decimal-to-float cast can be one unit off in the last place.
        arrow = pa.Table.from_pandas(table, preserve_index=False)
        as_text = pa.schema(
            [
                field.with_type(pa.string()) if pa.types.is_decimal(field.type) else field
                for field in arrow.schema
            ]
        )
        as_numbers = pa.schema(
            [
                field.with_type(pa.float64()) if pa.types.is_decimal(field.type) else field
                for field in arrow.schema
            ]
        )
        arrow = arrow.cast(as_text).cast(as_numbers)
        json.dump(arrow.to_pylist(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    return 0
