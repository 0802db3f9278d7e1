"""A lock file so that two runs never write the same output folder at once."""

from __future__ import annotations

import os
from pathlib import Path

from arkit.errors import ReportError

__all__ = ["RunLock"]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class RunLock:
    """Exclusive lock on a folder: ``<folder>/.arkit-run.lock`` holding the owner's pid.

    Created with ``O_EXCL`` so that only one process can win. A lock left by a
    process that no longer exists (killed run) is stale and taken over.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with RunLock(folder):
    ...     RunLock(folder).acquire()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    arkit.errors.ReportError: ...locked by another arkit run (pid ...)...
    """

    def __init__(self, folder: str | Path) -> None:
        self.path = Path(folder) / ".arkit-run.lock"
        self._held = False

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                try:
                    owner = int(self.path.read_text().strip() or 0)
                except (OSError, ValueError):
                    owner = 0
                if owner and _pid_alive(owner):
                    raise ReportError(
                        f"{self.path.parent} is locked by another arkit run (pid {owner}); "
                        f"wait for it to finish, or delete {self.path} if it is gone"
                    ) from None
                self.path.unlink(missing_ok=True)  # stale: its process is gone
                continue
            with os.fdopen(fd, "w") as handle:
                handle.write(str(os.getpid()))
            self._held = True
            return self
        raise ReportError(f"{self.path}: could not take the run lock")

    def release(self) -> None:
        if self._held:
            self.path.unlink(missing_ok=True)
            self._held = False

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
