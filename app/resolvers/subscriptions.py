"""Live updates over WebSocket (graphql-transport-ws): the task centre, the process overview and
an export's progress. Each event is checked against the subscriber's rights before it is sent
(app/domain/events.py); `after` catches up on what a client missed (app/events/follow.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncGenerator
from enum import StrEnum

import strawberry
from sqlalchemy import func, select

from app.db import models as m
from app.db.queries import task_centre as tq
from app.db.scoping import restrict
from app.domain.authz import Principal, Right, UserType, require_right
from app.domain.errors import Forbidden, NotFound
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
from app.schema.enums import WorkflowStatus
from app.schema.ids import decode_id
from app.schema.types.collective import CollectiveAction
from app.schema.types.export import Export
from app.schema.types.request import WorkflowInstance


@strawberry.enum(
    description="What changed in your task centre; RESYNC: reload it (you fell behind, `after` "
    "was too old, or your rights or role links changed)."
)
class TaskCentreEventKind(StrEnum):
    TASK_OPENED = "TASK_OPENED"
    TASK_TAKEN = "TASK_TAKEN"
    TASK_CLOSED = "TASK_CLOSED"
    RESYNC = "RESYNC"


@strawberry.enum(
    description="What changed in the overview; RESYNC: reload it (you fell behind, `after` was "
    "too old, or your rights changed)."
)
class ProcessOverviewEventKind(StrEnum):
    INSTANCE_SUBMITTED = "INSTANCE_SUBMITTED"
    STEP_MOVED = "STEP_MOVED"
    STATUS_CHANGED = "STATUS_CHANGED"
    RESYNC = "RESYNC"


async def _instance(info, instance_id: int | None):
    return None if instance_id is None else await info.context.loaders.instance.load(instance_id)


@strawberry.type(description="A change in your task centre.")
class TaskCentreEvent:
    event_id: int = strawberry.field(
        description="The event's number in the service-wide series, which increases with "
        "every event. You receive only the events that concern you, so the numbers you see "
        "skip. Pass the last one you saw as `after` when you subscribe again, to receive what "
        "you missed; on RESYNC, the number to continue from."
    )
    kind: TaskCentreEventKind
    at: dt.datetime
    _instance_id: strawberry.Private[int | None]
    _employer_id: strawberry.Private[int | None]
    # Kept up to date by the live fan-out (app/events/open_counts.py); None: count now.
    _open_count: strawberry.Private[int | None] = None

    @strawberry.field(description="The request; null on RESYNC or if you may no longer see it.")
    async def instance(self, info: strawberry.Info) -> WorkflowInstance | None:
        return await _instance(info, self._instance_id)

    @strawberry.field(description="Your open tasks now (at the subscribed employer).")
    async def open_count(self, info: strawberry.Info) -> int:
        if self._open_count is not None:
            return self._open_count
        ctx = info.context
        stmt = tq.tasks(ctx.principal, tq.TaskFilter(employer_id=self._employer_id))
        return await ctx.scalar(select(func.count()).select_from(stmt.subquery()))


@strawberry.type(description="A change in the process overview of an employer.")
class ProcessOverviewEvent:
    event_id: int = strawberry.field(description="As `TaskCentreEvent.eventId`.")
    kind: ProcessOverviewEventKind
    at: dt.datetime
    status: WorkflowStatus | None
    previous_status: WorkflowStatus | None
    _instance_id: strawberry.Private[int | None]

    @strawberry.field(description="The request; null on RESYNC or if you may no longer see it.")
    async def instance(self, info: strawberry.Info) -> WorkflowInstance | None:
        return await _instance(info, self._instance_id)


def _employer(value: strawberry.ID | None, principal: Principal) -> int | None:
    if value is None:
        return None
    pk = decode_id(value, "Employer")
    if pk is None or pk not in principal.reachable_employer_ids:
        raise NotFound("Werkgever niet gevonden.")
    return pk


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
        if p.user_type is UserType.EMPLOYEE:
            raise Forbidden("Het takencentrum is er voor gebruikers van kantoor of werkgever.")

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
        require_right(p, Right.PROCESS_MANAGEMENT, employer)

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


async def _own_export(ctx, export_id: int) -> m.Export | None:
    stmt = restrict(select(m.Export).where(m.Export.id == export_id), ctx.principal, m.Export)
    return await ctx.scalar(stmt.execution_options(populate_existing=True))


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
        row = await _own_export(ctx, pk) if pk is not None else None
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
            row = await _own_export(ctx, pk)  # the state now (RESYNC: read it anyway)
            yield row
            await ctx.after_write()  # hold no read connection while waiting
            if row.status in done:
                return


@strawberry.type(description="A collective action of the employer moved on.")
class MessageCentreEvent:
    event_id: int = strawberry.field(description="As `TaskCentreEvent.eventId`.")
    resync: bool = strawberry.field(description="True: reload the message centre.")
    _action_id: strawberry.Private[int | None]

    @strawberry.field(description="The action as it is now; null on RESYNC.")
    async def action(self, info: strawberry.Info) -> CollectiveAction | None:
        if self._action_id is None:
            return None
        ctx = info.context
        stmt = restrict(
            select(m.CollectiveAction).where(m.CollectiveAction.id == self._action_id),
            ctx.principal,
            m.CollectiveAction,
        )
        return await ctx.scalar(stmt)


async def message_centre_changed(
    info: strawberry.Info, employer_id: strawberry.ID, after: int | None = None
) -> AsyncGenerator[MessageCentreEvent, None]:
    """A collective action of the employer moved on (a person processed or failed, the action
    done). Requires the right COLLECTIVE_ACTIONS at the employer; never department managers."""
    principal = info.context.require_principal()
    employer = _employer(employer_id, principal)

    def check(p: Principal) -> None:
        if p.is_department_manager:
            raise Forbidden("Collectieve acties zijn er niet voor afdelingsmanagers.")
        require_right(p, Right.COLLECTIVE_ACTIONS, employer)

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
