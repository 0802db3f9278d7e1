"""Run every benchmark once at its documented default size (several minutes).

Each benchmark is a script of its own, run in a fresh process so that one's memory
does not inflate another's peak; figures are printed by the scripts and recorded by
hand in benchmarks/README.md together with the machine and its load.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS = (
    ("synth", ["bench_synth.py", "--write"]),
    ("ingest", ["bench_ingest.py"]),
    ("aging", ["bench_aging.py", "--invoices", "1000000"]),
)


def main() -> int:
    print(f"load average before: {os.getloadavg()}", flush=True)
    failed = []
    for name, argv in BENCHMARKS:
        print(f"\n== {name}: {' '.join(argv)}", flush=True)
        if subprocess.run([sys.executable, str(HERE / argv[0]), *argv[1:]]).returncode:
            failed.append(name)
    print(f"\nload average after: {os.getloadavg()}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
