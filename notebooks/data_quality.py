# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
ledger: str = "demo/ledger"  # clean ledger folder written by `arkit ingest`
as_of: str = ""  # report date, YYYY-MM-DD; empty means today
reporting_currency: str = ""  # ISO currency to convert to; empty keeps document currencies
company: str = ""  # company name shown in titles
language: str = "en"  # en or zh
audience: str = "all"  # audience scope of this run
output_dir: str = ""  # where tables/ and metrics.json go; empty writes nothing
max_rejects_shown: int = 50  # rejected rows listed in the report (all go to rejects.xlsx)

# %%
from decimal import Decimal
from pathlib import Path

import pandas as pd
from IPython.display import Markdown, display

from arkit.charts import bar_chart, use_theme
from arkit.report import ReportContext
from arkit.tables import format_money, money_table

ctx = ReportContext.from_params(
    ledger=ledger,
    as_of=as_of,
    output_dir=output_dir,
    reporting_currency=reporting_currency,
    company=company,
    language=language,
    audience=audience,
)
use_theme()
manifest = ctx.ledger.manifest
rejects_path = Path(ledger) / "rejects.parquet"
# Excel stops at 1,048,576 rows; the worklist says so rather than dropping rows silently.
EXCEL_MAX_ROWS = 1_048_575
STAGES = ("read", "clean", "rejected", "merged")
ROW_COLUMNS = [f"rows_{s}" for s in STAGES]
MONEY_COLUMNS = [f"money_{s}" for s in STAGES]


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def reconciliation_from_manifest(manifest: dict) -> pd.DataFrame:
    """Per-table rows and money read/clean/rejected/merged, as ingest recorded them.

    Money stays exact (Decimal) so that the check below is exact; tables for
    display get floats.
    """
    per_table = manifest.get("reconciliation") or manifest.get("tables") or {}
    records = []
    for table, entry in per_table.items():
        if not isinstance(entry, dict) or "rows_read" not in entry:
            continue  # save_ledger alone records clean rows only: nothing to reconcile
        record = {"table": table}
        record.update({c: int(entry.get(c) or 0) for c in ROW_COLUMNS})
        record.update({c: _decimal(entry.get(c, 0)) for c in MONEY_COLUMNS})
        records.append(record)
    frame = pd.DataFrame(records, columns=["table", *ROW_COLUMNS, *MONEY_COLUMNS])
    frame["rows_reconciled"] = frame["rows_read"] == frame[ROW_COLUMNS[1:]].sum(axis=1)
    frame["money_reconciled"] = [
        row.money_read == row.money_clean + row.money_rejected + row.money_merged
        for row in frame.itertuples()
    ]
    return frame


recon = reconciliation_from_manifest(manifest)
have_reconciliation = not recon.empty


# %%
# Rejects: normalise the few column spellings to the ones used below.
REJECT_ALIASES = {
    "reason_code": "reason",
    "code": "reason",
    "file": "source_file",
    "source": "source_file",
    "row": "source_row",
    "row_number": "source_row",
    "line": "source_row",
    "raw_values": "raw",
}


def read_rejects(path: Path) -> pd.DataFrame | None:
    """The rejects worklist (one row per rejected or flagged input row), or None."""
    if not path.exists():
        return None
    con = ctx.ledger.con
    quoted = str(path).replace("'", "''")
    names = [
        r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet('{quoted}')").fetchall()
    ]
    # raw values may be a struct/map/JSON; the worklist shows them as text
    select = ", ".join(
        f'CAST("{n}" AS VARCHAR) AS "{REJECT_ALIASES.get(n, n)}"'
        if REJECT_ALIASES.get(n, n) == "raw"
        else f'"{n}" AS "{REJECT_ALIASES.get(n, n)}"'
        for n in names
    )
    frame = con.execute(f"SELECT {select} FROM read_parquet('{quoted}')").df()
    if "severity" not in frame:
        frame["severity"] = "rejected"
    if "amount" in frame:
        frame["amount"] = pd.to_numeric(frame["amount"], errors="coerce")
    sort = [c for c in ("table", "source_file", "source_row") if c in frame]
    return frame.sort_values(sort, kind="stable").reset_index(drop=True) if sort else frame


rejects = read_rejects(rejects_path)

# %% [markdown]
# ## Summary


# %%
def total(column: str):
    return recon[column].sum() if have_reconciliation else None


rows_read, rows_clean = total("rows_read"), total("rows_clean")
rows_rejected, rows_merged = total("rows_rejected"), total("rows_merged")
money_rejected = sum(recon["money_rejected"], Decimal(0)) if have_reconciliation else None
reconciled = (
    bool((recon["rows_reconciled"] & recon["money_reconciled"]).all())
    if have_reconciliation
    else None
)
flagged = int((rejects["severity"] == "flagged").sum()) if rejects is not None else None

lines = []
if have_reconciliation:
    verdict = (
        "✓ every row read is clean, rejected or merged, and the money totals agree exactly."
        if reconciled
        else "✗ **the ledger does not reconcile**: see the tables marked ✗ below."
    )
    lines += [
        f"- **{rows_read:,}** rows read: **{rows_clean:,}** clean, **{rows_rejected:,}** rejected, "
        f"**{rows_merged:,}** exact duplicates merged.",
        f"- Money in rejected rows: **{format_money(money_rejected)}**.",
        f"- Reconciliation: {verdict}",
    ]
else:
    lines.append(
        "- The ledger's manifest records no ingest reconciliation (rows read, rejected, merged); "
        "it was not written by `arkit ingest`. Only the clean ledger is described below."
    )
if flagged is not None:
    lines.append(f"- **{flagged:,}** rows kept in the ledger but flagged for review.")
else:
    lines.append("- No `rejects.parquet` in the ledger folder: rejected rows cannot be listed.")
display(Markdown("\n".join(lines)))

# %% [markdown]
# ## Reconciliation by table
#
# Every exported row must land in exactly one place: the clean ledger, the rejects,
# or (for exact duplicates) be merged into its twin. The same holds for money.

# %%
if have_reconciliation:
    reconciliation = recon.assign(
        rows_check=recon["rows_reconciled"].map({True: "✓", False: "✗"}),
        money_check=recon["money_reconciled"].map({True: "✓", False: "✗"}),
        **{c: recon[c].astype("float64") for c in MONEY_COLUMNS},
    ).drop(columns=["rows_reconciled", "money_reconciled"])
    ctx.save_table("reconciliation", reconciliation)
    display(
        money_table(
            reconciliation,
            money_columns=MONEY_COLUMNS,
            labels={"rows_check": "Rows ✓", "money_check": "Money ✓"},
            total_row=True,
        )
    )
else:
    clean_rows = ctx.ledger.query(
        "SELECT 'customers' AS table_name, count(*) AS rows_clean FROM customers "
        "UNION ALL SELECT 'invoices', count(*) FROM invoices "
        "UNION ALL SELECT 'payments', count(*) FROM payments"
    ).rename(columns={"table_name": "table"})
    ctx.save_table("reconciliation", clean_rows)
    display(Markdown("Rows in the clean ledger (read, rejected and merged counts are unknown):"))
    display(money_table(clean_rows))

# %% [markdown]
# ## Rejects by reason

# %%
if rejects is None:
    display(Markdown("No rejects file: nothing to break down."))
elif rejects.empty:
    display(Markdown("No row was rejected or flagged."))
else:
    grouped = rejects.groupby(["reason", "severity"], sort=False)
    by_reason = grouped.size().rename("rows").to_frame()
    if "amount" in rejects:
        by_reason["money"] = grouped["amount"].sum(min_count=1)
    if "message" in rejects:
        by_reason["example"] = grouped["message"].first()
    by_reason = (
        by_reason.reset_index()
        .sort_values(["rows", "reason"], ascending=[False, True], kind="stable")
        .reset_index(drop=True)
    )
    ctx.save_table("rejects_by_reason", by_reason)
    display(money_table(by_reason, money_columns=[c for c in ["money"] if c in by_reason]))
    display(
        bar_chart(
            by_reason.groupby("reason", sort=False)["rows"].sum().to_frame(),
            "rows",
            title="Rejected and flagged rows by reason",
            xlabel="Rows",
        )
    )

# %% [markdown]
# ## Rejected rows to fix
#
# The largest rejected amounts first. The full list, with the raw values as exported,
# is in the Excel worklist `tables/rejects.xlsx`.

# %%
if rejects is not None and not rejects.empty:
    order = rejects.assign(_size=rejects["amount"].abs() if "amount" in rejects else 0)
    shown = (
        order.sort_values("_size", ascending=False, kind="stable", na_position="last")
        .head(max_rejects_shown)
        .drop(columns=["_size"])
    )
    columns = [
        c
        for c in (
            "table",
            "source_file",
            "source_row",
            "reason",
            "severity",
            "amount",
            "message",
            "raw",
        )
        if c in shown
    ]
    display(money_table(shown[columns], money_columns=[c for c in ["amount"] if c in columns]))
    if len(rejects) > max_rejects_shown:
        display(Markdown(f"{len(rejects) - max_rejects_shown:,} more rows in the worklist."))
    worklist = rejects.head(EXCEL_MAX_ROWS)
    ctx.save_table("rejects", worklist, excel=True)
    if len(rejects) > EXCEL_MAX_ROWS:
        display(
            Markdown(
                f"The Excel worklist holds the first {EXCEL_MAX_ROWS:,} of {len(rejects):,} rows (Excel's limit)."
            )
        )
else:
    display(Markdown("Nothing to fix."))

# %% [markdown]
# ## Fix-ups applied during ingest
#
# Changes ingest made to keep a row (derived due dates, merged duplicates, default
# currencies, unapplied cash): counted, never done quietly.

# %%
raw_fixups = manifest.get("fixups", manifest.get("fix_ups"))
if raw_fixups is None:
    fixups = pd.DataFrame(columns=["table", "fix_up", "rows"])
    display(Markdown("The manifest records no fix-up counts."))
else:
    # either {table: {fix-up: count}} or {fix-up: count}
    nested = any(isinstance(v, dict) for v in raw_fixups.values())
    fixups = pd.DataFrame(
        [
            {"table": table, "fix_up": kind, "rows": int(count)}
            for table, kinds in (raw_fixups.items() if nested else [("", raw_fixups)])
            for kind, count in kinds.items()
        ],
        columns=["table", "fix_up", "rows"],
    )
    ctx.save_table("fixups", fixups)
    display(money_table(fixups) if not fixups.empty else Markdown("No fix-up was needed."))

# %% [markdown]
# ## Data freshness
#
# The newest document in the ledger against the report date: a stale export shows
# here before it misleads the aging.

# %%
freshness = ctx.ledger.query(
    """
    SELECT 'invoices' AS table_name, max(invoice_date) AS latest_date,
           sum(CASE WHEN invoice_date > $as_of THEN 1 ELSE 0 END) AS rows_after_as_of
    FROM invoices
    UNION ALL
    SELECT 'payments', max(payment_date),
           sum(CASE WHEN payment_date > $as_of THEN 1 ELSE 0 END)
    FROM payments
    """,
    as_of=ctx.as_of,
).rename(columns={"table_name": "table"})
freshness["latest_date"] = [
    None if pd.isna(d) else pd.Timestamp(d).date() for d in freshness["latest_date"]
]
freshness["rows_after_as_of"] = freshness["rows_after_as_of"].fillna(0).astype("int64")
freshness["days_before_as_of"] = [
    None if d is None else (ctx.as_of - d).days for d in freshness["latest_date"]
]
freshness = freshness[["table", "latest_date", "days_before_as_of", "rows_after_as_of"]]
ctx.save_table("freshness", freshness)
display(money_table(freshness, subtitle=f"As of {ctx.as_of.isoformat()}"))

# %%
latest = dict(zip(freshness["table"], freshness["latest_date"], strict=True))
ctx.save_metrics(
    rows_read=rows_read,
    rows_clean=rows_clean,
    rows_rejected=rows_rejected,
    rows_merged=rows_merged,
    rows_flagged=flagged,
    money_rejected=money_rejected,
    reconciled=reconciled,
    fixups=int(fixups["rows"].sum()) if not fixups.empty else 0,
    latest_invoice_date=latest["invoices"],
    latest_payment_date=latest["payments"],
    source_files=len(manifest.get("sources", [])),
)
