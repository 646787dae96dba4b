"""The polling loop every background worker of a server process runs.

One round at a time: a round does what is due, then the worker sleeps for its poll interval or
until `wake()` (a request in this process that has just committed work for it). A round that
raises is logged and the next one comes after the interval, so a database that is down is tried
again, never hammered. A round that reports more waiting (a full batch) is followed at once.

How a worker stops differs with what a round cut in half would cost, so each says so:
`finish_seconds` lets the round in hand finish (0: cancel it at once, e.g. a build taken over
after its lease anyway), and `cancel_wait` bounds the wait for a cancelled round (None: until
it has ended).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging


class PollingWorker:
    name = "loketflow-worker"  # the asyncio task's
    label = "worker"  # how the log names it
    log = logging.getLogger("loketflow")
    finish_seconds = 0.0
    cancel_wait: float | None = 2.0  # never hang the shutdown
    overrun = "did not stop in time"  # logged when finish_seconds ran out

    def __init__(self) -> None:
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def poll_seconds(self) -> float:
        raise NotImplementedError

    @property
    def stopping(self) -> bool:
        """stop() was called: a round should leave what it has not begun to the next worker."""
        return self._stopping.is_set()

    async def round(self, woken: bool) -> bool:
        """Do what is due now; True if more is waiting already (the next round comes at once).
        `woken`: this round follows a `wake()`, not the poll interval."""
        raise NotImplementedError

    async def last_round(self) -> None:
        """Runs once after stop(), when the round in hand finished in time."""

    def wake(self) -> None:
        """Work was committed for this worker: start a round now rather than at the next poll."""
        self._wake.set()

    async def run_forever(self) -> None:
        woken = False
        while not self._stopping.is_set():
            try:
                busy = await self.round(woken)
            except Exception:
                self.log.exception("%s: a round failed; trying again", self.label)
                busy = False
            woken = False
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
                    woken = True
                self._wake.clear()
        await self.last_round()

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping.clear()
            self._task = asyncio.create_task(self.run_forever(), name=self.name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        if self.finish_seconds > 0:
            self._wake.set()  # out of its sleep: the loop ends without another round
            _, pending = await asyncio.wait({task}, timeout=self.finish_seconds)
            if not pending:
                return
            self.log.warning("%s: %s", self.label, self.overrun)
        task.cancel()
        await asyncio.wait({task}, timeout=self.cancel_wait)
