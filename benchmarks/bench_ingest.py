"""Ingest speed and peak memory: 1 million invoices + 1 million payments, CSV and Parquet.

Run:  .venv/bin/python benchmarks/bench_ingest.py [--rows 1000000] [--keep] [--repeat 3]

The exports are generated column-wise into benchmarks/data/ (git-ignored): 20,000
customers, ``--rows`` invoices and as many payments, with one row in a thousand
carrying a defect (an unreadable amount or date, an unknown customer) so the reject
path is measured too. Each ingest runs in a fresh Python process, so its peak
resident memory (``ru_maxrss``) is its own. Each source is ingested ``--repeat`` times
and the run of median wall time is shown, since single runs swing on a shared machine.
Results are printed as Markdown table rows for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

HERE = Path(__file__).parent
DATA = HERE / "data"


def _money_text(cents: np.ndarray) -> pa.Array:
    whole = pa.array(cents // 100).cast(pa.string())
    frac = pc.utf8_lpad(pa.array(cents % 100).cast(pa.string()), 2, "0")
    return pc.binary_join_element_wise(whole, frac, ".")


def _date_text(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype("datetime64[D]")).cast(pa.string())


def _spoil(column: pa.Array, rng: np.random.Generator, text: str) -> pa.Array:
    bad = rng.random(len(column)) < 0.001
    return pc.if_else(pa.array(bad), text, column)


def generate(rows: int, seed: int = 1) -> dict[str, pa.Table]:
    """Customers, invoices and payments as text columns, like an ERP export."""
    rng = np.random.default_rng(seed)
    n_customers = 20_000
    customer_ids = pc.binary_join_element_wise(
        "C", pc.utf8_lpad(pa.array(np.arange(n_customers)).cast(pa.string()), 6, "0"), ""
    )
    customers = pa.table(
        {
            "customer_id": customer_ids,
            "customer_name": pc.binary_join_element_wise("Customer ", customer_ids, ""),
            "payment_terms": pa.array(
                rng.choice(["NET30", "NET60", "EOM+30", "月结60天"], n_customers)
            ),
            "currency": pa.array(np.full(n_customers, "CNY")),
        }
    )
    start = np.datetime64("2023-01-01").astype(np.int64)
    issued = start + rng.integers(0, 1000, rows)
    invoice_ids = pc.binary_join_element_wise(
        "INV", pc.utf8_lpad(pa.array(np.arange(rows)).cast(pa.string()), 8, "0"), ""
    )
    owner = pc.take(customer_ids, pa.array(rng.integers(0, n_customers, rows)))
    cents = rng.integers(1_000, 10_000_000, rows)
    invoices = pa.table(
        {
            "invoice_id": invoice_ids,
            "customer_id": _spoil(owner, rng, "C999999"),
            "invoice_date": _spoil(_date_text(issued), rng, "2026-02-30"),
            "amount": _spoil(_money_text(cents), rng, "n/a"),
            "due_date": _date_text(issued + 30),
        }
    )
    paid = rng.permutation(rows)
    payments = pa.table(
        {
            "payment_id": pc.binary_join_element_wise(
                "PAY", pc.utf8_lpad(pa.array(np.arange(rows)).cast(pa.string()), 8, "0"), ""
            ),
            "customer_id": pc.take(owner, pa.array(paid)),
            "payment_date": _spoil(
                _date_text(issued[paid] + rng.integers(0, 90, rows)), rng, "soon"
            ),
            "amount": _money_text(cents[paid]),
            "invoice_id": pc.take(invoice_ids, pa.array(paid)),
        }
    )
    return {"customers": customers, "invoices": invoices, "payments": payments}


_HEADERS_ZH = {
    "customers": {"customer_id": "客户编号", "customer_name": "客户名称",
                  "payment_terms": "付款条件", "currency": "币种"},
    "invoices": {"invoice_id": "发票号码", "customer_id": "客户编号", "invoice_date": "开票日期",
                 "amount": "价税合计", "due_date": "到期日"},
    "payments": {"payment_id": "收款单号", "customer_id": "客户编号", "payment_date": "收款日期",
                 "amount": "收款金额", "invoice_id": "发票号码"},
}  # fmt: skip


def _erp_amount(plain: pa.Array) -> pa.Array:
    """``12345.60`` -> ``￥12,345.60`` (amounts stay below a million: one separator at most)."""
    parts = pc.split_pattern(plain, ".")
    whole, cents = pc.list_element(parts, 0), pc.list_element(parts, 1)
    grouped = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(whole, 0, -3), pc.utf8_slice_codeunits(whole, -3), ","
    )
    whole = pc.if_else(pc.greater(pc.utf8_length(whole), 3), grouped, whole)
    return pc.binary_join_element_wise("￥", whole, ".", cents, "")


def _erp_date(iso: pa.Array) -> pa.Array:
    """``2026-03-05`` -> ``2026年3月5日``; unreadable text is kept as it is."""
    ok = pc.match_substring_regex(iso, r"^\d{4}-\d{2}-\d{2}$")
    parts = pc.split_pattern(pc.if_else(ok, iso, "0000-00-00"), "-")
    year, month, day = (pc.list_element(parts, i) for i in range(3))
    month, day = (pc.utf8_ltrim(x, "0") for x in (month, day))
    chinese = pc.binary_join_element_wise(year, "年", month, "月", day, "日", "")
    return pc.if_else(ok, chinese, iso)


def _messy(name: str, table: pa.Table) -> pa.Table:
    """The same rows as a Chinese ERP exports them: Chinese headers, GBK, ￥1,234.50, 2026年3月5日."""
    columns = {}
    for column in table.column_names:
        values = table.column(column).combine_chunks()
        if column == "amount":
            plain = pc.match_substring_regex(values, r"^\d+\.\d\d$")
            values = pc.if_else(plain, _erp_amount(pc.if_else(plain, values, "0.00")), values)
        elif column.endswith("_date"):
            values = _erp_date(values)
        columns[_HEADERS_ZH[name][column]] = values
    return pa.table(columns)


def write_sources(rows: int) -> dict[str, Path]:
    tables = generate(rows)
    folders = {
        "csv": DATA / f"csv-{rows}",
        "parquet": DATA / f"parquet-{rows}",
        "csv-gbk-zh": DATA / f"csv-gbk-zh-{rows}",
    }
    for folder in folders.values():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    for name, table in tables.items():
        pcsv.write_csv(table, folders["csv"] / f"{name}.csv")
        pq.write_table(table, folders["parquet"] / f"{name}.parquet")
        buffer = pa.BufferOutputStream()
        pcsv.write_csv(_messy(name, table), buffer)
        gbk = buffer.getvalue().to_pybytes().decode("utf-8").encode("gbk")
        (folders["csv-gbk-zh"] / f"{name}.csv").write_bytes(gbk)
    # the kernel would otherwise still be flushing these files during the first ingest
    os.sync()
    return folders


_CHILD = """
import resource, sys, time
from arkit.ingest import ingest
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
t0, c0 = time.perf_counter(), cpu()
result = ingest(sys.argv[1], out=sys.argv[2], run_date="2026-06-30")
elapsed, cpu_seconds = time.perf_counter() - t0, cpu() - c0
rows = sum(s["rows_read"] for s in result.manifest["reconciliation"].values())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{rows} {elapsed:.3f} {cpu_seconds:.3f} {peak:.0f} {result.manifest['rejects']['rows']}")
"""


def measure(source: Path, out: Path) -> tuple[int, float, float, float, int]:
    """Rows read, wall and CPU seconds, peak MiB and rejects of one ingest in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(source), str(out)],
        check=True,
        capture_output=True,
        text=True,
    )
    rows, seconds, cpu_seconds, peak, rejects = done.stdout.split()
    return int(rows), float(seconds), float(cpu_seconds), float(peak), int(rejects)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="invoices (and payments)")
    parser.add_argument("--keep", action="store_true", help="keep benchmarks/data afterwards")
    parser.add_argument(
        "--repeat", type=int, default=3, help="ingests of each source; the median run is shown"
    )
    args = parser.parse_args()
    t0 = time.perf_counter()
    folders = write_sources(args.rows)
    print(
        f"generated {args.rows:,} invoices + {args.rows:,} payments in {time.perf_counter() - t0:.1f} s"
    )
    machine = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}")
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    print("| source | rows | seconds | rows/s | CPU seconds | peak memory | rejects |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind, folder in folders.items():
        runs = sorted(
            (measure(folder, DATA / f"ledger-{kind}") for _ in range(max(args.repeat, 1))),
            key=lambda run: run[1],
        )
        rows, seconds, cpu_seconds, peak, rejects = runs[len(runs) // 2]
        print(
            f"| {kind} | {rows:,} | {seconds:.2f} | {rows / seconds:,.0f} | {cpu_seconds:.2f} "
            f"| {peak:,.0f} MiB | {rejects:,} |"
        )
    if not args.keep:
        shutil.rmtree(DATA, ignore_errors=True)


if __name__ == "__main__":
    main()
