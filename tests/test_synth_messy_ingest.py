"""Ingest against the messy synthetic export: every injected defect caught, nothing else.

The generator lists each injected defect (file, line, expected reason code) in its
truth; ingest must report exactly those rows, and its clean ledger must equal the
generated one plus the rows ingest keeps as flagged.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from arkit.ingest import ingest
from arkit.synth import generate


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("messy_ingest")
    synth = generate(customers=40, years=2, seed=21)
    raw = synth.write(root / "raw", messy=True, defects_per_kind=2)
    result = ingest(raw, out=root / "ledger", run_date=synth.params["end_date"])
    return synth, result


def test_ingest_reports_exactly_the_injected_defects(run):
    synth, result = run
    expected = synth.truth["defects"]
    got = result.rejects.assign(file=lambda f: f["source"].str.split("#").str[0])
    columns = ["file", "line", "reason", "severity"]
    want = expected[columns].sort_values(["file", "line"]).to_numpy().tolist()
    got = got.rename(columns={"row": "line"})[columns].sort_values(["file", "line"])
    assert got.to_numpy().tolist() == want


def test_clean_ledger_is_the_generated_one_plus_flagged_rows(run):
    synth, result = run
    led = result.open()
    defects = synth.truth["defects"]
    flagged = defects[defects["severity"] == "flagged"]
    for name, generated in synth.arrow.items():
        key = generated.column_names[0]
        clean = led.arrow(f"SELECT * FROM {name}")
        extra_keys = set(flagged.loc[flagged["table"] == name, "key"])
        is_extra = pc.is_in(clean.column(key), pa.array(sorted(extra_keys), pa.string()))
        assert (pc.sum(is_extra).as_py() or 0) == len(extra_keys), name
        kept = clean.filter(pc.invert(is_extra)) if extra_keys else clean
        sort = [(c, "ascending") for c in generated.column_names[:2]]
        assert kept.sort_by(sort).equals(generated.sort_by(sort)), name


def test_unknown_invoice_payments_become_unapplied_cash(run):
    synth, result = run
    led = result.open()
    keys = synth.truth["defects"].query("kind == 'unknown_invoice'")["key"].tolist()
    rows = led.query(
        "SELECT payment_id, invoice_id FROM payments WHERE list_contains($keys, payment_id)",
        keys=keys,
    )
    assert sorted(rows["payment_id"]) == sorted(keys)
    assert rows["invoice_id"].isna().all()


def test_reconciliation_holds_for_every_table(run):
    _, result = run
    for name, stats in result.manifest["reconciliation"].items():
        assert stats["rows_read"] == (
            stats["rows_clean"] + stats["rows_rejected"] + stats["rows_merged"]
        ), name
