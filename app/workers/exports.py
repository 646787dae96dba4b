"""The background builder of large exports, started with the server (one per process).

It polls for waiting exports (and for running ones whose process died: their lease lapsed),
claims one at a time and builds it; `wake()` lets a request in this process start it at once.
With several processes each export is still built once: claiming is a locked, conditional
update. Expired files are removed on the way.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import or_, select

from app.db import models as m
from app.db.session import Database
from app.export import build
from app.settings import Settings
from app.workers.base import PollingWorker

log = logging.getLogger("loketflow.export")
SWEEP_SECONDS = 60.0  # expired files are looked for once a minute


class ExportWorker(PollingWorker):
    """Stops at once, between rounds or mid-build: a build cut off is taken over after its
    lease."""

    name, label, log = "loketflow-export-worker", "export worker", log

    def __init__(self, db: Database, settings: Settings, notify=None):
        super().__init__()
        self.db, self.settings, self.notify = db, settings, notify
        self._next_sweep = 0.0

    @property
    def poll_seconds(self) -> float:
        return self.settings.export_poll_seconds

    async def round(self, woken: bool) -> bool:
        await self.run_once()
        return False

    async def run_once(self) -> int:
        """Build what waits now; returns how many exports this process built."""
        built = 0
        while (export_id := await self._next()) is not None:
            attempt = await build.claim(self.db, export_id, self.settings)
            if attempt is not None:
                await build.run(self.db, self.settings, export_id, attempt, self.notify)
                built += 1
        if time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + SWEEP_SECONDS
            await build.remove_expired(self.db)
        return built

    async def _next(self) -> int | None:
        now = m.utcnow()
        async with self.db.reader() as session:
            return await session.scalar(
                select(m.Export.id)
                .where(
                    or_(
                        m.Export.status == m.ExportStatus.PENDING,
                        (m.Export.status == m.ExportStatus.RUNNING)
                        & or_(m.Export.claimed_until.is_(None), m.Export.claimed_until < now),
                    )
                )
                .order_by(m.Export.created_at, m.Export.id)
                .limit(1)
            )
