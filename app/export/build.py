"""Building an export's file: the overview's rows streamed from the database into a write-only
workbook, then stored in parts. Whoever runs it (the request, for small exports, or a worker)
has claimed the export first (`claim`), so one process builds each file.

Memory stays flat: one database cursor delivers `export_chunk_rows` rows at a time, the writer
thread turns them into cells and appends them while the next chunk is fetched, and openpyxl
streams the sheet to a temporary file. The event loop only awaits, so the server keeps serving.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import secrets
import tempfile

from sqlalchemy import and_, or_, select, text, update

from app.db import models as m
from app.db import outbox
from app.db.principals import load_principal
from app.db.queries import process_overview as q
from app.db.session import Database
from app.domain.authz import Principal, Right, holds_here_or_office_wide, refusal
from app.domain.overview import ColumnSpec, columns
from app.export.rows import RowCells
from app.export.workbook import OverviewWorkbook
from app.settings import Settings

log = logging.getLogger("loketflow.export")

PART_BYTES = 1024 * 1024
PROGRESS_EVERY = dt.timedelta(seconds=1)


class ExportRefused(Exception):
    """The export cannot be built for a reason its owner should read (Dutch)."""


class ExportTakenOver(Exception):
    """This builder's lease lapsed and another process owns the export now: stop quietly."""


def new_token() -> str:
    return secrets.token_urlsafe(32)


def export_columns(f: q.OverviewFilter, employer_id: int | None) -> list[ColumnSpec]:
    return columns(f.tab, declarations=f.declarations, provider_wide=employer_id is None)


def may_export(principal: Principal, employer_id: int | None) -> bool:
    return holds_here_or_office_wide(principal, Right.PROCESS_MANAGEMENT, employer_id)


def _mine(export_id: int, attempt: int):
    """The export as long as this attempt owns it: a builder whose lease lapsed while another
    took over must not touch it any more (fencing by attempt number)."""
    return (
        m.Export.id == export_id,
        m.Export.status == m.ExportStatus.RUNNING,
        m.Export.attempts == attempt,
    )


async def claim(db: Database, export_id: int, settings: Settings) -> int | None:
    """Take the export for building: waiting, or running under a lease that lapsed (its
    process died). One process wins and gets its attempt number (None: not taken); after
    `export_max_attempts` tries it fails for good."""
    now = m.utcnow()
    async with db.writer() as session:
        row = await session.scalar(
            select(m.Export).where(m.Export.id == export_id).with_for_update()
        )
        lapsed = row is not None and (
            row.status is m.ExportStatus.PENDING
            or (
                row.status is m.ExportStatus.RUNNING
                and (row.claimed_until is None or row.claimed_until < now)
            )
        )
        if not lapsed:
            return None
        if row.attempts >= settings.export_max_attempts:
            row.status, row.finished_at = m.ExportStatus.FAILED, now
            row.error = "Het bestand kon niet worden gemaakt. Probeer het opnieuw."
            await session.flush()
            await _announce(session, export_id)
            return None
        row.status, row.attempts = m.ExportStatus.RUNNING, row.attempts + 1
        row.started_at = now
        row.claimed_until = now + dt.timedelta(seconds=settings.export_lease_seconds)
        return row.attempts


async def _announce(session, export_id: int) -> None:
    """Tell the owner's live view (exportProgress) where the export stands now."""
    export = await session.get(m.Export, export_id, populate_existing=True)
    outbox.export_progress(session, export)


async def run(db: Database, settings: Settings, export_id: int, attempt: int, notify=None):
    """Build an export claimed as `attempt`; it ends READY, or FAILED with a reason. Never
    raises. `notify()` follows each commit that wrote an event (the publisher's wake-up)."""
    notify = notify or (lambda: None)
    try:
        await _build(db, settings, export_id, attempt, notify)
    except ExportTakenOver:
        log.warning("export %s: taken over by another process; this attempt stops", export_id)
    except ExportRefused as refusal:
        await _fail(db, export_id, attempt, str(refusal))
    except Exception:
        log.exception("export %s failed", export_id)
        reason = "Het bestand kon niet worden gemaakt. Probeer het opnieuw."
        await _fail(db, export_id, attempt, reason)
    notify()


async def _fail(db: Database, export_id: int, attempt: int, reason: str) -> None:
    try:
        async with db.writer() as session:
            await session.execute(
                update(m.Export)
                .where(*_mine(export_id, attempt))
                .values(
                    status=m.ExportStatus.FAILED,
                    error=reason[:500],
                    finished_at=m.utcnow(),
                    claimed_until=None,
                )
            )
            await _announce(session, export_id)
    except Exception:  # the lease lapses and another attempt follows
        log.exception("recording the failure of export %s failed", export_id)


async def _owner(session, export: m.Export) -> Principal:
    """The owner as now: rights revoked since asking are respected."""
    username = await session.scalar(select(m.User.username).where(m.User.id == export.user_id))
    principal = await load_principal(session, username) if username else None
    if principal is None:
        raise ExportRefused("De gebruiker die het bestand aanvroeg bestaat niet meer.")
    if not may_export(principal, export.employer_id):
        raise ExportRefused(refusal(Right.PROCESS_MANAGEMENT, where="anywhere"))
    return principal


async def _progress(db, settings, export_id: int, attempt: int, notify, **values) -> None:
    lease = m.utcnow() + dt.timedelta(seconds=settings.export_lease_seconds)
    async with db.writer() as session:
        done = await session.execute(
            update(m.Export).where(*_mine(export_id, attempt)).values(claimed_until=lease, **values)
        )
        if done.rowcount != 1:
            raise ExportTakenOver(export_id)
        await _announce(session, export_id)
    notify()


async def _build(db: Database, settings: Settings, export_id: int, attempt: int, notify):
    async with db.reader() as session, db.reader() as lookups:
        if not db.is_sqlite and settings.export_statement_timeout_ms:
            # The export's reads (the count, the one long read) may outlast ordinary ones.
            timeout = int(settings.export_statement_timeout_ms)
            await session.execute(text(f"SET LOCAL statement_timeout = {timeout}"))
        export = await session.get(m.Export, export_id)
        principal = await _owner(session, export)
        f = q.filter_from_json(export.query)
        cols = export_columns(f, export.employer_id)
        total = await session.scalar(q.count(principal, f))
        progress = functools.partial(_progress, db, settings, export_id, attempt, notify)
        await progress(row_count=total, rows_written=0)

        book = OverviewWorkbook(cols, max_rows=settings.export_rows_per_sheet)
        cells = RowCells(principal, cols)
        stream = await session.stream(
            q.export_rows(principal, f).execution_options(yield_per=settings.export_chunk_rows)
        )
        writing: asyncio.Future | None = None
        reported = m.utcnow()
        async for chunk in stream.partitions():
            await cells.prepare(lookups, chunk)
            if writing is not None:
                await writing  # at most one chunk waits while the next is fetched
            writing = asyncio.ensure_future(
                asyncio.to_thread(lambda rows=chunk: book.append(cells.all_cells(rows)))
            )
            if m.utcnow() - reported >= PROGRESS_EVERY:
                await progress(rows_written=book.rows)
                reported = m.utcnow()
        if writing is not None:
            await writing
        await stream.close()

    with tempfile.TemporaryFile() as fh:
        rows = await asyncio.to_thread(book.save, fh)
        await _store(db, settings, export_id, attempt, fh, rows)


async def _store(db: Database, settings: Settings, export_id: int, attempt: int, fh, rows: int):
    """The file in parts, and the export READY, in one transaction: a download never sees
    half a file."""
    size = fh.tell()
    fh.seek(0)
    now = m.utcnow()
    async with db.writer() as session:
        seq = 0
        while data := await asyncio.to_thread(fh.read, PART_BYTES):
            session.add(m.ExportPart(export_id=export_id, seq=seq, data=data))
            seq += 1
            await session.flush()
        done = await session.execute(
            update(m.Export)
            .where(*_mine(export_id, attempt))
            .values(
                status=m.ExportStatus.READY,
                row_count=rows,
                rows_written=rows,
                size_bytes=size,
                finished_at=now,
                expires_at=now + dt.timedelta(minutes=settings.export_link_minutes),
                claimed_until=None,
            )
        )
        if done.rowcount != 1:
            raise ExportTakenOver(export_id)  # rolls the parts back
        await _announce(session, export_id)


# A download that started just before its link expired may still be streaming: files are
# removed only this long after expiry (or failure).
SWEEP_GRACE = dt.timedelta(minutes=10)


async def remove_expired(db: Database) -> int:
    """Delete the files whose link expired a while ago (the export row stays, without a file).
    Looks first, so that a round with nothing to do writes nothing."""
    before = m.utcnow() - SWEEP_GRACE
    stale = select(m.Export.id).where(
        or_(
            m.Export.expires_at < before,
            and_(m.Export.status == m.ExportStatus.FAILED, m.Export.finished_at < before),
        )
    )
    async with db.reader() as session:
        ids = list(
            await session.scalars(
                select(m.ExportPart.export_id).where(m.ExportPart.export_id.in_(stale)).distinct()
            )
        )
    if not ids:
        return 0
    async with db.writer() as session:
        result = await session.execute(
            m.ExportPart.__table__.delete().where(m.ExportPart.export_id.in_(ids))
        )
        return result.rowcount or 0
