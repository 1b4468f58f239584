"""One progress line on stderr for every long phase of a run: scan, resolve, analyze, render, dot.

Shown only on a terminal and only once a run has taken longer than :data:`DELAY`, so pipes, CI
logs and ``--format json`` on stdout never see it and a short run never flickers. The phases
say what they are doing (``scanning [####----] 812/2048 files``, ``resolving 2,766 tests``,
``running dot on 150 nodes``) with the time spent in the phase. A background thread redraws
the line, so a phase that reports nothing while it works (resolution, Graphviz) still shows
that it is alive; the work itself only records numbers, which costs nothing.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import TextIO

DELAY = 1.0
INTERVAL = 0.1
SPINNER = "|/-\\"
WIDTH = 24


class Progress:
    """The progress line. ``progress(loaded, expected)`` records scanned files; :meth:`phase`
    names what runs now; :meth:`close` stops drawing and erases the line.

    Args:
        stream: where to draw (a terminal).
        delay: seconds before the first drawing.
        interval: seconds between drawings.
        clock: the time source (tests pass their own).
    """

    def __init__(
        self,
        stream: TextIO,
        delay: float = DELAY,
        interval: float = INTERVAL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.delay = delay
        self.interval = interval
        self.clock = clock
        self.start = clock()
        self.what = "scanning"
        self.phase_start = self.start
        self.loaded = 0
        self.expected = 0
        self._drawn = False
        self._ticks = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, loaded: int, expected: int) -> None:
        self.loaded, self.expected = loaded, expected

    def begin(self) -> Progress:
        """Start the drawing thread (it draws nothing before ``delay``)."""
        self._thread = threading.Thread(target=self._run, name="fixture-graph-progress", daemon=True)
        self._thread.start()
        return self

    @contextlib.contextmanager
    def phase(self, what: str) -> Iterator[None]:
        """Show ``what`` while the block runs (the previous phase comes back afterwards)."""
        before = (self.what, self.phase_start, self.expected)
        with self._lock:
            self.what, self.phase_start, self.expected = what, self.clock(), 0
        try:
            yield
        finally:
            with self._lock:
                self.what, self.phase_start, self.expected = before

    def line(self) -> str:
        """The line as it would be drawn now."""
        self._ticks += 1
        spin = SPINNER[self._ticks % len(SPINNER)]
        elapsed = self.clock() - self.phase_start
        if self.expected:
            filled = WIDTH * min(self.loaded, self.expected) // self.expected
            bar = "#" * filled + "-" * (WIDTH - filled)
            return f"{spin} {self.what} [{bar}] {self.loaded}/{self.expected} files  {elapsed:.1f}s"
        return f"{spin} {self.what}  {elapsed:.1f}s"

    def draw(self) -> None:
        """Draw the line now (once ``delay`` has passed)."""
        with self._lock:
            if self.clock() - self.start < self.delay or self._stop.is_set():
                return
            self.stream.write("\r\033[K" + self.line())
            self.stream.flush()
            self._drawn = True

    def echo(self, message: str) -> None:
        """Write ``message`` (a line) on the stream without mixing it into the progress line."""
        with self._lock:
            if self._drawn:
                self.stream.write("\r\033[K")
                self._drawn = False
            self.stream.write(message + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Stop the thread and erase the line (if it was ever drawn)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with self._lock:
            if self._drawn:
                self.stream.write("\r\033[K")
                self.stream.flush()
                self._drawn = False

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.draw()


_active: Progress | None = None


def progress_bar(quiet: bool = False) -> Progress | None:
    """A started :class:`Progress` on stderr when it is a terminal (and not ``quiet``), else None.

    It becomes the one :func:`active` progress until it is closed through :func:`finish`.
    """
    global _active
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    if quiet or not tty:
        return None
    _active = Progress(sys.stderr).begin()
    return _active


def finish(progress: Progress | None) -> None:
    """Close ``progress`` (None: nothing to do)."""
    global _active
    if progress is not None:
        progress.close()
    if _active is progress:
        _active = None


def active() -> Progress | None:
    """The progress line being drawn now, if any."""
    return _active


@contextlib.contextmanager
def phase(what: str) -> Iterator[None]:
    """:meth:`Progress.phase` of the active progress line (nothing without one)."""
    current = _active
    if current is None:
        yield
        return
    with current.phase(what):
        yield
