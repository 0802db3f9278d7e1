"""``arkit ingest``: ERP exports in, clean ledger folder out."""

from __future__ import annotations

import argparse

HELP = "read ERP/CRM exports into a clean ledger folder (with rejects and a manifest)"
DESCRIPTION = """\
Read customer, invoice and payment exports (CSV in UTF-8 or GBK, XLSX, XLS, Parquet,
or a SQL database) into a clean ledger folder: one Parquet file per table,
rejects.parquet (every rejected, flagged or merged row with its reason) and
manifest.json (sources with checksums, rows and money read/clean/rejected/merged).

Which file holds which table is detected from its headers (English and Chinese
ERP headers are known); name it explicitly as TABLE=PATH, pick a workbook sheet
as PATH#Sheet, and map unknown headers with --mapping.

examples:
  arkit ingest exports/ --out ledger
  arkit ingest customers=kh.xlsx invoices=fp.csv payments=sk.csv --out ledger
  arkit ingest --db 'postgresql://ar:${AR_DB_PASSWORD}@erp/ar' \\
      --db-table customers=ar_customers --db-table invoices=ar_invoices \\
      --db-query payments='SELECT * FROM receipts WHERE status = 1' --out ledger
"""


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    from arkit.errors import InputError

    out = {}
    for value in values or []:
        table, sep, rest = value.partition("=")
        if not sep or not table or not rest:
            raise InputError(f"{option} {value!r}: expected TABLE=VALUE")
        out[table.strip()] = rest
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="file, folder, TABLE=PATH or PATH#Sheet"
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="clean ledger folder")
    parser.add_argument("--mapping", metavar="FILE", help="YAML {table: {column: header}}")
    parser.add_argument("--db", metavar="URL", help="SQLAlchemy URL; ${VAR} from the environment")
    parser.add_argument(
        "--db-table", action="append", metavar="TABLE=NAME", help="ledger table from a db table"
    )
    parser.add_argument(
        "--db-query", action="append", metavar="TABLE=SQL", help="ledger table from a query"
    )
    parser.add_argument(
        "--dayfirst", action="store_true", help="read 05/03/2026 as 5 March (default: 3 May)"
    )
    parser.add_argument("--decimal", default=".", help="decimal separator of amounts")
    parser.add_argument("--thousands", default=",", help="thousands separator of amounts")
    parser.add_argument(
        "--default-currency", metavar="CCY", help="currency of documents without one"
    )
    parser.add_argument(
        "--reporting-currency",
        metavar="CCY",
        help="require an fx rate for documents in other currencies",
    )
    parser.add_argument(
        "--run-date", metavar="YYYY-MM-DD", help="date for the far-future check (default today)"
    )


def run(args: argparse.Namespace) -> int:
    from arkit.ingest import ingest

    result = ingest(
        *args.sources,
        out=args.out,
        mapping=args.mapping,
        db=args.db,
        db_tables=_pairs(args.db_table, "--db-table"),
        db_queries=_pairs(args.db_query, "--db-query"),
        dayfirst=args.dayfirst,
        decimal=args.decimal,
        thousands=args.thousands,
        default_currency=args.default_currency,
        reporting_currency=args.reporting_currency,
        run_date=args.run_date,
    )
    print(result.summary())
    return 0
