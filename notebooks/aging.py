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
basis: str = "due_date"  # age from due_date or invoice_date
bucket_edges: str = "30,60,90,120"  # last day of each past-due bucket
history_months: int = 24  # month ends shown in the history (the as-of date is the last)
top_n: int = 20  # customers in the top-overdue table
drilldown_customers: int = 5  # top overdue customers whose open invoices are listed
dso_months: int = 3  # months of credit sales behind DSO and BPDSO
cei_months: int = 3  # months over which CEI and average days to pay are measured
countback_months: int = 12  # look-back of the countback DSO
at_risk_days: int = 90  # horizon of the at-risk rate

# %%
import pandas as pd
from IPython.display import Markdown, display

from arkit.aging import (
    aging,
    aging_items,
    aging_summary,
    bucket_display_name,
    bucket_labels,
    top_overdue,
)
from arkit.charts import bar_chart, stacked_aging_chart, trend_chart, use_theme
from arkit.kpis import ar_kpis, glossary, kpi_history
from arkit.report import ReportContext
from arkit.tables import format_days, format_money, format_percent, money_table

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
currency_to = ctx.reporting_currency
settings = {"basis": basis, "edges": bucket_edges, "reporting_currency": currency_to}
buckets = bucket_labels(bucket_edges, basis)

by_customer = aging(ctx.ledger, ctx.as_of, by="customer", received_after=True, **settings)
summary = aging_summary(ctx.ledger, ctx.as_of, **settings)
history = kpi_history(
    ctx.ledger,
    ctx.as_of,
    months=history_months,
    dso_months=dso_months,
    cei_months=cei_months,
    countback_months=countback_months,
    **settings,
)
kpis = ar_kpis(
    ctx.ledger,
    ctx.as_of,
    dso_months=dso_months,
    cei_months=cei_months,
    countback_months=countback_months,
    horizon_days=at_risk_days,
    reporting_currency=currency_to,
    history=history,  # the KPIs of its last period: no second pass
)
currencies = kpis["currency"].dropna().tolist()
# the headline currency: the reporting currency, else the one with the most AR
main_currency = currencies[0] if currencies else currency_to

# %% [markdown]
# ## Headline

# %%
headline = kpis.iloc[0] if len(kpis) else None
if headline is None:
    display(Markdown(f"Nothing is open on {ctx.as_of}: no invoice, payment or credit."))
else:
    money = {
        k: format_money(headline[k], main_currency) for k in ("total_ar", "overdue", "over_90")
    }
    days = {k: format_days(headline[k]) for k in ("dso", "dso_countback", "bpdso", "add")}
    lines = [
        f"- Receivables open on {ctx.as_of}: **{money['total_ar']}**, of which "
        f"**{money['overdue']}** overdue ({format_percent(headline['pct_overdue'])}) and "
        f"**{money['over_90']}** more than 90 days past due.",
        f"- DSO **{days['dso']}** (countback {days['dso_countback']}); best possible DSO "
        f"{days['bpdso']}; average days delinquent **{days['add']}**.",
        f"- Collection effectiveness over the last {cei_months} months: "
        f"**{format_percent(headline['cei'])}**.",
    ]
    if len(currencies) > 1:
        lines.append(
            f"- The ledger holds {len(currencies)} currencies ({', '.join(currencies)}) and no "
            "reporting currency is set: amounts are shown per currency and never added "
            f"across currencies. The headline is in {main_currency}, the largest; set "
            "`reporting_currency` to convert with the fx rates."
        )
    display(Markdown("\n".join(lines)))
    ctx.save_metrics(
        as_of=ctx.as_of,
        currency=main_currency,
        total_ar=headline["total_ar"],
        not_due=headline["not_due"],
        overdue=headline["overdue"],
        over_90=headline["over_90"],
        dso=headline["dso"],
        bpdso=headline["bpdso"],
        add=headline["add"],
        cei=headline["cei"],
    )
    kpi_table = kpis[
        [
            "currency",
            "total_ar",
            "not_due",
            "overdue",
            "over_90",
            "disputed",
            "dso",
            "dso_countback",
            "bpdso",
            "add",
            "avg_days_to_pay",
            "cei",
            "pct_overdue",
            "pct_over_90",
            "at_risk_rate",
        ]
    ]
    display(
        money_table(
            kpi_table,
            money_columns=["total_ar", "not_due", "overdue", "over_90", "disputed"],
            day_columns=["dso", "dso_countback", "bpdso", "add", "avg_days_to_pay"],
            percent_columns=["cei", "pct_overdue", "pct_over_90", "at_risk_rate"],
            labels={
                "total_ar": "Total AR",
                "dso": "DSO",
                "dso_countback": "DSO (countback)",
                "bpdso": "BPDSO",
                "add": "ADD",
                "cei": "CEI",
                "pct_overdue": "% overdue",
                "pct_over_90": "% over 90 days",
            },
            title="Key figures",
        )
    )

# %% [markdown]
# ## Aging summary

# %%
ctx.save_table("aging_summary", summary)
display_names = {b: bucket_display_name(b) for b in buckets}
for code, part in summary.groupby("currency", sort=False):
    display(
        money_table(
            part.drop(columns="currency").assign(bucket=part["bucket"].map(display_names)),
            money_columns=["amount"],
            currency=code,
            percent_columns=["share"],
            total_row=True,
            labels={"lines": "Open lines"},
        )
    )
by_bucket = summary.pivot(index="currency", columns="bucket", values="amount")[buckets]
# one chart per currency: bars in different currencies on one axis would invite comparison
for code, row in by_bucket.rename(columns=display_names).iterrows():
    display(
        stacked_aging_chart(
            row.to_frame().T.reset_index(names="currency"),
            [display_names[b] for b in buckets],
            x="currency",
            currency=code,
            title=f"Open AR by age ({code})",
        )
    )

# %% [markdown]
# ## Customers with the most overdue

# %%
ctx.save_table("aging_by_customer", by_customer, excel=True)
top = top_overdue(by_customer, top_n)
if top.empty:
    display(Markdown("No customer has anything overdue."))
else:
    for code, part in top.groupby("currency", sort=False):
        display(
            money_table(
                part[["customer_id", "customer_name", *buckets, "total", "overdue", "disputed"]],
                # the currency is in the title: in the headers it reached only some columns
                title=f"Top {min(top_n, len(part))} customers by overdue amount ({code})",
                labels={"customer_id": "Customer", "customer_name": "Name", **display_names},
            )
        )
        display(
            bar_chart(
                part, "overdue", label="customer_name", currency=code, title=f"Overdue ({code})"
            )
        )

# %% [markdown]
# ## By region and salesperson

# %%
for dimension in ("region", "salesperson"):
    table = aging(ctx.ledger, ctx.as_of, by=dimension, **settings)
    ctx.save_table(f"aging_by_{dimension}", table)
    display(
        money_table(
            table[[dimension, "currency", *buckets, "total", "overdue", "unapplied_cash"]],
            title=f"Aging by {dimension}",
            labels=display_names,
            total_row=len(currencies) <= 1,
        )
    )

# %% [markdown]
# ## History
#
# Month-end aging for the last months (the as-of date is the last point), computed in one
# pass over the ledger.

# %%
ctx.save_table("aging_history", history)
# charts label datetime periods as YYYY-MM
history_chart = history.assign(period_end=pd.to_datetime(history["period_end"]))
for code, part in history_chart.groupby("currency", sort=False):
    display(
        stacked_aging_chart(
            part.rename(columns=display_names),
            [display_names[b] for b in buckets],
            x="period_end",
            currency=code,
            title=f"Open AR by age at month end ({code})",
        )
    )
    display(
        trend_chart(
            part,
            ["dso", "bpdso", "add"],
            x="period_end",
            kind="days",
            labels={"dso": "DSO", "bpdso": "Best possible DSO", "add": "Average days delinquent"},
            title=f"DSO, BPDSO and ADD ({code})",
        )
    )
    display(
        trend_chart(
            part,
            ["cei"],
            x="period_end",
            kind="percent",
            labels={"cei": f"CEI ({cei_months} months)"},
            title=f"Collection effectiveness ({code})",
        )
    )

# %% [markdown]
# ## Open invoices of the top overdue customers

# %%
chosen = top["customer_id"].drop_duplicates().head(drilldown_customers).tolist()
items = aging_items(ctx.ledger, ctx.as_of, chosen, basis=basis, edges=bucket_edges)
# Collectors work from the Excel file: money, day counts and dates keep their formats.
ctx.save_table(
    "aging_drilldown",
    items,
    excel=True,
    money_columns=["open_amount"],
    day_columns=["days_past_due", "days_outstanding"],
)
if items.empty:
    display(Markdown("No overdue customer to list."))
# Shown the way a collector reads them: dates without times, bucket names, Yes for a
# dispute; the instalment number is a label (not added up in the total row).
readable = items.assign(
    invoice_date=items["invoice_date"].dt.date,
    due_date=items["due_date"].dt.date,
    instalment=items["instalment"].astype("string"),
    bucket=items["bucket"].map(display_names),
    disputed=items["disputed"].map({True: "Yes", False: ""}),
)
for customer, part in readable.groupby("customer_id", sort=False):
    name = part["customer_name"].iloc[0]
    display(
        money_table(
            part[
                [
                    "invoice_id",
                    "instalment",
                    "invoice_date",
                    "due_date",
                    "days_past_due",
                    "bucket",
                    "open_amount",
                    "disputed",
                ]
            ],
            money_columns=["open_amount"],
            day_columns=["days_past_due"],
            currency=part["currency"].iloc[0],
            title=f"{customer} {name}",
            total_row=True,
            labels={"invoice_id": "Invoice", "days_past_due": "Days past due"},
        )
    )

# %% [markdown]
# ## Glossary

# %%
terms = glossary(
    basis=basis,
    edges=bucket_edges,
    dso_months=dso_months,
    cei_months=cei_months,
    countback_months=countback_months,
    horizon_days=at_risk_days,
)
display(Markdown("\n".join(f"- **{t}**: {d}" for t, d in terms.itertuples(index=False))))
