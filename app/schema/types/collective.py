"""Collective actions and the message centre (berichtencentrum, DOMAIN.md section 7)."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum

import strawberry

from app.db import collective_reads
from app.db import models as m
from app.schema.types.lazy import LazyEmployee, LazyUser
from app.schema.types.node import Node, global_id, rows_of

ActionStatus = strawberry.enum(
    m.ActionStatus, description="PENDING (waiting), RUNNING, DONE (every person handled)."
)
ItemStatus = strawberry.enum(
    m.ItemStatus,
    description="PROCESSED (Werknemerloket blocked, invitation sent), FAILED (see `reason`: a "
    "stopper or an error), SKIPPED (already invited or on MijnLoket), PENDING.",
)


@strawberry.type(description="A person who can be moved to MijnLoket, with what to check first.")
class MigrationCandidate:
    employee: LazyEmployee
    warnings: list[str] = strawberry.field(description="E.g. a private e-mail that is not unique.")
    stoppers: list[str] = strawberry.field(
        description="Reasons this person cannot be migrated (no private e-mail)."
    )


@strawberry.type(description="One person in a collective action: processed or not, and why.")
class CollectiveActionItem:
    status: ItemStatus
    reason: str | None
    updated_at: dt.datetime
    _employee_id: strawberry.Private[int]

    @strawberry.field
    async def employee(self, info: strawberry.Info) -> LazyEmployee | None:
        return await info.context.loaders.employee_for_collective.load(self._employee_id)


@strawberry.type(description="Who did what, when, to whom: the action's append-only log.")
class ActionLogEntry:
    kind: str
    at: dt.datetime
    detail: str = strawberry.field(description="JSON with the particulars (e.g. a reason).")
    _actor_id: strawberry.Private[int | None]
    _employee_id: strawberry.Private[int | None]

    @strawberry.field(description="Null for the system.")
    async def actor(self, info: strawberry.Info) -> LazyUser | None:
        return await info.context.loaders.user.load(self._actor_id) if self._actor_id else None

    @strawberry.field
    async def employee(self, info: strawberry.Info) -> LazyEmployee | None:
        if self._employee_id is None:
            return None
        return await info.context.loaders.employee_for_collective.load(self._employee_id)


@strawberry.type
class ItemCounts:
    pending: int
    processed: int
    failed: int
    skipped: int


@strawberry.type(description="A collective action at an employer, as the message centre shows it.")
class CollectiveAction(Node):
    id: strawberry.ID = global_id("CollectiveAction")
    kind: str = strawberry.field(description="MIJNLOKET_MIGRATION.")
    created_at: dt.datetime
    finished_at: dt.datetime | None
    is_type_of = rows_of(m.CollectiveAction)

    @strawberry.field
    def status(root) -> ActionStatus:
        return root.status

    @strawberry.field(description="Who started it; null if you may not see that user.")
    async def started_by(root, info: strawberry.Info) -> LazyUser | None:
        return await info.context.loaders.user.load(root.started_by_id)

    @strawberry.field(description="Per person: processed, failed with the reason, or skipped.")
    async def items(root, info: strawberry.Info) -> list[CollectiveActionItem]:
        rows = await info.context.loaders.action_items.load(root.id)
        return [
            CollectiveActionItem(
                status=r.status,
                reason=r.reason,
                updated_at=r.updated_at,
                _employee_id=r.employee_id,
            )
            for r in rows
        ]

    @strawberry.field
    async def counts(root, info: strawberry.Info) -> ItemCounts:
        rows = await info.context.loaders.action_items.load(root.id)
        by = {s: sum(1 for r in rows if r.status is s) for s in m.ItemStatus}
        return ItemCounts(
            pending=by[m.ItemStatus.PENDING],
            processed=by[m.ItemStatus.PROCESSED],
            failed=by[m.ItemStatus.FAILED],
            skipped=by[m.ItemStatus.SKIPPED],
        )

    @strawberry.field(description="Every state change, oldest first.")
    async def log(root, info: strawberry.Info) -> list[ActionLogEntry]:
        ctx = info.context
        return [
            ActionLogEntry(
                kind=e.kind,
                at=e.at,
                detail=json.dumps(e.detail or {}, ensure_ascii=False),
                _actor_id=e.actor_id,
                _employee_id=e.employee_id,
            )
            for e in await collective_reads.action_log(ctx, ctx.principal, root.id)
        ]


@strawberry.enum(description="Whether an activation link can be used.")
class ActivationStatus(StrEnum):
    VALID = "VALID"
    USED = "USED"
    EXPIRED = "EXPIRED"
    INVALID = "INVALID"


@strawberry.type(description="What an activation link leads to, before activating it.")
class MijnLoketActivation:
    status: ActivationStatus
    email: str | None = strawberry.field(description="Prefilled from the private e-mail.")
    employer_name: str | None
    expires_at: dt.datetime | None
    existing_account: bool = strawberry.field(
        description="True: sign in with your MijnLoket account, then activate to link this "
        "employment to it. False: activate with a password to register."
    )
