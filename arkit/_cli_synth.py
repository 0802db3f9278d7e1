"""``arkit synth``: write a synthetic ledger with known ground truth as raw export files."""

from __future__ import annotations

import argparse

HELP = "generate a synthetic AR ledger (raw exports + ground truth)"
DESCRIPTION = """\
Generate a realistic receivables ledger whose truth is known: customers with payment
archetypes, invoices with product lines and some with instalment plans, partial
payments, credit notes, disputes, promises to pay, unapplied cash, overpayments,
defaulters written off months later (an overdue tail) and fx rates.

Writes DIR/<table>.csv (or .parquet) with canonical headers, or with --messy the way
Chinese ERPs export (GBK, Chinese headers, symbols, mixed dates, customers.xlsx with a
title row) plus injected defects; the ground truth goes to DIR/truth/.

example: arkit synth --customers 200 --years 3 --seed 0 --out data/raw
         arkit ingest data/raw --out data/ledger
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--customers", type=int, default=200, metavar="N", help="number of customers (200)"
    )
    parser.add_argument("--years", type=int, default=3, metavar="Y", help="years of history (3)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (0)")
    parser.add_argument(
        "--end-date",
        metavar="YYYY-MM-DD",
        help="export date, nothing is dated after it (fixed default: 2026-11-30)",
    )
    parser.add_argument(
        "--invoices-per-month",
        metavar="RATE",
        type=float,
        default=4.0,
        help="mean invoices per active customer and month (4.0)",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder")
    parser.add_argument(
        "--format", choices=("csv", "parquet"), default="csv", help="file format (csv)"
    )
    parser.add_argument(
        "--messy", action="store_true", help="write ERP-style exports with injected defects"
    )
    parser.add_argument(
        "--defects-per-kind",
        metavar="K",
        type=int,
        help="with --messy: injected defects of each kind (2)",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="replace DIR if it exists and is not empty"
    )


def run(args: argparse.Namespace) -> int:
    import time

    from arkit.errors import ParamsError
    from arkit.synth import DEFAULT_END_DATE, generate

    if args.defects_per_kind is not None and not args.messy:
        raise ParamsError("--defects-per-kind: only a --messy export has injected defects")
    started = time.perf_counter()
    synth = generate(
        customers=args.customers,
        years=args.years,
        seed=args.seed,
        end_date=args.end_date or DEFAULT_END_DATE,
        invoices_per_month=args.invoices_per_month,
    )
    out = synth.write(
        args.out,
        format=args.format,
        messy=args.messy,
        overwrite=args.overwrite,
        defects_per_kind=2 if args.defects_per_kind is None else args.defects_per_kind,
    )
    elapsed = time.perf_counter() - started
    print(f"wrote {'messy ' if args.messy else ''}synthetic ledger to {out}/ in {elapsed:.1f} s")
    for name, table in synth.arrow.items():
        print(f"  {name:<15} {table.num_rows:>10,} rows")
    print(f"  ground truth    {out}/truth/ ({', '.join(sorted(synth.truth))})")
    if args.messy:
        defects = synth.truth["defects"]
        print(f"  injected defects: {len(defects)} (listed in truth/defects.parquet)")
    return 0
