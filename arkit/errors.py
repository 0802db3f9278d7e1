"""Errors that mean "the user gave arkit something it cannot use".

Every user mistake (a missing file, a bad header, a bad parameter) raises an
:class:`ArkitError` whose message is one line naming the file, row or parameter
and what is wrong. The CLI prints that line and exits non-zero; anything else is a
bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = ["ArkitError", "InputError", "ParamsError", "ReportError", "LedgerError"]


class ArkitError(Exception):
    """Base class of errors caused by user input; the message is shown as is."""

    exit_code = 2


class InputError(ArkitError):
    """A source file, sheet, database or mapping cannot be read as a ledger table."""


class LedgerError(ArkitError):
    """A clean ledger folder is missing, incomplete or of another schema version."""


class ParamsError(ArkitError):
    """A report parameter (YAML, ``--params`` or ``-p key=value``) is invalid."""


class ReportError(ArkitError):
    """One or more reports failed; details are in run.json and the index."""

    exit_code = 1
