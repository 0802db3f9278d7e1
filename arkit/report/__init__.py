"""Report pipeline: what a report notebook needs, and the runner behind ``arkit run``."""

from arkit.report._context import ReportContext

__all__ = ["ReportContext"]
