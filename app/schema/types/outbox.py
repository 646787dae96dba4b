"""The e-mail outbox of an employer: what was sent, what still waits, what failed and why."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.db import models as m
from app.db.mijnloket import is_mijnloket_mail
from app.domain import authz
from app.domain.changes import HIDDEN
from app.schema.types.request import WorkflowInstance

EmailStatus = strawberry.enum(m.EmailStatus, description="PENDING, SENT, or FAILED (gave up).")


@strawberry.type(description="One e-mail in the outbox.")
class OutboxEmail:
    subject: str
    body: str
    status: EmailStatus
    attempts: int
    created_at: dt.datetime
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None
    last_error: str | None

    @strawberry.field(
        description="The recipient. For an e-mail about MijnLoket (invitation, reminder, "
        "confirmation) that is the person's MijnLoket address: '(afgeschermd)' unless you hold "
        "VIEW_MIJNLOKET_EMAIL or COLLECTIVE_ACTIONS at the employer."
    )
    def to_address(root, info: strawberry.Info) -> str:
        if is_mijnloket_mail(root) and not authz.may_see_mijnloket_recipients(
            info.context.principal, root.employer_id
        ):
            return HIDDEN
        return root.to_address

    @strawberry.field
    async def instance(root, info: strawberry.Info) -> WorkflowInstance | None:
        if root.instance_id is None:
            return None
        return await info.context.loaders.instance.load(root.instance_id)
