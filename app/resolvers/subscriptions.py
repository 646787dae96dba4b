"""Live updates over WebSocket (graphql-transport-ws): the task centre, the process overview and
an export's progress. Each event is checked against the subscriber's rights before it is sent
(app/domain/events.py); `after` catches up on what a client missed (app/events/follow.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator

import strawberry

from app.db import models as m
from app.db.live_reads import own_export
from app.domain.authz import Principal
from app.domain.errors import NotFound
from app.domain.events import (
    CollectiveActionProgress,
    Event,
    concerns_export,
    concerns_message_centre,
    concerns_process_overview,
    reassigns_tasks_of,
    task_change,
)
from app.domain.workflow import InstanceStatus
from app.events.follow import View, follow
from app.schema.ids import decode_id
from app.schema.permissions import (
    COLLECTIVE,
    PROCESS_OVERVIEW,
    TASK_CENTRE_LIVE,
    enforce,
    reachable_employer,
)
from app.schema.types.export import Export
from app.schema.types.live import (
    MessageCentreEvent,
    ProcessOverviewEvent,
    ProcessOverviewEventKind,
    TaskCentreEvent,
    TaskCentreEventKind,
)


def _employer(value: strawberry.ID | None, principal: Principal) -> int | None:
    return None if value is None else reachable_employer(principal, value)


def _now() -> dt.datetime:
    return m.utcnow()


async def task_centre_changed(
    info: strawberry.Info, employer_id: strawberry.ID | None = None, after: int | None = None
) -> AsyncGenerator[TaskCentreEvent, None]:
    """Your task centre changes: a task you may act on opened, a colleague took one of yours
    (it disappears), or it closed. `openCount` gives the new number. Staff users only."""
    principal = info.context.require_principal()
    employer = _employer(employer_id, principal)

    def check(p: Principal) -> None:
        TASK_CENTRE_LIVE.enforce(p, employer)

    def shown(p: Principal, event: Event) -> TaskCentreEvent | None:
        change = task_change(p, event, employer)
        if change is None:
            return None
        return TaskCentreEvent(
            event_id=event.seq,
            kind=TaskCentreEventKind(change.value),
            at=event.at,
            _instance_id=event.instance_id,
            _employer_id=employer,
        )

    def resync(seq: int) -> TaskCentreEvent:
        return TaskCentreEvent(
            event_id=seq,
            kind=TaskCentreEventKind.RESYNC,
            at=_now(),
            _instance_id=None,
            _employer_id=employer,
        )

    view = View(
        field="taskCentreChanged",
        employer_id=employer,
        check=check,
        select=shown,
        resync=resync,
        resyncs=lambda p, event: reassigns_tasks_of(p, event, employer),
        counts_tasks=True,
    )
    async for event in follow(info, view, after):
        yield event


async def process_overview_changed(
    info: strawberry.Info, employer_id: strawberry.ID, after: int | None = None
) -> AsyncGenerator[ProcessOverviewEvent, None]:
    """The employer's process overview changes: a request submitted, a step moved, a status
    changed. Department managers hear of their departments only. Requires the right
    PROCESS_MANAGEMENT at the employer; revoking it ends the subscription (FORBIDDEN)."""
    principal = info.context.require_principal()
    employer = _employer(employer_id, principal)

    def check(p: Principal) -> None:
        PROCESS_OVERVIEW.enforce(p, employer)

    def shown(p: Principal, event: Event) -> ProcessOverviewEvent | None:
        if not concerns_process_overview(p, event, employer):
            return None
        change = event.instance_change
        status = change.status if change else None
        previous = change.previous_status if change else None
        return ProcessOverviewEvent(
            event_id=event.seq,
            kind=ProcessOverviewEventKind(event.kind),
            at=event.at,
            status=InstanceStatus(status) if status else None,
            previous_status=InstanceStatus(previous) if previous else None,
            _instance_id=event.instance_id,
        )

    def resync(seq: int) -> ProcessOverviewEvent:
        return ProcessOverviewEvent(
            event_id=seq,
            kind=ProcessOverviewEventKind.RESYNC,
            at=_now(),
            status=None,
            previous_status=None,
            _instance_id=None,
        )

    view = View("processOverviewChanged", employer, check, shown, resync)
    async for event in follow(info, view, after):
        yield event


async def export_progress(
    info: strawberry.Info, export_id: strawberry.ID
) -> AsyncGenerator[Export, None]:
    """The progress of one of your exports: its state now, then every change, until it is
    READY or FAILED."""
    ctx = info.context
    principal = ctx.require_principal()
    pk = decode_id(export_id, "Export")
    done = (m.ExportStatus.READY, m.ExportStatus.FAILED)
    async with ctx.events.hub.listen() as listener:  # before reading: nothing can slip by
        row = await own_export(ctx, ctx.principal, pk) if pk is not None else None
        if row is None:
            raise NotFound("Export niet gevonden.")
        yield row
        await ctx.after_write()
        if row.status in done:
            return
        while True:
            event = await listener.next()
            if event is not None and not concerns_export(principal, event, pk):
                continue
            await ctx.after_write()
            row = await own_export(ctx, ctx.principal, pk)  # the state now (RESYNC: read it anyway)
            yield row
            await ctx.after_write()  # hold no read connection while waiting
            if row.status in done:
                return


async def message_centre_changed(
    info: strawberry.Info, employer_id: strawberry.ID, after: int | None = None
) -> AsyncGenerator[MessageCentreEvent, None]:
    """A collective action of the employer moved on (a person processed or failed, the action
    done). Requires the right COLLECTIVE_ACTIONS at the employer; never department managers."""
    principal = info.context.require_principal()
    employer = _employer(employer_id, principal)

    def check(p: Principal) -> None:
        enforce(COLLECTIVE, p, employer)

    def shown(p: Principal, event: Event) -> MessageCentreEvent | None:
        if not concerns_message_centre(p, event, employer):
            return None
        progress = event.payload
        action_id = progress.action_id if isinstance(progress, CollectiveActionProgress) else None
        return MessageCentreEvent(event_id=event.seq, resync=False, _action_id=action_id)

    def resync(seq: int) -> MessageCentreEvent:
        return MessageCentreEvent(event_id=seq, resync=True, _action_id=None)

    view = View("messageCentreChanged", employer, check, shown, resync)
    async for event in follow(info, view, after):
        yield event
