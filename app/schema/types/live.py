"""The events of the live subscriptions (app/schema/subscription.py), together: what changed in
the task centre, the process overview and the message centre."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

import strawberry

from app.db.collective_reads import visible_action
from app.db.live_reads import open_task_count
from app.schema.enums import WorkflowStatus
from app.schema.types.collective import CollectiveAction
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
        return await open_task_count(ctx, ctx.principal, self._employer_id)


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
        return await visible_action(ctx, ctx.principal, self._action_id)
