"""IngestResult: what one ingest run produced, as text for a terminal and HTML for a notebook."""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

__all__ = ["IngestResult"]


@dataclass
class IngestResult:
    """The clean ledger folder an ingest run wrote, with its manifest.

    Attributes
    ----------
    folder : Path
        The clean ledger folder (Parquet per table, ``rejects.parquet``, ``manifest.json``).
    manifest : dict
        The content of ``manifest.json``.
    """

    folder: Path
    manifest: dict

    @cached_property
    def rejects(self) -> pd.DataFrame:
        """Every rejected, flagged or merged row with its source, row, reason and message."""
        return pd.read_parquet(self.folder / "rejects.parquet")

    def table_summary(self) -> pd.DataFrame:
        """One row per table: rows, and the document amounts read, clean, rejected and merged.

        Money columns are floats for display (empty for tables without an amount);
        the exact totals of every money column are the decimal strings in
        :attr:`manifest`.
        """
        records = []
        for name, stats in self.manifest["reconciliation"].items():
            # the document amount only: credit limits are not money that moved
            money = stats["money"].get("amount") or stats["money"].get("net_amount")
            record = {
                "table": name,
                "rows read": stats["rows_read"],
                "clean": stats["rows_clean"],
                "rejected": stats["rows_rejected"],
                "merged": stats["rows_merged"],
                "flagged": stats["rows_flagged"],
            }
            if money is not None:
                for part in ("read", "clean", "rejected", "merged"):
                    record[f"money {part}"] = float(money[part])
            records.append(record)
        return pd.DataFrame.from_records(records).set_index("table")

    def open(self):
        """Open the clean ledger with :func:`arkit.ledger.open_ledger`."""
        from arkit.ledger import open_ledger

        return open_ledger(self.folder)

    def summary(self) -> str:
        """A short text summary: one line per table, then the reasons and fix-ups."""
        lines = [f"clean ledger: {self.folder}"]
        for name, stats in self.manifest["reconciliation"].items():
            lines.append(
                f"  {name:<17} read {stats['rows_read']:>9,}  clean {stats['rows_clean']:>9,}  "
                f"rejected {stats['rows_rejected']:>7,}  merged {stats['rows_merged']:>6,}  "
                f"flagged {stats['rows_flagged']:>6,}"
            )
        reasons = self.manifest["rejects"]["by_reason"]
        if reasons:
            lines.append("  reasons: " + ", ".join(f"{k} {v:,}" for k, v in reasons.items()))
        fixups = {
            f"{t}.{k}": v
            for t, s in self.manifest["reconciliation"].items()
            for k, v in s["fixups"].items()
        }
        if fixups:
            lines.append("  fix-ups: " + ", ".join(f"{k} {v:,}" for k, v in fixups.items()))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        frame = self.table_summary()
        money = [c for c in frame.columns if c.startswith("money")]
        body = frame.to_html(
            formatters={c: "{:,.2f}".format for c in money}, border=0, justify="right"
        )
        reasons = self.manifest["rejects"]["by_reason"]
        note = (
            "<p>Reasons: "
            + html.escape(", ".join(f"{k} {v:,}" for k, v in reasons.items()))
            + "</p>"
            if reasons
            else "<p>No row was rejected.</p>"
        )
        return f"<p>Clean ledger <code>{html.escape(str(self.folder))}</code></p>{body}{note}"
