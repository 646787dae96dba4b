"""Marking an e-mail SENT right after the SMTP server's 250, with as little as possible left to
do in between (the window in which a crash sends it twice: app/workers/mail/__init__.py)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

from sqlalchemy import text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.models import EmailStatus, OutboxEmail, utcnow
from app.db.session import Database

log = logging.getLogger("loketflow.mail")


class SqliteMarks:
    """SQLite: a connection of the relay's own for SENT marks, used without ever waiting.

    The write lock is the one thing a mark can wait for; SQLite's busy handler would sleep 1,
    2, 5, 10 ms and longer between tries while another transaction (of any process) holds it,
    and three trips to the driver's thread come on top. Here the mark is committed at once,
    synchronously (tens of microseconds) if the lock is free, and tried again every millisecond
    while it is not, the event loop going on meanwhile."""

    def __init__(self, path: str):
        # No busy timeout: a locked database answers at once instead of blocking the loop.
        self._connection = sqlite3.connect(
            path, timeout=0, isolation_level=None, uri=path.startswith("file:")
        )
        # As the service's own connections (app/db/session.py); the checkpoint that a commit
        # runs now and then (a write of the whole log) is left to those.
        self._connection.execute("PRAGMA synchronous = NORMAL")
        self._connection.execute("PRAGMA wal_autocheckpoint = 0")

    def close(self) -> None:
        self._connection.close()

    def _try(self, sql: str) -> bool:
        try:
            self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY:  # or an extended BUSY
                return False
            raise
        try:
            self._connection.execute(sql)
            self._connection.execute("COMMIT")
        except BaseException:
            if self._connection.in_transaction:
                self._connection.execute("ROLLBACK")
            raise
        return True

    async def commit(self, sql: str, patience: float = 1.0) -> bool:
        """Commit `sql` alone; False if the lock stayed taken for `patience` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience
        while not self._try(sql):
            if loop.time() > deadline:
                return False
            await asyncio.sleep(0.001)
        return True


class SentMark:
    """Marking one claimed e-mail SENT, prepared before its DATA so that after the server's 250
    as little as possible is left to do (see app/workers/mail/__init__.py)."""

    def __init__(self, db: Database, email_id: int, sqlite: SqliteMarks | None = None):
        self.db, self.email_id, self._sqlite = db, email_id, sqlite
        # Conditional on PENDING: if a second relay also sent it (lease expired), the row is
        # still marked once, with the first time it was sent.
        self._statement = (
            update(OutboxEmail)
            .where(OutboxEmail.id == email_id, OutboxEmail.status == EmailStatus.PENDING)
            .values(status=EmailStatus.SENT, sent_at=utcnow(), claimed_until=None)
        )
        self._open: AsyncConnection | None = None
        self._sql = ""

    async def __aenter__(self) -> SentMark:
        if self._sqlite is not None:
            # Values in the SQL (our own: an id, a status, a time), rendered by the column
            # types as the ORM would bind them.
            self._sql = str(
                self._statement.compile(
                    dialect=self.db.write_engine.dialect,
                    compile_kwargs={"literal_binds": True},
                )
            )
        elif not self.db.is_sqlite:
            self._open = await self.db.write_engine.connect()
            try:
                # The COMMIT need not wait for the disk: a mark lost in a crash of the database
                # costs a duplicate at worst (the e-mail goes again after its lease), never an
                # e-mail, and waiting for the flush would widen the window.
                await self._open.execute(text("SET LOCAL synchronous_commit = off"))
                # Holds a lock on this one row, which this relay has claimed anyway.
                await self._open.execute(self._statement)
            except BaseException:
                await self._open.close()
                raise
        return self

    async def commit(self) -> None:
        """The SMTP server has the message: record that now, surviving a passing database
        hiccup, or the row would be sent again when its lease expires."""
        try:
            if self._open is not None:
                await self._open.commit()
                return
            if self._sqlite is not None and await self._sqlite.commit(self._sql):
                return
        except Exception:
            log.warning("marking e-mail %s as sent failed; trying again", self.email_id)
        for attempt in range(3):
            try:
                async with self.db.write_engine.begin() as connection:
                    await connection.execute(self._statement)
                return
            except Exception:
                if attempt == 2:
                    raise
                log.warning("marking e-mail %s as sent failed; trying again", self.email_id)
                await asyncio.sleep(0.5 * (attempt + 1))

    async def __aexit__(self, *exc_info) -> None:
        if self._open is not None:
            await self._open.close()  # rolls back unless committed: the server did not take it
