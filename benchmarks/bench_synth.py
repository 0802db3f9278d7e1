"""How fast does arkit.synth generate a large ledger? (target: 1 million invoices < 60 s)

Run: ``.venv/bin/python benchmarks/bench_synth.py [--customers 7000] [--years 3] [--write DIR]``

Prints the wall time of :func:`arkit.synth.generate`, the row counts, and optionally
the time to write the clean Parquet export (and the messy one with ``--messy``).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from arkit.synth import generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=7000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--write", action="store_true", help="also time writing Parquet")
    parser.add_argument("--messy", action="store_true", help="also time the messy export")
    args = parser.parse_args()

    started = time.perf_counter()
    synth = generate(customers=args.customers, years=args.years, seed=args.seed)
    generated = time.perf_counter() - started
    invoices = int((synth.tables["invoices"]["doc_type"] == "invoice").sum())
    print(f"generate(customers={args.customers}, years={args.years}): {generated:.1f} s")
    print(f"  invoices (doc_type invoice): {invoices:,}  ({invoices / generated:,.0f} per s)")
    for name, table in synth.arrow.items():
        print(f"  {name:<15} {table.num_rows:>10,} rows")
    with tempfile.TemporaryDirectory() as tmp:
        if args.write:
            started = time.perf_counter()
            synth.write(Path(tmp) / "parquet", format="parquet")
            print(f"write parquet: {time.perf_counter() - started:.1f} s")
        if args.messy:
            started = time.perf_counter()
            synth.write(Path(tmp) / "messy", messy=True)
            print(f"write messy (GBK CSV + XLSX): {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
