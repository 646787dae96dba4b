"""The e-mail outbox of an employer, for whoever follows its requests: what was sent, what still
waits (without SMTP settings e-mail stays here, readable), and what failed and why."""

from __future__ import annotations

import datetime as dt

import strawberry
from sqlalchemy import select

from app.db import models as m
from app.db.mijnloket import is_mijnloket_mail
from app.db.queries.pagination import keyset_page
from app.db.scoping import restrict
from app.domain import authz
from app.domain.changes import HIDDEN
from app.schema.connection import Connection
from app.schema.ids import decode_id
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


async def outbox_emails(
    info: strawberry.Info,
    employer_id: strawberry.ID,
    status: EmailStatus | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Connection[OutboxEmail]:
    """The e-mails the employer's requests wrote to the outbox, newest first."""
    ctx = info.context
    stmt = restrict(
        select(m.OutboxEmail).where(
            m.OutboxEmail.employer_id == decode_id(employer_id, "Employer")
        ),
        ctx.principal,
        m.OutboxEmail,
    )
    if status is not None:
        stmt = stmt.where(m.OutboxEmail.status == m.EmailStatus(status))
    page = await keyset_page(
        ctx,
        stmt,
        (m.OutboxEmail.id,),
        lambda e: (e.id,),
        first=first,
        after=after,
        descending=True,
    )
    return Connection.of(page)
