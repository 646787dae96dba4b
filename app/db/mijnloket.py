"""The collective move to MijnLoket in the database: candidates, starting the action, handling
one person, reminders, and activating an invitation (DOMAIN.md section 7, seed 004).

Each person is handled in a transaction of its own, so one failure stops nobody else; the
invitation e-mail goes through the outbox in that same transaction. Every state change is
written to the action's append-only log and announced to the message centre (an event).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Select, Update, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db import outbox
from app.db.scoping import restrict
from app.domain import mijnloket as rules
from app.domain.authz import Principal, Right
from app.domain.events import Change, CollectiveActionProgress, EventKind
from app.settings import Settings


def invited(now: dt.datetime) -> ColumnElement[bool]:
    """The employee has an invitation that was used or still can be; one that expired unused
    may be renewed (the person would otherwise stay blocked from Werknemerloket for good)."""
    return exists(
        select(m.Invitation.id).where(
            m.Invitation.employee_id == m.Employee.id,
            or_(m.Invitation.used_at.is_not(None), m.Invitation.expires_at > now),
        )
    )


def log(
    session: AsyncSession,
    action_id: int | None,
    kind: str,
    *,
    employee_id: int | None = None,
    actor_id: int | None = None,
    at: dt.datetime | None = None,
    **detail: Any,
) -> None:
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


def announce(session: AsyncSession, action: m.CollectiveAction | None) -> None:
    """The message centre of the employer moved on (messageCentreChanged)."""
    assert action is not None  # read by the id of a row that references it
    progress = CollectiveActionProgress(action_id=action.id, status=action.status.value)
    kind = EventKind.COLLECTIVE_ACTION_PROGRESS
    outbox.record(session, Change(kind, employer_id=action.employer_id, payload=progress))


async def _execute_update(session: AsyncSession, stmt: Update) -> CursorResult[Any]:
    """Run an UPDATE; its result's rowcount says whether the condition held."""
    # AsyncSession.execute is typed to return a plain Result; an UPDATE's is a CursorResult.
    return cast("CursorResult[Any]", await session.execute(stmt))


async def candidates(
    session: AsyncSession, principal: Principal, employer_id: int
) -> list[tuple[m.Employee, rules.Assessment]]:
    """The people of the employer not yet invited and without a MijnLoket account there."""
    stmt = restrict(
        select(m.Employee)
        .where(
            m.Employee.employer_id == employer_id,
            m.Employee.mijnloket_account_id.is_(None),
            ~invited(m.utcnow()),
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
    """Invite one person: block Werknemerloket, write the invitation and its e-mail. The link
    is minted when the e-mail leaves (`fill_link`)."""
    item = await session.get(m.CollectiveActionItem, item_id, with_for_update=True)
    assert item is not None
    if item.status is not m.ItemStatus.PENDING:
        return item.status  # handled already (a worker that died after committing it)
    employee = await session.get(m.Employee, item.employee_id, with_for_update=True)
    assert employee is not None
    now = m.utcnow()
    invitation = await session.scalar(
        select(m.Invitation).where(m.Invitation.employee_id == employee.id).with_for_update()
    )
    renewable = (
        invitation is not None and invitation.used_at is None and invitation.expires_at <= now
    )
    email = rules.normal_email(employee.private_email)
    if employee.mijnloket_account_id is not None:
        status, reason = m.ItemStatus.SKIPPED, "Heeft al een MijnLoket-account bij deze werkgever."
    elif invitation is not None and not renewable:
        status, reason = m.ItemStatus.SKIPPED, f"Al uitgenodigd op {invitation.sent_at:%d-%m-%Y}."
    elif email is None:
        status, reason = m.ItemStatus.FAILED, rules.NO_EMAIL
    else:
        status, reason = m.ItemStatus.PROCESSED, None
        if employee.werknemerloket_state is m.WerknemerloketState.ACTIVE:
            employee.werknemerloket_state = m.WerknemerloketState.BLOCKED
            log(session, item.action_id, "WERKNEMERLOKET_BLOCKED", employee_id=employee.id)
        if invitation is None:
            invitation = m.Invitation(employee_id=employee.id)
            session.add(invitation)
        elif renewable:  # its links are dead: they stop being recognised at all
            log(session, item.action_id, "INVITATION_RENEWED", employee_id=employee.id)
        invitation.action_id, invitation.email, invitation.sent_at = item.action_id, email, now
        invitation.expires_at = now + dt.timedelta(days=settings.invitation_valid_days)
        invitation.token_hash = invitation.previous_token_hash = None
        invitation.reminder_sent_at = None
        await session.flush()
        subject, body = rules.invitation_email(
            employee.name, employer_name, settings.invitation_valid_days
        )
        # Keyed by the action's item: once per person per action, and a renewal is a new one.
        key = f"mijnloket-invitation:{employee.id}:{item.id}"
        mail(session, key, employee, email, subject, body, invitation_id=invitation.id)
        log(session, item.action_id, "INVITED", employee_id=employee.id, email=email)
    if status is not m.ItemStatus.PROCESSED:
        log(session, item.action_id, status.value, employee_id=employee.id, reason=reason)
    item.status, item.reason, item.updated_at = status, reason, now
    action = await session.get(m.CollectiveAction, item.action_id)
    announce(session, action)
    return status


# Every e-mail about MijnLoket (invitation, reminder, confirmation, new username) is keyed with
# this prefix: its recipient is the person's (future) MijnLoket address (outboxEmails hides it
# from whoever may not read that address).
MAIL_KEY_PREFIX = "mijnloket-"


def is_mijnloket_mail(email: m.OutboxEmail) -> bool:
    return email.dedupe_key.startswith(MAIL_KEY_PREFIX)


def mail(
    session: AsyncSession,
    dedupe_key: str,
    employee: m.Employee,
    to: str,
    subject: str,
    body: str,
    *,
    invitation_id: int | None = None,
    recipient_user_id: int | None = None,
) -> None:
    assert dedupe_key.startswith(MAIL_KEY_PREFIX)
    session.add(
        m.OutboxEmail(
            dedupe_key=dedupe_key,
            employer_id=employee.employer_id,
            recipient_user_id=recipient_user_id,
            to_address=to,
            subject=subject,
            body=body,
            invitation_id=invitation_id,
        )
    )


async def fill_link(session: AsyncSession, email: m.OutboxEmail, base_url: str) -> str | None:
    """The body of an invitation or reminder with a newly minted link in it, as it leaves.

    The new link's hash becomes the invitation's, the one before it stays valid as well: the
    invitation and its reminder both work, and a send that is retried (the first attempt may
    or may not have arrived) leaves the last two links working. None: the invitation was used
    or expired meanwhile, so there is nothing left to send."""
    token, digest = rules.new_token()
    claimed = await _execute_update(
        session,
        update(m.Invitation)
        .where(
            m.Invitation.id == email.invitation_id,
            m.Invitation.used_at.is_(None),
            m.Invitation.expires_at > m.utcnow(),
        )
        .values(previous_token_hash=m.Invitation.token_hash, token_hash=digest)
        .execution_options(synchronize_session=False),
    )
    if claimed.rowcount != 1:
        return None
    return rules.with_link(email.body, rules.activation_link(base_url, token))


async def fail(session: AsyncSession, item_id: int, reason: str) -> None:
    item = await session.get(m.CollectiveActionItem, item_id, with_for_update=True)
    assert item is not None
    if item.status is m.ItemStatus.PENDING:
        item.status, item.reason, item.updated_at = m.ItemStatus.FAILED, reason, m.utcnow()
        log(session, item.action_id, "FAILED", employee_id=item.employee_id, reason=reason)
        announce(session, await session.get(m.CollectiveAction, item.action_id))


async def send_reminder(
    session: AsyncSession, invitation_id: int, settings: Settings, employer_name: str
) -> bool:
    """One reminder for an unused invitation, never two: the conditional update decides
    (whichever process gets there first), and the e-mail's dedupe key backs it up. The
    reminder carries a link of its own (minted as it leaves); the first one keeps working."""
    now = m.utcnow()
    claimed = await _execute_update(
        session,
        update(m.Invitation)
        .where(
            m.Invitation.id == invitation_id,
            m.Invitation.used_at.is_(None),
            m.Invitation.reminder_sent_at.is_(None),
            m.Invitation.expires_at > now,
        )
        .values(reminder_sent_at=now),
    )
    if claimed.rowcount != 1:
        return False
    invitation = await session.get(m.Invitation, invitation_id)
    assert invitation is not None  # claimed above
    employee = await session.get(m.Employee, invitation.employee_id)
    assert employee is not None
    subject, body = rules.reminder_email(employee.name, employer_name)
    key = f"mijnloket-reminder:{invitation.id}:{invitation.action_id}"  # once per invitation round
    mail(session, key, employee, invitation.email, subject, body, invitation_id=invitation.id)
    log(session, invitation.action_id, "REMINDER_SENT", employee_id=employee.id)
    if invitation.action_id is not None:
        announce(session, await session.get(m.CollectiveAction, invitation.action_id))
    return True


def reminders_due(settings: Settings) -> Select[int]:
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
