"""A one-line progress bar on stderr, shown only on a terminal and only for scans longer than 1 s.

Pipes, CI logs and ``--format json`` on stdout never see it; a short scan never flickers.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

DELAY = 1.0
INTERVAL = 0.1


class ProgressBar:
    """Callable as ``bar(loaded, expected)``; :meth:`close` erases the line it drew."""

    def __init__(self, stream: TextIO | None = None, delay: float = DELAY) -> None:
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self.delay = delay
        self._next = self.start + delay
        self._drawn = False

    def __call__(self, loaded: int, expected: int) -> None:
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + INTERVAL
        width = 30
        filled = width * loaded // max(expected, 1)
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\rscanning [{bar}] {loaded}/{expected} files")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        """Erase the bar (if it was ever drawn)."""
        if self._drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self._drawn = False


def progress_bar() -> ProgressBar | None:
    """A bar for stderr when it is a terminal, else None."""
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    return ProgressBar() if tty else None
