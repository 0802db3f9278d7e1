"""The synthetic ledger: determinism, exact money, time consistency, and truth that holds.

The statistical tests compare the generator's closed-form truth (``p_late``,
``expected_days_late``) with what it actually simulated; tolerances are a few
standard errors of the simulated share, so they fail on a wrong formula, not on noise
(the seeds are fixed, so a pass is reproducible).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from arkit._schema import arrow_schema
from arkit._synth_messy import HEADERS_ZH, XLSX_TITLE_ROWS
from arkit._synth_model import CNY_DATES
from arkit.cli import main
from arkit.errors import ParamsError
from arkit.synth import ARCHETYPES, PAYMENT_TERMS, generate
from arkit.terms import due_dates

END = dt.date(2026, 11, 30)


@pytest.fixture(scope="module")
def synth():
    return generate(customers=120, years=3, seed=11)


@pytest.fixture(scope="module")
def big():
    """Enough invoices (~70k) for calibration within a percentage point."""
    return generate(customers=500, years=3, seed=5)


def _late(truth: pd.DataFrame, threshold: int = 0) -> np.ndarray:
    """Simulated outcome: paid more than ``threshold`` days late, or never paid."""
    days = truth["actual_days_late"].to_numpy()
    return np.isnan(days) | (days > threshold)


def _auc(score: np.ndarray, outcome: np.ndarray) -> float:
    ranks = pd.Series(score).rank().to_numpy()
    pos = outcome.sum()
    neg = len(outcome) - pos
    return float((ranks[outcome].sum() - pos * (pos + 1) / 2) / (pos * neg))


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# -- determinism and schema ---------------------------------------------------------------


def test_same_seed_writes_same_bytes_and_other_seed_differs(tmp_path):
    a = generate(customers=15, years=1, seed=3).write(tmp_path / "a")
    b = generate(customers=15, years=1, seed=3).write(tmp_path / "b")
    c = generate(customers=15, years=1, seed=4).write(tmp_path / "c")
    assert _digest(a) == _digest(b)
    assert len(_digest(a)) == 8 + 5  # 8 tables + truth: 3 frames, params.json, README.md
    assert _digest(a)["invoices.csv"] != _digest(c)["invoices.csv"]


def test_messy_export_is_deterministic_too(tmp_path):
    a = generate(customers=10, years=1, seed=3).write(tmp_path / "a", messy=True)
    b = generate(customers=10, years=1, seed=3).write(tmp_path / "b", messy=True)
    assert _digest(a) == _digest(b)  # including customers.xlsx, whose save time is pinned
    assert "customers.xlsx" in _digest(a)


def test_tables_have_the_canonical_schema_and_exact_money(synth):
    for name, table in synth.arrow.items():
        assert table.schema == arrow_schema(name), name
    frame = synth.tables["invoices"]
    assert isinstance(frame["amount"].iloc[0], Decimal)
    assert frame["amount"].dtype == pd.ArrowDtype(pa.decimal128(18, 2))


def test_invoice_amount_is_the_exact_sum_of_its_lines(synth):
    led = synth.ledger()
    diff = led.arrow(
        """
        SELECT count(*) AS n, sum(CASE WHEN i.amount <> l.total THEN 1 ELSE 0 END) AS bad
        FROM invoices i JOIN (SELECT invoice_id, sum(net_amount) AS total
                              FROM invoice_lines GROUP BY invoice_id) l USING (invoice_id)
        """
    ).to_pylist()[0]
    n_invoices = int((synth.tables["invoices"]["doc_type"] == "invoice").sum())
    assert diff == {"n": n_invoices, "bad": 0}


def test_money_totals_are_exact_decimals(synth):
    led = synth.ledger()
    total = led.arrow("SELECT sum(amount) AS s FROM invoices").column("s")[0].as_py()
    by_python = sum(synth.tables["invoices"]["amount"], Decimal(0))
    assert isinstance(total, Decimal)
    assert total == by_python
    assert total.as_tuple().exponent == -2


# -- ledger invariants ----------------------------------------------------------------------


def test_nothing_is_dated_after_the_end_date(synth):
    t = synth.tables
    checks = {
        "invoice_date": t["invoices"]["invoice_date"],
        "payment_date": t["payments"]["payment_date"],
        "opened_date": t["disputes"]["opened_date"],
        "closed_date": t["disputes"]["closed_date"].dropna(),
        "created_date": t["promises"]["created_date"],
        "fx date": t["fx_rates"]["date"],
    }
    for name, dates in checks.items():
        assert len(dates) > 0, name
        assert max(dates) <= END, name
    # and invoices are still being issued right up to the end
    assert max(t["invoices"]["invoice_date"]) >= END - dt.timedelta(days=7)


def test_sign_conventions_and_references(synth):
    inv = synth.tables["invoices"]
    amount = inv["amount"].astype(float)
    is_invoice = inv["doc_type"] == "invoice"
    assert set(inv["doc_type"]) == {"invoice", "credit_note", "write_off"}
    assert (amount[is_invoice] > 0).all()
    assert (amount[~is_invoice] < 0).all()
    assert inv.loc[is_invoice, "reference_invoice_id"].isna().all()
    refs = inv.loc[~is_invoice, ["reference_invoice_id", "customer_id", "currency"]]
    originals = inv.loc[is_invoice, ["invoice_id", "customer_id", "currency"]]
    joined = refs.merge(
        originals, left_on="reference_invoice_id", right_on="invoice_id", suffixes=("", "_orig")
    )
    assert len(joined) == len(refs)
    assert (joined["customer_id"] == joined["customer_id_orig"]).all()
    assert (joined["currency"] == joined["currency_orig"]).all()
    pay = synth.tables["payments"]
    assert (pay["amount"].astype(float) > 0).all()
    assert pay["invoice_id"].isna().sum() > 0  # unapplied cash on account
    assert set(pay["customer_id"]) <= set(synth.tables["customers"]["customer_id"])


def test_open_and_settled_status_agree_with_payments(synth):
    """Per invoice: amount + credits/write-offs - applied cash is 0 iff the truth says settled."""
    led = synth.ledger()
    balance = led.query(
        """
        WITH adj AS (SELECT reference_invoice_id AS invoice_id, sum(amount) AS adj
                     FROM invoices WHERE doc_type <> 'invoice' GROUP BY 1),
             cash AS (SELECT invoice_id, sum(amount) AS paid FROM payments
                      WHERE invoice_id IS NOT NULL GROUP BY 1)
        SELECT i.invoice_id,
               CAST(i.amount + coalesce(adj.adj, 0) - coalesce(cash.paid, 0) AS DOUBLE) AS open
        FROM invoices i LEFT JOIN adj USING (invoice_id) LEFT JOIN cash USING (invoice_id)
        WHERE i.doc_type = 'invoice'
        """
    )
    truth = synth.truth["invoices"].merge(balance, on="invoice_id", validate="1:1")
    settled = truth["settled_by_end"]
    assert (truth.loc[~settled, "open"] > 0).all()
    assert (truth.loc[settled & ~truth["overpaid"], "open"] == 0).all()
    assert (truth.loc[settled & truth["overpaid"], "open"] < 0).all()
    assert truth["overpaid"].sum() > 0
    assert (~settled).sum() > 0  # some invoices are still open at the end date
    assert truth["written_off"].sum() > 0


def test_due_dates_come_from_the_customer_terms(synth):
    """The terms give the due date; an instalment plan moves it to its last instalment."""
    inv = synth.tables["invoices"].query("doc_type == 'invoice'")
    terms = inv["customer_id"].map(
        synth.tables["customers"].set_index("customer_id")["payment_terms"]
    )
    expected = due_dates(pd.to_datetime(inv["invoice_date"].astype(str)), terms)
    instalments = inv["invoice_id"].map(
        synth.truth["invoices"].set_index("invoice_id")["instalments"]
    )
    expected = expected + pd.to_timedelta(30 * (instalments - 1), unit="D")
    assert (pd.to_datetime(inv["due_date"].astype(str)) == expected).all()
    assert set(synth.tables["customers"]["payment_terms"]) == set(PAYMENT_TERMS)


def test_every_document_currency_has_a_daily_rate(synth):
    led = synth.ledger()
    missing = led.query(
        """
        SELECT count(*) AS n FROM invoices i
        LEFT JOIN fx_rates f ON f.date = i.invoice_date AND f.currency = i.currency
        WHERE f.rate_to_base IS NULL
        """
    )["n"].iloc[0]
    assert missing == 0
    assert set(synth.tables["invoices"]["currency"]) >= {"CNY", "USD"}


def test_events_exist_and_promises_are_kept_or_broken_as_the_truth_says(synth):
    truth = synth.truth
    assert truth["invoices"]["partial_payment"].sum() > 0
    assert len(synth.tables["disputes"]) > 0
    kept = truth["promises"]["kept"]
    assert 0 < kept.sum() < len(kept)  # some promises are broken
    promises = synth.tables["promises"].merge(truth["promises"], on=["promise_id", "invoice_id"])
    paid = promises["invoice_id"].map(
        truth["invoices"].set_index("invoice_id")["actual_payment_date"]
    )
    promised = pd.to_datetime(promises["promised_date"].astype(str))
    assert (promises["kept"] == (paid <= promised + pd.Timedelta(days=2))).all()
    assert (promises["created_date"] <= promises["promised_date"]).all()


def test_truth_covers_every_customer_and_invoice(synth):
    truth = synth.truth
    assert list(truth["customers"]["customer_id"]) == list(synth.tables["customers"]["customer_id"])
    assert set(truth["customers"]["archetype"]) <= set(ARCHETYPES)
    invoices = synth.tables["invoices"].query("doc_type == 'invoice'")
    assert set(truth["invoices"]["invoice_id"]) == set(invoices["invoice_id"])
    assert truth["invoices"][["p_late", "p_late_30"]].stack().between(0, 1).all()
    assert (truth["invoices"]["p_late_30"] <= truth["invoices"]["p_late"]).all()
    defaulters = truth["customers"].query("archetype == 'defaulter'")
    assert defaulters["default_date"].notna().all()
    assert truth["customers"].query("archetype != 'defaulter'")["default_date"].isna().all()


# -- behaviour and calibration ---------------------------------------------------------------


def test_archetypes_order_lateness_in_the_ledger(big):
    """Days late measured from the ledger (last payment - due date), by true archetype."""
    led = big.ledger()
    settled = led.query(
        """
        SELECT i.invoice_id, datediff('day', i.due_date, max(p.payment_date)) AS days_late
        FROM invoices i JOIN payments p USING (invoice_id)
        WHERE i.doc_type = 'invoice'
        GROUP BY i.invoice_id, i.due_date
        """
    ).merge(big.truth["invoices"][["invoice_id", "archetype"]], on="invoice_id")
    mean = settled.groupby("archetype")["days_late"].mean()
    assert mean["prompt"] < 0 < mean["steady_late"] < mean["defaulter"]
    assert mean["prompt"] < mean["seasonal"] < mean["steady_late"]


def test_deteriorating_customers_get_later_over_time(big):
    t = big.truth["invoices"].query("archetype == 'deteriorating'")
    year = t["invoice_date"].dt.year
    first, last = year.min(), year.max()
    assert (
        t.loc[year == last, "actual_days_late"].mean()
        > t.loc[year == first, "actual_days_late"].mean() + 15
    )


def test_lateness_depends_on_observable_season_and_amount(big):
    t = big.truth["invoices"]
    due = t["due_date"]
    quarter_end = ((due.dt.month % 3 == 0) & (due.dt.day >= 24)) | (
        (due.dt.month % 3 == 1) & (due.dt.day <= 10)
    )
    cny = pd.to_datetime(due.dt.year.map(CNY_DATES))
    around_cny = (due >= cny - pd.Timedelta(days=7)) & (due <= cny + pd.Timedelta(days=14))
    seasonal = t["archetype"] == "seasonal"
    days_late = t["actual_days_late"]
    baseline = days_late[seasonal & ~quarter_end & ~around_cny].mean()
    # the design adds 22 days for seasonal payers; the gap must be most of it
    assert days_late[seasonal & quarter_end & ~around_cny].mean() - baseline > 15
    assert days_late[seasonal & around_cny & ~quarter_end].mean() - baseline > 15
    # within a customer, an invoice larger than usual is paid later
    relative = np.log(t["amount"] / t.groupby("customer_id")["amount"].transform("median"))
    late = t["actual_days_late"] - t.groupby("customer_id")["actual_days_late"].transform("mean")
    assert relative.corr(late) > 0.05


@pytest.mark.parametrize("column, threshold", [("p_late", 0), ("p_late_30", 30)])
def test_true_probabilities_are_calibrated(big, column, threshold):
    t = big.truth["invoices"]
    p = t[column].to_numpy()
    observed = _late(t, threshold)
    # overall: mean probability vs observed share within 4 standard errors
    se = np.sqrt((p * (1 - p)).sum()) / len(p)
    assert abs(p.mean() - observed.mean()) < 4 * se + 1e-9
    # by decile of the probability: the reliability diagram is on the diagonal
    bins = pd.qcut(p, 10, duplicates="drop", labels=False)
    for b in np.unique(bins):
        sel = bins == b
        se_bin = np.sqrt((p[sel] * (1 - p[sel])).sum()) / sel.sum()
        assert abs(p[sel].mean() - observed[sel].mean()) < 4 * se_bin + 0.005, b


def test_expected_days_late_matches_simulated_mean(big):
    t = big.truth["invoices"].dropna(subset=["actual_days_late"])
    resid = t["actual_days_late"] - t["expected_days_late"]
    assert abs(resid.mean()) < 4 * resid.std() / np.sqrt(len(resid)) + 0.05


def test_invoice_level_truth_beats_the_customer_average(big):
    """p_late carries invoice-level signal (amount, season, dispute) beyond the customer."""
    t = big.truth["invoices"]
    outcome = _late(t)
    per_invoice = _auc(t["p_late"].to_numpy(), outcome)
    per_customer = _auc(t.groupby("customer_id")["p_late"].transform("mean").to_numpy(), outcome)
    assert per_invoice > per_customer + 0.01
    assert per_invoice > 0.8


# -- parameters, writing, CLI -----------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"customers": 0}, "customers"),
        ({"years": 0}, "years"),
        ({"seed": -1}, "seed"),
        ({"customers": 2.5}, "customers"),
        ({"end_date": "2026-02-30"}, "end_date"),
        ({"end_date": "2040-01-31"}, "end_date"),
        ({"invoices_per_month": 0}, "invoices_per_month"),
    ],
)
def test_bad_parameters_raise_one_clear_error(kwargs, word):
    with pytest.raises(ParamsError, match=word) as info:
        generate(**kwargs)
    assert "\n" not in str(info.value)


def test_write_refuses_a_non_empty_folder_and_leaves_it_alone(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    with pytest.raises(ParamsError, match="not an empty folder"):
        generate(customers=3, years=1).write(out)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no temp folder left behind


def test_parquet_files_round_trip_to_the_same_tables(tmp_path):
    import pyarrow.parquet as pq

    s = generate(customers=8, years=1, seed=2)
    out = s.write(tmp_path / "pq", format="parquet")
    for name, table in s.arrow.items():
        assert pq.read_table(out / f"{name}.parquet").equals(table), name
    assert (out / "truth" / "invoices.parquet").exists()


def test_cli_writes_files_and_reports_errors_in_one_line(tmp_path, capsys):
    out = tmp_path / "raw"
    assert main(["synth", "--customers", "6", "--years", "1", "--out", str(out)]) == 0
    assert "wrote synthetic ledger" in capsys.readouterr().out
    assert (out / "invoices.csv").exists() and (out / "truth" / "params.json").exists()
    assert main(["synth", "--customers", "0", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "arkit synth: error: customers: must be an integer >= 1, got 0"
    assert main(["synth", "--messy", "--format", "parquet", "--out", str(tmp_path / "y")]) == 2
    assert capsys.readouterr().err.startswith("arkit synth: error: format: a messy export")
    assert not (tmp_path / "y").exists()


def test_cli_rejects_defects_without_messy_and_an_uncreatable_folder(tmp_path, capsys):
    out = tmp_path / "raw"
    assert main(["synth", "--defects-per-kind", "3", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "arkit synth: error: --defects-per-kind: only a --messy export has injected defects"
    )
    assert not out.exists()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["synth", "--customers", "2", "--out", str(blocker / "sub" / "raw")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(
        f"arkit synth: error: {blocker / 'sub' / 'raw'}: cannot create the folder"
    )
    assert "\n" not in err


# -- messy export -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    s = generate(customers=30, years=1, seed=8)
    out = s.write(tmp_path_factory.mktemp("messy") / "raw", messy=True, defects_per_kind=3)
    return s, out


def _read_messy(out: Path, name: str) -> pd.DataFrame:
    """Read one messy export as strings with canonical headers and file line numbers."""
    if name == "customers":
        frame = pd.read_excel(
            out / "customers.xlsx", header=XLSX_TITLE_ROWS, dtype=str, keep_default_na=False
        )
        first_line = 2 + XLSX_TITLE_ROWS
    else:
        frame = pd.read_csv(out / f"{name}.csv", encoding="gbk", dtype=str, keep_default_na=False)
        first_line = 2
    frame = frame.rename(columns={v: k for k, v in HEADERS_ZH[name].items()})
    frame.index = range(first_line, first_line + len(frame))
    return frame


def _parse_money(text: pd.Series) -> pd.Series:
    plain = text.str.replace(r"[￥$,\s]|US|HK|EUR", "", regex=True)
    return plain.map(lambda v: Decimal(v) if v else None)


def _parse_dates(text: pd.Series) -> pd.Series:
    iso = text.str.replace(r"[年月/.]", "-", regex=True).str.replace("日", "")
    parsed = pd.to_datetime(iso.where(iso != ""), format="%Y-%m-%d")
    return parsed.dt.date.astype(object).where(parsed.notna(), None)


def test_messy_files_are_gbk_with_chinese_headers_and_a_title_row(messy):
    _, out = messy
    raw = (out / "invoices.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    header = raw.decode("gbk").splitlines()[0].replace('"', "")
    assert header.startswith("发票号码,客户编号,开票日期,金额")
    title = pd.read_excel(out / "customers.xlsx", header=None, nrows=1).iloc[0, 0]
    assert title.startswith("客户档案")
    assert not (out / "customers.csv").exists()
    text = raw.decode("gbk")
    assert "￥" in text and "年" in text and "," in text.split("\n")[1]


def test_messy_defects_are_listed_with_their_lines(messy):
    s, out = messy
    defects = s.truth["defects"]
    assert defects.groupby("kind").size().eq(3).all()
    assert len(defects.kind.unique()) == 16
    assert pd.read_parquet(out / "truth" / "defects.parquet").equals(defects)
    for (file, table), group in defects.groupby(["file", "table"]):
        frame = _read_messy(out, table)
        key = next(iter(HEADERS_ZH[table]))
        assert list(frame.loc[group["line"], key]) == list(group["key"]), file


def test_messy_export_is_the_clean_ledger_plus_the_listed_defects(messy):
    s, out = messy
    defects = s.truth["defects"]
    for name, table in s.arrow.items():
        frame = _read_messy(out, name)
        frame = frame.drop(index=defects.loc[defects["table"] == name, "line"])
        clean = table.to_pandas()
        assert len(frame) == len(clean), name
        for column in clean.columns:
            field = table.schema.field(column)
            got = frame[column].reset_index(drop=True)
            want = clean[column]
            if pa.types.is_decimal(field.type):
                got = _parse_money(got)
            elif pa.types.is_date(field.type):
                got = _parse_dates(got)
                if column == "due_date":  # dropped ones are derived from the terms
                    assert got.isna().mean() < 0.2
                    got, want = got[got.notna()], want[got.notna()]
            elif pa.types.is_boolean(field.type):
                got = got == "true"
            elif pa.types.is_floating(field.type):
                got = got.astype(float)
            elif pa.types.is_integer(field.type):
                got = got.astype(int)
            else:
                got, want = got.replace("", None), want.where(want.notna(), None)
            assert got.tolist() == want.tolist(), f"{name}.{column}"


def test_a_ledger_without_invoices_is_valid_but_cannot_be_messy(tmp_path):
    s = generate(customers=1, years=1, seed=0, invoices_per_month=0.0001)
    assert s.arrow["invoices"].num_rows == 0 and len(s.truth["invoices"]) == 0
    assert s.ledger().query("SELECT count(*) AS n FROM payments")["n"].iloc[0] == 0
    s.write(tmp_path / "clean")
    with pytest.raises(ParamsError, match="messy: defects are copied from invoices"):
        s.write(tmp_path / "messy", messy=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clean"]


# -- the overdue tail a credit manager expects -------------------------------------------------

_OPEN_BY_AGE = """
WITH applied AS (
    SELECT invoice_id, sum(amount) AS paid FROM payments
    WHERE invoice_id IS NOT NULL GROUP BY invoice_id
), adjusted AS (
    SELECT reference_invoice_id AS invoice_id, sum(amount) AS adjustment FROM invoices
    WHERE reference_invoice_id IS NOT NULL GROUP BY reference_invoice_id
), rate AS (
    SELECT currency, rate_to_base FROM fx_rates WHERE date = DATE '2026-11-30'
)
SELECT datediff('day', i.due_date, DATE '2026-11-30') AS days_past_due,
       greatest(i.amount + coalesce(a.adjustment, 0) - coalesce(p.paid, 0), 0)
           * r.rate_to_base AS open_base
FROM invoices i
LEFT JOIN applied p USING (invoice_id)
LEFT JOIN adjusted a USING (invoice_id)
JOIN rate r USING (currency)
WHERE i.doc_type = 'invoice'
"""


@pytest.mark.parametrize("seed", [2, 7, 11])
def test_open_receivables_have_a_tail_over_90_days(seed):
    """Real books carry 3-10 % of open AR over 90 days past due (defaulters not yet
    written off, long disputes, erratic payers); 1.5-15 % per seed leaves room for the
    luck of which of ~18 defaulters stopped paying in the last 15 months."""
    synth = generate(customers=300, years=3, seed=seed)
    aged = synth.ledger().query(_OPEN_BY_AGE)
    open_base = aged["open_base"].astype(float)
    total = open_base.sum()
    over_90 = open_base[aged["days_past_due"] > 90].sum() / total
    over_120 = open_base[aged["days_past_due"] > 120].sum() / total
    assert 0.015 < over_90 < 0.15
    assert 0.005 < over_120 < over_90


def test_defaulters_stay_unpaid_for_months_before_the_write_off(synth):
    customers = synth.truth["customers"].dropna(subset=["default_date"])
    delay = (customers["write_off_date"] - customers["default_date"]).dt.days
    assert delay.between(180, 450).all()
    invoices = synth.truth["invoices"].merge(
        customers[["customer_id", "default_date", "write_off_date"]], on="customer_id"
    )
    # a defaulter pays nothing after it stops paying ...
    assert not (invoices["actual_payment_date"] > invoices["default_date"]).any()
    # ... and once it has stopped, its unpaid invoices are written off or still open
    invoices = invoices[invoices["default_date"] <= pd.Timestamp(END)]
    never = invoices["actual_payment_date"].isna()
    written_off = invoices["written_off"]
    assert (never == (written_off | ~invoices["settled_by_end"])).all()
    assert (invoices.loc[written_off, "write_off_date"] <= pd.Timestamp(END)).all()
    assert (invoices.loc[never & ~written_off, "write_off_date"] > pd.Timestamp(END)).all()
    assert (never & ~written_off).any()  # some defaulters not yet written off
    assert invoices.loc[never, "p_never_paid"].mean() > 0.5


def test_disputed_invoices_stay_open_for_months(big):
    t = big.truth["invoices"]
    open_days = (t["actual_payment_date"] - t["invoice_date"]).dt.days
    disputed, undisputed = open_days[t["disputed"]], open_days[~t["disputed"]]
    assert disputed.quantile(0.25) >= 60 and disputed.quantile(0.75) <= 200
    assert disputed.median() > undisputed.median() + 60


# -- instalment plans ----------------------------------------------------------------------------


def test_instalments_add_up_exactly_to_the_invoice_amount(synth):
    led = synth.ledger()
    plans = led.query(
        """
        SELECT s.invoice_id, count(*) AS parts, min(s.instalment) AS first_part,
               max(s.instalment) AS last_part, sum(s.amount) = min(i.amount) AS exact,
               max(s.due_date) = min(i.due_date) AS last_due_is_invoice_due,
               count(DISTINCT s.due_date) AS due_dates
        FROM payment_schedule s JOIN invoices i USING (invoice_id)
        GROUP BY s.invoice_id
        """
    )
    assert len(plans) > 0
    assert plans["exact"].all()
    assert plans["parts"].between(2, 3).all()
    assert (plans["first_part"] == 1).all() and (plans["last_part"] == plans["parts"]).all()
    assert plans["last_due_is_invoice_due"].all() and (plans["due_dates"] == plans["parts"]).all()
    truth = synth.truth["invoices"].set_index("invoice_id")["instalments"]
    assert (truth[plans["invoice_id"]].to_numpy() == plans["parts"].to_numpy()).all()
    assert (truth.drop(plans["invoice_id"]) == 1).all()
    # a small share of the invoices, and only the large ones of project customers
    assert 0.005 < len(plans) / (synth.tables["invoices"]["doc_type"] == "invoice").sum() < 0.05
    segment = synth.tables["customers"].set_index("customer_id")["segment"]
    planned = synth.tables["invoices"].query("invoice_id in @plans.invoice_id")
    assert set(planned["customer_id"].map(segment)) <= {"enterprise", "government"}


def test_instalments_are_paid_one_by_one_as_late_as_the_invoice(synth):
    """Each part but the last is paid with the invoice's own lateness, in order."""
    led = synth.ledger()
    paid = led.query(
        """
        WITH plan AS (
            SELECT invoice_id, count(*) AS parts FROM payment_schedule GROUP BY invoice_id
        )
        SELECT p.invoice_id, plan.parts, count(*) AS receipts,
               min(p.payment_date) AS first_receipt
        FROM payments p JOIN plan USING (invoice_id)
        GROUP BY p.invoice_id, plan.parts
        """
    ).merge(synth.truth["invoices"], on="invoice_id")
    settled = paid[paid["settled_by_end"]]
    assert len(settled) > 0
    assert (settled["receipts"] == settled["parts"]).all()
    first_due = settled["due_date"] - pd.to_timedelta(30 * (settled["parts"] - 1), unit="D")
    first_paid = first_due + pd.to_timedelta(settled["actual_days_late"], unit="D")
    expected = first_paid.where(first_paid > settled["invoice_date"], settled["invoice_date"])
    assert (pd.to_datetime(settled["first_receipt"].astype(str)) == expected).all()
