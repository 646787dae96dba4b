"""The collective move to MijnLoket in the database: candidates, starting the action, handling
one person, reminders, and activating an invitation (DOMAIN.md section 7, seed 004).

Each person is handled in a transaction of its own, so one failure stops nobody else; the
invitation e-mail goes through the outbox in that same transaction. Every state change is
written to the action's append-only log and announced to the message centre (an event).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.scoping import restrict
from app.domain import mijnloket as rules
from app.domain.authz import Principal, Right
from app.domain.events import EventKind
from app.settings import Settings

INVITED = exists(select(m.Invitation.id).where(m.Invitation.employee_id == m.Employee.id))


def log(session, action_id, kind: str, *, employee_id=None, actor_id=None, at=None, **detail):
    session.add(
        m.ActionLogEntry(
            action_id=action_id,
            employee_id=employee_id,
            actor_id=actor_id,
            kind=kind,
            detail=detail,
            at=at or m.utcnow(),
        )
    )


def announce(session, action: m.CollectiveAction) -> None:
    """The message centre of the employer moved on (messageCentreChanged)."""
    session.add(
        m.OutboxEvent(
            kind=EventKind.COLLECTIVE_ACTION_PROGRESS,
            employer_id=action.employer_id,
            payload={"actionId": action.id, "status": action.status.value},
        )
    )


async def candidates(
    session: AsyncSession, principal: Principal, employer_id: int
) -> list[tuple[m.Employee, rules.Assessment]]:
    """The people of the employer not yet invited and without a MijnLoket account there."""
    stmt = restrict(
        select(m.Employee)
        .where(
            m.Employee.employer_id == employer_id,
            m.Employee.mijnloket_account_id.is_(None),
            ~INVITED,
        )
        .order_by(m.Employee.name, m.Employee.id),
        principal,
        m.Employee,
        right=Right.COLLECTIVE_ACTIONS,
    )
    people = list(await session.scalars(stmt))
    # Uniqueness is judged over every employment of the employer (a system read of addresses).
    emails = list(
        await session.scalars(
            select(m.Employee.private_email).where(m.Employee.employer_id == employer_id)
        )
    )
    verdicts = rules.assess([rules.Person(e.id, e.name, e.private_email) for e in people], emails)
    return [(e, verdicts[e.id]) for e in people]


async def start(
    session: AsyncSession, principal: Principal, employer_id: int, employee_ids: Sequence[int]
) -> m.CollectiveAction:
    action = m.CollectiveAction(employer_id=employer_id, started_by_id=principal.user_id)
    session.add(action)
    await session.flush()
    for employee_id in employee_ids:
        session.add(m.CollectiveActionItem(action_id=action.id, employee_id=employee_id))
    log(session, action.id, "STARTED", actor_id=principal.user_id, employeeIds=list(employee_ids))
    announce(session, action)
    await session.flush()
    return action


async def handle(
    session: AsyncSession, item_id: int, settings: Settings, employer_name: str
) -> m.ItemStatus:
    """Invite one person: block Werknemerloket, write the invitation and its e-mail."""
    item = await session.get(m.CollectiveActionItem, item_id, with_for_update=True)
    if item.status is not m.ItemStatus.PENDING:
        return item.status  # handled already (a worker that died after committing it)
    employee = await session.get(m.Employee, item.employee_id, with_for_update=True)
    now = m.utcnow()
    invited_at = await session.scalar(
        select(m.Invitation.sent_at).where(m.Invitation.employee_id == employee.id)
    )
    email = rules.normal_email(employee.private_email)
    if employee.mijnloket_account_id is not None:
        status, reason = m.ItemStatus.SKIPPED, "Heeft al een MijnLoket-account bij deze werkgever."
    elif invited_at is not None:
        status, reason = m.ItemStatus.SKIPPED, f"Al uitgenodigd op {invited_at:%d-%m-%Y}."
    elif email is None:
        status, reason = m.ItemStatus.FAILED, rules.NO_EMAIL
    else:
        status, reason = m.ItemStatus.PROCESSED, None
        if employee.werknemerloket_state is m.WerknemerloketState.ACTIVE:
            employee.werknemerloket_state = m.WerknemerloketState.BLOCKED
            log(session, item.action_id, "WERKNEMERLOKET_BLOCKED", employee_id=employee.id)
        token, digest = rules.new_token()
        session.add(
            m.Invitation(
                employee_id=employee.id,
                action_id=item.action_id,
                token_hash=digest,
                email=email,
                sent_at=now,
                expires_at=now + dt.timedelta(days=settings.invitation_valid_days),
            )
        )
        link = rules.activation_link(settings.mijnloket_activation_url, token)
        subject, body = rules.invitation_email(
            employee.name, employer_name, link, settings.invitation_valid_days
        )
        mail(session, f"mijnloket-invitation:{employee.id}", employee, email, subject, body)
        log(session, item.action_id, "INVITED", employee_id=employee.id, email=email)
    if status is not m.ItemStatus.PROCESSED:
        log(session, item.action_id, status.value, employee_id=employee.id, reason=reason)
    item.status, item.reason, item.updated_at = status, reason, now
    action = await session.get(m.CollectiveAction, item.action_id)
    announce(session, action)
    return status


def mail(session, dedupe_key: str, employee: m.Employee, to: str, subject: str, body: str):
    session.add(
        m.OutboxEmail(
            dedupe_key=dedupe_key,
            employer_id=employee.employer_id,
            to_address=to,
            subject=subject,
            body=body,
        )
    )


async def fail(session: AsyncSession, item_id: int, reason: str) -> None:
    item = await session.get(m.CollectiveActionItem, item_id, with_for_update=True)
    if item.status is m.ItemStatus.PENDING:
        item.status, item.reason, item.updated_at = m.ItemStatus.FAILED, reason, m.utcnow()
        log(session, item.action_id, "FAILED", employee_id=item.employee_id, reason=reason)
        announce(session, await session.get(m.CollectiveAction, item.action_id))


async def send_reminder(
    session: AsyncSession, invitation_id: int, settings: Settings, employer_name: str
) -> bool:
    """One reminder for an unused invitation, never two: the conditional update decides
    (whichever process gets there first), and the e-mail's dedupe key backs it up. The
    reminder carries a new link; the first one stops working."""
    now = m.utcnow()
    token, digest = rules.new_token()
    claimed = await session.execute(
        update(m.Invitation)
        .where(
            m.Invitation.id == invitation_id,
            m.Invitation.used_at.is_(None),
            m.Invitation.reminder_sent_at.is_(None),
            m.Invitation.expires_at > now,
        )
        .values(reminder_sent_at=now, token_hash=digest)
    )
    if claimed.rowcount != 1:
        return False
    invitation = await session.get(m.Invitation, invitation_id)
    employee = await session.get(m.Employee, invitation.employee_id)
    link = rules.activation_link(settings.mijnloket_activation_url, token)
    subject, body = rules.reminder_email(employee.name, employer_name, link)
    mail(session, f"mijnloket-reminder:{invitation.id}", employee, invitation.email, subject, body)
    log(session, invitation.action_id, "REMINDER_SENT", employee_id=employee.id)
    return True


def reminders_due(settings: Settings):
    before = m.utcnow() - dt.timedelta(days=settings.invitation_reminder_days)
    return (
        select(m.Invitation.id)
        .where(
            m.Invitation.used_at.is_(None),
            m.Invitation.reminder_sent_at.is_(None),
            m.Invitation.sent_at < before,
            m.Invitation.expires_at > m.utcnow(),
        )
        .order_by(m.Invitation.sent_at, m.Invitation.id)
        .limit(200)
    )
