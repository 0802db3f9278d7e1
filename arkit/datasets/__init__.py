"""A small synthetic ledger shipped with arkit, for examples, doctests and quick tests.

The sample is ``arkit.synth.generate(**SAMPLE_PARAMS)`` saved as a clean ledger
folder (Parquet + ``manifest.json``) with the ground truth beside it as
``truth_<name>.parquet``. A test regenerates it with the same parameters and checks
that the committed files have not drifted; after a deliberate change to the
generator, rebuild it with ``python -c "import arkit.datasets as d; d.build_sample()"``.

>>> led = load_sample_ledger()
>>> int(led.query("SELECT count(*) AS n FROM customers")["n"].iloc[0])
40
>>> sorted(load_sample_truth())
['customers', 'invoices', 'promises']
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from arkit.ledger import Ledger

__all__ = [
    "SAMPLE_PARAMS",
    "sample_ledger_path",
    "load_sample_ledger",
    "load_sample_truth",
    "build_sample",
]

SAMPLE_PARAMS = {
    "customers": 40,
    "years": 2,
    "seed": 2026,
    "end_date": "2026-11-30",
    "invoices_per_month": 3.0,
}
_TRUTH = ("customers", "invoices", "promises")


def sample_ledger_path() -> Path:
    """Folder of the sample ledger inside the installed package.

    >>> (sample_ledger_path() / "manifest.json").exists()
    True
    """
    return Path(str(resources.files("arkit.datasets").joinpath("data")))


def load_sample_ledger() -> Ledger:
    """Open the sample ledger (40 customers, 2 years to 2026-11-30) with DuckDB."""
    from arkit.ledger import open_ledger

    return open_ledger(sample_ledger_path())


def load_sample_truth() -> dict[str, pd.DataFrame]:
    """Ground truth of the sample ledger: ``customers``, ``invoices``, ``promises``.

    See :mod:`arkit.synth` for the columns (archetype, ``p_late``, ``p_late_30``,
    ``expected_payment_date``, …).
    """
    import pandas as pd

    folder = sample_ledger_path()
    return {name: pd.read_parquet(folder / f"truth_{name}.parquet") for name in _TRUTH}


def build_sample(folder: str | Path | None = None) -> Path:
    """Generate the sample with :data:`SAMPLE_PARAMS` and save it to ``folder``.

    Parameters
    ----------
    folder : str or Path, optional
        Destination; by default the package's own data folder (maintainers only).

    Returns
    -------
    Path
        The folder, a clean ledger with ``truth_*.parquet`` beside the tables.
    """
    import shutil
    import tempfile

    from arkit.ledger import save_ledger
    from arkit.synth import generate

    synth = generate(**SAMPLE_PARAMS)
    target = Path(folder) if folder is not None else sample_ledger_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build ledger and truth together beside the target, so a failure leaves the old sample.
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.build-", dir=target.parent))
    try:
        built = save_ledger(staging / target.name, synth.arrow, {"source": synth.describe()})
        for name in _TRUTH:
            synth.truth[name].to_parquet(built / f"truth_{name}.parquet", index=False)
        if target.exists():
            shutil.rmtree(target)
        built.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target
