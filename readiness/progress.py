"""The live line on stderr while checks run on a terminal: how many are done and what is
still being waited for (the network operations in flight, else the checks). It never outgrows
the terminal (a wrapped line cannot be cleared with a carriage return), is redrawn at most ten
times a second, ticking while network work runs, and is cleared before the report."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from readiness.activity import Activity
    from readiness.model import Result
    from readiness.runner import Job

REDRAW_SECONDS = 0.1
TICK_SECONDS = 0.25


class Progress:
    def __init__(self, stream: TextIO, activity: Activity | None = None) -> None:
        self.stream = stream
        self.activity = activity
        self.stopped = threading.Event()
        self.lock = threading.Lock()
        self.total = 0
        self.finished = 0
        self.pending: dict[int, str] = {}
        self.shown = 0
        self.last_draw = 0.0

    def start(self, jobs: Sequence[Job]) -> None:
        with self.lock:
            self.total = len(jobs)
            self.pending = {id(job): _name(job) for job in jobs if job.waits}
            self._draw(force=True)
        if self.pending:
            threading.Thread(target=self._tick, name="pxready-progress", daemon=True).start()

    def _tick(self) -> None:
        while not self.stopped.wait(TICK_SECONDS):
            with self.lock:
                if self.stopped.is_set():
                    return
                self._draw(force=False)

    def done(self, job: Job, results: list[Result]) -> None:
        with self.lock:
            self.finished += 1
            self.pending.pop(id(job), None)
            self._draw(force=self.finished == self.total)

    def clear(self) -> None:
        self.stopped.set()
        with self.lock:
            if self.shown:
                self._write("\r" + " " * self.shown + "\r")
                self.shown = 0

    def _draw(self, *, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self.last_draw < REDRAW_SECONDS:
            return
        self.last_draw = now
        import shutil

        # One column short of the width: writing the last column makes some terminals wrap.
        width = max(20, shutil.get_terminal_size((80, 24)).columns - 1)
        line = fit(self.line(), width)
        self._write("\r" + line.ljust(min(self.shown, width)))
        self.shown = max(len(line), min(self.shown, width))

    def line(self) -> str:
        text = f"pxready: {self.finished} of {self.total} checks done"
        operations = self.activity.snapshot() if self.activity is not None else []
        if operations:
            more = f" (+{len(operations) - 1} more)" if len(operations) > 1 else ""
            return f"{text} · waiting for {operations[0]}{more}"
        waiting = sorted(set(self.pending.values()))
        if waiting:
            text += " · waiting for " + ", ".join(waiting)
        return text

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):
            pass  # a progress line is never worth failing the run for


def _name(job: Job) -> str:
    return job.spec.id


def fit(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return text[: width - 1] + "…"
