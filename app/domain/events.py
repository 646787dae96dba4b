"""Events for live views (subscriptions), and who may receive each (DOMAIN.md sections 1, 5, 6).

Pure: an event is what the outbox recorded about a change; the predicates below decide, for one
subscriber (its `Principal` as it is now) and one subscription, whether the event concerns it.
Every event is checked before it is sent: a department manager never hears of another
department, a revoked right or role link stops what it gave.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.domain.authz import Principal, Right, UserType


class EventKind(StrEnum):
    INSTANCE_SUBMITTED = "INSTANCE_SUBMITTED"
    STEP_MOVED = "STEP_MOVED"
    STATUS_CHANGED = "STATUS_CHANGED"
    ACCESS_CHANGED = "ACCESS_CHANGED"  # a user's rights, role links or departments changed
    EXPORT_PROGRESS = "EXPORT_PROGRESS"
    COLLECTIVE_ACTION_PROGRESS = "COLLECTIVE_ACTION_PROGRESS"
    # Who may act on an employer's open steps changed for reasons no step event tells (a
    # deviating approver set or removed): task centres there reload.
    ASSIGNMENT_CHANGED = "ASSIGNMENT_CHANGED"


INSTANCE_KINDS = frozenset(
    {EventKind.INSTANCE_SUBMITTED, EventKind.STEP_MOVED, EventKind.STATUS_CHANGED}
)


class TaskChange(StrEnum):
    TASK_OPENED = "TASK_OPENED"  # a task you may act on appeared
    TASK_TAKEN = "TASK_TAKEN"  # someone else acted on a task of yours: it disappears
    TASK_CLOSED = "TASK_CLOSED"  # you acted on it, or the request ended (withdrawn)


@dataclass(frozen=True)
class InstanceChange:
    """What an instance event (INSTANCE_KINDS) tells: the request's state before and after,
    and who could act on the step that closed and on the step that opened, as the assignment
    rules resolved it at that moment (app/domain/assignment.py)."""

    type: str
    status: str
    previous_status: str | None = None
    open_position: int | None = None
    previous_open_position: int | None = None
    opened_for: tuple[int, ...] = ()
    closed_for: tuple[int, ...] = ()
    closed_by: int | None = None  # who acted on the step that closed


@dataclass(frozen=True)
class ExportProgress:
    """An export moved on (EXPORT_PROGRESS)."""

    export_id: int
    status: str
    rows_written: int = 0
    row_count: int | None = None


@dataclass(frozen=True)
class CollectiveActionProgress:
    """A collective action moved on (COLLECTIVE_ACTION_PROGRESS)."""

    action_id: int
    status: str


Payload = InstanceChange | ExportProgress | CollectiveActionProgress | None

# The stored and sent form of each payload: a JSON object with these camelCase names (the
# outbox's `payload` column and the broker's messages; rows written before typed payloads read
# the same). Field name -> JSON name.
_JSON_NAMES: dict[type, dict[str, str]] = {
    InstanceChange: {
        "type": "type",
        "status": "status",
        "previous_status": "previousStatus",
        "open_position": "openPosition",
        "previous_open_position": "previousOpenPosition",
        "opened_for": "openedFor",
        "closed_for": "closedFor",
        "closed_by": "closedBy",
    },
    ExportProgress: {
        "export_id": "exportId",
        "status": "status",
        "rows_written": "rowsWritten",
        "row_count": "rowCount",
    },
    CollectiveActionProgress: {"action_id": "actionId", "status": "status"},
}
_PAYLOAD_OF_KIND: dict[
    str, type[InstanceChange] | type[ExportProgress] | type[CollectiveActionProgress]
] = {
    **{kind: InstanceChange for kind in INSTANCE_KINDS},
    EventKind.EXPORT_PROGRESS: ExportProgress,
    EventKind.COLLECTIVE_ACTION_PROGRESS: CollectiveActionProgress,
}
_LISTS = frozenset({"opened_for", "closed_for"})


def payload_to_json(payload: Payload) -> dict[str, Any]:
    if payload is None:
        return {}
    names = _JSON_NAMES[type(payload)]
    return {
        json_name: list(value) if name in _LISTS else value
        for name, json_name in names.items()
        for value in (getattr(payload, name),)
    }


def payload_from_json(kind: str, data: dict[str, Any] | None) -> Payload:
    """The typed payload of an event of `kind` from its stored form; None for kinds without
    one (or an empty object)."""
    cls = _PAYLOAD_OF_KIND.get(kind)
    if cls is None or not data:
        return None
    names = _JSON_NAMES[cls]
    values: dict[str, Any] = {
        name: tuple(data[json_name]) if name in _LISTS else data[json_name]
        for name, json_name in names.items()
        if json_name in data and data[json_name] is not None
    }
    return cls(**values)


@dataclass(frozen=True)
class Change:
    """An event as the change that causes it writes it, in its own transaction, before the
    publisher numbers it (app/db/outbox.py `record`)."""

    kind: EventKind
    employer_id: int | None = None
    department_id: int | None = None
    instance_id: int | None = None
    user_id: int | None = None  # the one user an event is for (an export's owner, access)
    payload: Payload = None
    at: dt.datetime | None = None  # None: when it is written


@dataclass(frozen=True)
class Event:
    seq: int  # monotonically increasing, gap-free (app/db/models/outbox.py)
    kind: str
    at: dt.datetime
    employer_id: int | None = None
    department_id: int | None = None
    instance_id: int | None = None
    user_id: int | None = None
    payload: Payload = None
    # The outbox row: tells an event apart before it has a `seq` (app/events/open_counts.py).
    id: int | None = None

    @property
    def instance_change(self) -> InstanceChange | None:
        return self.payload if isinstance(self.payload, InstanceChange) else None

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "kind": self.kind,
            "at": self.at.isoformat(),
            "employerId": self.employer_id,
            "departmentId": self.department_id,
            "instanceId": self.instance_id,
            "userId": self.user_id,
            "payload": payload_to_json(self.payload),
            "id": self.id,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        return cls(
            seq=int(data["seq"]),
            kind=data["kind"],
            at=dt.datetime.fromisoformat(data["at"]),
            employer_id=data.get("employerId"),
            department_id=data.get("departmentId"),
            instance_id=data.get("instanceId"),
            user_id=data.get("userId"),
            payload=payload_from_json(data["kind"], data.get("payload")),
            id=data.get("id"),
        )


def task_change(principal: Principal, event: Event, employer_id: int | None) -> TaskChange | None:
    """What `event` changes in the subscriber's task centre (at `employer_id`, or anywhere).

    The event names who could act on the step that opened and on the step that closed, as the
    assignment rules resolved it at that moment (app/domain/assignment.py), so this needs no
    database: a manager never appears for another department, nobody for their own request.
    """
    if event.kind not in INSTANCE_KINDS or principal.user_type is UserType.EMPLOYEE:
        return None
    if employer_id is not None and event.employer_id != employer_id:
        return None
    if event.employer_id not in principal.reachable_employer_ids:
        return None
    change, me = event.instance_change, principal.user_id
    if change is None:
        return None
    if me in change.opened_for:
        return TaskChange.TASK_OPENED
    if me in change.closed_for:
        taken_by = change.closed_by
        return TaskChange.TASK_TAKEN if taken_by not in (None, me) else TaskChange.TASK_CLOSED
    return None


def _may_have_tasks_here(principal: Principal, event: Event, employer_id: int | None) -> bool:
    if principal.user_type is UserType.EMPLOYEE:
        return False
    if employer_id is not None and event.employer_id != employer_id:
        return False
    return event.employer_id in principal.reachable_employer_ids


def open_task_delta(principal: Principal, event: Event, employer_id: int | None) -> int:
    """How the subscriber's number of open tasks (at `employer_id`, or anywhere) changes with
    `event`: +1 for a step it may now act on, -1 for one it no longer may (both when a step
    it could act on moved to the next one it can act on too)."""
    if event.kind not in INSTANCE_KINDS or not _may_have_tasks_here(principal, event, employer_id):
        return 0
    change, me = event.instance_change, principal.user_id
    if change is None:
        return 0
    return (me in change.opened_for) - (me in change.closed_for)


def reassigns_tasks_of(principal: Principal, event: Event, employer_id: int | None) -> bool:
    """Open steps at the event's employer may have changed hands without a step event (a
    deviating approver set or removed): the subscriber's task centre must reload."""
    return event.kind == EventKind.ASSIGNMENT_CHANGED and _may_have_tasks_here(
        principal, event, employer_id
    )


def concerns_process_overview(principal: Principal, event: Event, employer_id: int) -> bool:
    """A change in the employer's process-management overview, within the subscriber's scope."""
    if event.kind not in INSTANCE_KINDS or event.employer_id != employer_id:
        return False
    if not principal.has_right(Right.PROCESS_MANAGEMENT, employer_id):
        return False
    if principal.is_department_manager:
        return event.department_id in principal.department_ids
    return True


def concerns_export(principal: Principal, event: Event, export_id: int) -> bool:
    return (
        event.kind == EventKind.EXPORT_PROGRESS
        and event.user_id == principal.user_id
        and isinstance(event.payload, ExportProgress)
        and event.payload.export_id == export_id
    )


def changes_access_of(principal: Principal, event: Event) -> bool:
    """The subscriber's own rights changed: reload them before judging the next event."""
    return event.kind == EventKind.ACCESS_CHANGED and event.user_id == principal.user_id


def concerns_message_centre(principal: Principal, event: Event, employer_id: int) -> bool:
    """A collective action of the employer moved on: for COLLECTIVE_ACTIONS holders there
    (never department managers: the action covers every department)."""
    return (
        event.kind == EventKind.COLLECTIVE_ACTION_PROGRESS
        and event.employer_id == employer_id
        and not principal.is_department_manager
        and principal.has_right(Right.COLLECTIVE_ACTIONS, employer_id)
    )
