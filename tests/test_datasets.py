"""The packaged sample ledger: small, loadable, consistent with its truth, and not drifting."""

from __future__ import annotations

import json

import pyarrow.parquet as pq

from arkit.datasets import (
    SAMPLE_PARAMS,
    build_sample,
    load_sample_ledger,
    load_sample_truth,
    sample_ledger_path,
)
from arkit.synth import generate


def test_sample_is_small():
    size = sum(p.stat().st_size for p in sample_ledger_path().iterdir())
    assert size < 1_000_000


def test_sample_loads_as_a_ledger_with_the_documented_size():
    led = load_sample_ledger()
    counts = led.query(
        "SELECT (SELECT count(*) FROM customers) AS c, "
        "(SELECT count(*) FROM invoices WHERE doc_type = 'invoice') AS i"
    ).iloc[0]
    assert counts["c"] == SAMPLE_PARAMS["customers"]
    truth = load_sample_truth()
    assert counts["i"] == len(truth["invoices"])
    assert led.manifest["source"] == generate(**SAMPLE_PARAMS).describe()


def test_sample_truth_matches_its_ledger():
    led = load_sample_ledger()
    truth = load_sample_truth()
    ids = set(led.query("SELECT invoice_id FROM invoices WHERE doc_type = 'invoice'")["invoice_id"])
    assert ids == set(truth["invoices"]["invoice_id"])
    customers = set(led.query("SELECT customer_id FROM customers")["customer_id"])
    assert customers == set(truth["customers"]["customer_id"])
    assert set(truth["promises"]["promise_id"]) == set(
        led.query("SELECT promise_id FROM promises")["promise_id"]
    )


def test_regenerating_with_the_documented_seed_reproduces_the_committed_sample(tmp_path):
    rebuilt = build_sample(tmp_path / "sample")
    committed = sample_ledger_path()
    names = sorted(p.name for p in committed.iterdir())
    assert names == sorted(p.name for p in rebuilt.iterdir())
    for name in names:
        if name.endswith(".parquet"):
            assert pq.read_table(rebuilt / name).equals(pq.read_table(committed / name)), name
    manifest = json.loads((committed / "manifest.json").read_text(encoding="utf-8"))
    assert json.loads((rebuilt / "manifest.json").read_text(encoding="utf-8")) == manifest
