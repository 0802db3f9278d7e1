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
# what `arkit ingest` recorded per table; a ledger written by save_ledger alone has none
per_table = manifest.get("reconciliation", {})
have_reconciliation = bool(per_table)
STAGES = ("read", "clean", "rejected", "merged")
ROW_COLUMNS = [f"rows_{s}" for s in STAGES]
MONEY_COLUMNS = [f"money_{s}" for s in STAGES]
# the money that moves the receivable; credit limits and costs are not added to it
RECEIVABLE_MONEY = (("invoices", "amount"), ("payments", "amount"))
# Excel stops at 1,048,576 rows; the report says so rather than dropping rows silently
EXCEL_MAX_ROWS = 1_048_575
CHECK = {True: "✓", False: "✗"}

row_recon = pd.DataFrame(
    [
        {"table": table, **{c: int(stats[c]) for c in [*ROW_COLUMNS, "rows_flagged"]}}
        for table, stats in per_table.items()
    ],
    columns=["table", *ROW_COLUMNS, "rows_flagged"],
)
row_recon["check"] = (row_recon["rows_read"] == row_recon[ROW_COLUMNS[1:]].sum(axis=1)).map(CHECK)

# money stays Decimal until the check is done, so a cent off is caught
money_recon = pd.DataFrame(
    [
        {
            "table": table,
            "column": column,
            **{f"money_{s}": Decimal(money[s]) for s in STAGES},
            "unreadable_rows": int(money.get("unreadable_rows", 0)),
        }
        for table, stats in per_table.items()
        for column, money in stats.get("money", {}).items()
    ],
    columns=["table", "column", *MONEY_COLUMNS, "unreadable_rows"],
)
money_recon["check"] = [
    CHECK[read == clean + rejected + merged]
    for read, clean, rejected, merged in money_recon[MONEY_COLUMNS].itertuples(index=False)
]


# %%
def read_rejects(path: Path) -> pd.DataFrame | None:
    """Rejected, flagged and merged rows in source order, or None without a rejects file."""
    if not path.exists():
        return None
    frame = pd.read_parquet(path)
    severity_order = frame["severity"].map({"rejected": 0, "flagged": 1}).fillna(2)
    return (
        frame.assign(_order=severity_order)
        .sort_values(["_order", "table", "source", "row"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
    )


rejects = read_rejects(Path(ledger) / "rejects.parquet")

# %% [markdown]
# ## Summary

# %%
rows_read, rows_clean, rows_rejected, rows_merged, rows_flagged = (
    int(row_recon[c].sum()) if have_reconciliation else None for c in [*ROW_COLUMNS, "rows_flagged"]
)
receivable = money_recon.set_index(["table", "column"])["money_rejected"]
rejected_by_table = [receivable.get(key, Decimal(0)) for key in RECEIVABLE_MONEY]
money_rejected = sum(rejected_by_table, Decimal(0)) if have_reconciliation else None
reconciled = (
    bool((row_recon["check"] == "✓").all() and (money_recon["check"] == "✓").all())
    if have_reconciliation
    else None
)
unreadable = int(money_recon["unreadable_rows"].sum())

lines = []
if have_reconciliation:
    verdict = (
        "✓ every row read is clean, rejected or merged, and the money totals agree exactly."
        if reconciled
        else "✗ **the ledger does not reconcile**: see the lines marked ✗ below."
    )
    lines += [
        f"- **{rows_read:,}** rows read: **{rows_clean:,}** clean, **{rows_rejected:,}** "
        f"rejected, **{rows_merged:,}** exact duplicates merged; **{rows_flagged:,}** clean "
        "rows flagged for review.",
        # the manifest totals are per column, not per currency: say what is added up
        f"- Money left out of the ledger: invoices **{format_money(rejected_by_table[0])}**, "
        f"payments **{format_money(rejected_by_table[1])}** (amounts as exported, "
        "currencies not converted).",
        f"- Reconciliation: {verdict}",
    ]
    if unreadable:
        lines.append(
            f"- {unreadable:,} rows had an amount that could not be read; their money is "
            "not in any total."
        )
else:
    lines.append(
        "- The ledger's manifest records no ingest reconciliation (rows read, rejected, "
        "merged): it was not written by `arkit ingest`. Only the clean ledger is described."
    )
if rejects is None:
    lines.append("- No `rejects.parquet` in the ledger folder: rejected rows cannot be listed.")
display(Markdown("\n".join(lines)))

# %% [markdown]
# ## Reconciliation by table
#
# Every exported row lands in exactly one place: the clean ledger, the rejects, or
# (an exact duplicate) merged into its twin. Flagged rows are clean rows kept for review.

# %%
if have_reconciliation:
    ctx.save_table("reconciliation", row_recon)
    display(money_table(row_recon, labels={"check": "✓"}, total_row=True))
    money_display = money_recon.assign(
        **{c: money_recon[c].astype("float64") for c in MONEY_COLUMNS}
    )
    ctx.save_table("reconciliation_money", money_display)
    display(
        money_table(
            money_display,
            money_columns=MONEY_COLUMNS,
            labels={"unreadable_rows": "Unreadable amounts (rows)", "check": "✓"},
            title="Money by table and column",
        )
    )
else:
    clean_rows = ctx.ledger.query(
        "SELECT 'customers' AS table_name, count(*) AS rows_clean FROM customers "
        "UNION ALL SELECT 'invoices', count(*) FROM invoices "
        "UNION ALL SELECT 'payments', count(*) FROM payments"
    ).rename(columns={"table_name": "table"})
    ctx.save_table("reconciliation", clean_rows)
    display(Markdown("Rows in the clean ledger (read, rejected and merged are unknown):"))
    display(money_table(clean_rows))

# %% [markdown]
# ## Rejects by reason

# %%
if rejects is None:
    display(Markdown("No rejects file: nothing to break down."))
elif rejects.empty:
    display(Markdown("No row was rejected, flagged or merged."))
else:
    grouped = rejects.groupby(["table", "reason", "severity"], sort=False)
    by_reason = (
        grouped.size()
        .rename("rows")
        .to_frame()
        .assign(example=grouped["message"].first())
        .reset_index()
        .sort_values(["rows", "table", "reason"], ascending=[False, True, True], kind="stable")
        .reset_index(drop=True)
    )
    ctx.save_table("rejects_by_reason", by_reason)
    display(money_table(by_reason))
    display(
        bar_chart(
            by_reason.groupby("reason", sort=False)["rows"].sum().to_frame(),
            "rows",
            kind="number",
            title="Rows rejected, flagged or merged, by reason",
            xlabel="Rows",
        )
    )

# %% [markdown]
# ## Rows to fix
#
# Rejected rows first, then flagged ones, in source order; merged exact duplicates need
# no action. The full list, with each row's values as exported, is the Excel worklist
# `tables/rejects.xlsx`.

# %%
to_fix = None if rejects is None else rejects[rejects["severity"] != "merged"]
if to_fix is None or to_fix.empty:
    display(Markdown("Nothing to fix."))
else:
    columns = ["table", "source", "row", "reason", "severity", "message"]
    display(money_table(to_fix[columns].head(max_rejects_shown)))
    if len(to_fix) > max_rejects_shown:
        display(Markdown(f"{len(to_fix) - max_rejects_shown:,} more rows in the worklist."))
    ctx.save_table("rejects", to_fix.head(EXCEL_MAX_ROWS), excel=True)
    if len(to_fix) > EXCEL_MAX_ROWS:
        display(
            Markdown(
                f"The Excel worklist holds the first {EXCEL_MAX_ROWS:,} of {len(to_fix):,} "
                "rows (Excel's limit); `rejects.parquet` holds all of them."
            )
        )

# %% [markdown]
# ## Fix-ups applied during ingest
#
# Changes ingest made to keep a row (derived due dates, default currencies, merged
# duplicates): counted, never done quietly.

# %%
fixups = pd.DataFrame(
    [
        {"table": table, "fix_up": name, "rows": int(count)}
        for table, stats in per_table.items()
        for name, count in stats.get("fixups", {}).items()
    ],
    columns=["table", "fix_up", "rows"],
)
if not have_reconciliation:
    display(Markdown("The manifest records no fix-up counts."))
elif fixups.empty:
    display(Markdown("No fix-up was needed."))
else:
    ctx.save_table("fixups", fixups)
    display(money_table(fixups))

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
    rows_flagged=rows_flagged,
    money_rejected=money_rejected,
    reconciled=reconciled,
    fixups=int(fixups["rows"].sum()),
    latest_invoice_date=latest["invoices"],
    latest_payment_date=latest["payments"],
    source_files=len(manifest.get("sources", [])),
)
