"""Helpers for ingest tests: small hand-made exports written into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest


def _write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    lines = [line.strip() for line in text.strip().splitlines()]
    path = folder / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


@pytest.fixture
def write():
    """``write(folder, name, text, encoding="utf-8")``: a hand-made export, indentation removed."""
    return _write


@pytest.fixture
def customers_csv() -> str:
    """Two customers with readable terms, as a canonical-header CSV."""
    return """
        customer_id,customer_name,payment_terms,currency
        C1,Acme,NET30,CNY
        C2,Beta,EOM+30,USD
    """


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    """A folder for source files, beside which the ledger folder is written."""
    folder = tmp_path / "raw"
    folder.mkdir()
    return folder
