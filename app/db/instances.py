"""Carrying out what the step engine decides, inside the caller's write transaction.

`app/domain/workflow.py` decides and `app/domain/outcome.py` says what that writes (audit entries,
step e-mails with their recipients, the change on the employee record, the event for live views);
this module loads an instance into the engine's plain objects, with today's staff, and writes
that outcome as rows, deciding nothing itself. Everything happens in the session it is given,
so it commits or rolls back with the mutation: an e-mail is never queued for a change that did not
commit (DOMAIN.md section 5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db import outbox
from app.db.definitions import version_steps
from app.db.queries.staff import staff_of_employers
from app.domain import emails
from app.domain.assignment import Assignment, EmployerStaff, RequestSubject, resolve
from app.domain.catalogue import WORKFLOW_TYPES
from app.domain.changes import employee_updates, still_applicable
from app.domain.definitions import StepConfig, approval_mode
from app.domain.events import Change
from app.domain.outcome import Assignments, Outcome, StepEmail, needs_assignees, outcome
from app.domain.workflow import (
    Action,
    ApplyChange,
    Audit,
    AuditKind,
    Instance,
    StepProgress,
    StepState,
    Transition,
    act,
)


class SessionReader:
    """The read helpers the batch queries expect, on a write session."""

    def __init__(self, session: AsyncSession):
        self.session = session

    async def scalars(self, stmt: Select[*tuple[Any, ...]]) -> list[Any]:
        return list(await self.session.scalars(stmt))

    async def scalar(self, stmt: Select[*tuple[Any, ...]]) -> Any:
        return await self.session.scalar(stmt)

    async def rows(self, stmt: Select[*tuple[Any, ...]]) -> list[Any]:
        return list(await self.session.execute(stmt))


async def staff_at(session: AsyncSession, employer_id: int) -> EmployerStaff:
    return (await staff_of_employers(SessionReader(session))([employer_id]))[0]


def subject_of(employee: m.Employee, row: m.WorkflowInstance) -> RequestSubject:
    return RequestSubject(
        department_id=employee.department_id,
        person_id=employee.person_id,
        deviating_approver_id=employee.deviating_approver_id,
        submitter_id=row.submitter_id,
    )


def assignment(
    row: m.WorkflowInstance,
    config: Sequence[StepConfig],
    position: int,
    staff: EmployerStaff,
    employee: m.Employee,
) -> Assignment:
    """Who may act on (or is told of) step `position` right now."""
    mode = approval_mode(row.type, config)
    return resolve(config[position - 1], staff, subject_of(employee, row), mode=mode)


def to_domain(row: m.WorkflowInstance, steps: Sequence[m.InstanceStep]) -> Instance:
    return Instance(
        workflow=row.type,
        submitter_id=row.submitter_id,
        status=row.status,
        steps=tuple(
            StepProgress(s.position, s.state, s.action, s.actor_id, s.comment)
            for s in sorted(steps, key=lambda s: s.position)
        ),
    )


async def locked_instance(
    session: AsyncSession, instance_id: int
) -> tuple[m.WorkflowInstance, list[m.InstanceStep], m.Employee, tuple[StepConfig, ...]]:
    """The instance, its steps, its employee and its pinned steps, read after locking the row
    (populate_existing: what an earlier read of this session cached must not count)."""
    row = await session.scalar(
        select(m.WorkflowInstance)
        .where(m.WorkflowInstance.id == instance_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    steps = list(
        await session.scalars(
            select(m.InstanceStep)
            .where(m.InstanceStep.instance_id == instance_id)
            .order_by(m.InstanceStep.position)
            .execution_options(populate_existing=True)
        )
    )
    assert row is not None  # the caller knows the request exists
    employee = await session.get(m.Employee, row.employee_id, populate_existing=True)
    assert employee is not None
    config = await version_steps(session, row.definition_version_id)
    return row, steps, employee, config


async def assignments(
    session: AsyncSession,
    row: m.WorkflowInstance,
    instance: Instance,
    config: Sequence[StepConfig],
    employee: m.Employee,
    *,
    needed: bool = True,
) -> Assignments:
    """Who may act on each step of this request, from today's users and role links (read only
    when `needed`)."""
    staff = await staff_at(session, row.employer_id) if needed else None
    return Assignments(instance, config, staff, subject_of(employee, row))


async def apply_action(
    session: AsyncSession,
    instance_id: int,
    action: Action,
    *,
    position: int | None = None,
    now: dt.datetime | None = None,
) -> m.WorkflowInstance:
    """Lock the instance, let the engine decide on `action` and write the outcome. Acting on the
    step at `position`: who may act is resolved now, from today's users and role links.
    `now`: when it happened (the clock unless given: the demo history writes the past)."""
    row, steps, employee, config = await locked_instance(session, instance_id)
    before = to_domain(row, steps)
    # An open step: who may act on it is asked (by the action, by the event). Without one the
    # staff is read only if the outcome asks (e.g. not to book a claim into the payroll).
    who = None
    eligible: frozenset[int] = frozenset()
    if row.open_position is not None:
        who = await assignments(session, row, before, config, employee)
        if position == row.open_position:
            eligible = who(row.open_position).actors
    transition = act(before, config, action, eligible=eligible)
    if who is None:
        needed = needs_assignees(before, transition)
        who = await assignments(session, row, before, config, employee, needed=needed)
    await write_outcome(session, row, steps, employee, outcome(before, transition, who), now=now)
    return row


async def carry_out(
    session: AsyncSession,
    row: m.WorkflowInstance,
    step_rows: Sequence[m.InstanceStep],
    config: Sequence[StepConfig],
    transition: Transition,
    employee: m.Employee,
    *,
    submitted: bool = False,
    now: dt.datetime | None = None,
) -> None:
    """Write what `transition` of this request decides (`submitted`: it was just started).
    `row` must have been read in this transaction (locked); its `lock_version` guards against
    a concurrent writer all the same."""
    before = None if submitted else to_domain(row, step_rows)
    needed = needs_assignees(before, transition)
    who = await assignments(session, row, transition.instance, config, employee, needed=needed)
    await write_outcome(
        session, row, step_rows, employee, outcome(before, transition, who), now=now
    )


async def write_outcome(
    session: AsyncSession,
    row: m.WorkflowInstance,
    step_rows: Sequence[m.InstanceStep],
    employee: m.Employee,
    decided: Outcome,
    *,
    now: dt.datetime | None = None,
) -> None:
    """Write what the domain decided (app/domain/outcome.py), every time as `now` (default:
    the clock)."""
    now = now or m.utcnow()
    if decided.moved:
        _write_state(row, step_rows, decided.instance, now)
    for write in decided.writes:
        if isinstance(write, Audit):
            session.add(_audit(row, write, now))
        elif isinstance(write, StepEmail):
            await _queue_emails(session, row, write, employee, now)
        elif isinstance(write, ApplyChange):
            # Re-read under a lock: the record may have changed since the request was made.
            await session.refresh(employee, with_for_update=True)
            still_applicable(
                row.type, row.change or {}, employee.contract_end, employee.employment_end
            )
            for column, value in employee_updates(row.type, row.change or {}).items():
                setattr(employee, column, value)
    if decided.event is not None:
        kind, change = decided.event
        outbox.record(
            session,
            Change(
                kind,
                employer_id=row.employer_id,
                department_id=employee.department_id,
                instance_id=row.id,
                payload=change,
                at=now,
            ),
        )
    await session.flush()


def _write_state(
    row: m.WorkflowInstance,
    step_rows: Sequence[m.InstanceStep],
    new: Instance,
    now: dt.datetime,
) -> None:
    by_position = {s.position: s for s in step_rows}
    for progress in new.steps:
        step = by_position[progress.position]
        if step.state is not progress.state:
            if progress.state is StepState.OPEN:
                step.opened_at = now
            elif progress.state is StepState.DONE:
                step.done_at = now
        step.state, step.action = progress.state, progress.action
        step.actor_id, step.comment = progress.actor_id, progress.comment
    status_before = row.status
    row.status = new.status
    open_step = new.open_step
    row.open_position = open_step.position if open_step else None
    row.updated_at = now
    if new.status is not status_before and row.finished_at is None and row.open_position is None:
        row.finished_at = now


def _audit(row: m.WorkflowInstance, effect: Audit, now: dt.datetime) -> m.AuditEntry:
    return m.AuditEntry(
        instance_id=row.id,
        kind=effect.kind,
        position=effect.position,
        actor_id=effect.actor_id,
        comment=effect.comment,
        at=now,
    )


async def _queue_emails(
    session: AsyncSession,
    row: m.WorkflowInstance,
    email: StepEmail,
    employee: m.Employee,
    now: dt.datetime,
) -> None:
    if not email.who.email_to:
        return
    users = list(
        await session.scalars(
            select(m.User).where(
                m.User.id.in_(sorted(email.who.email_to)), m.User.email.is_not(None)
            )
        )
    )
    info = WORKFLOW_TYPES[row.type]
    session.add(
        m.AuditEntry(
            instance_id=row.id,
            kind=AuditKind.EMAIL_QUEUED,
            position=email.position,
            comment=f"{len(users)} e-mail(s)",
            at=now,
        )
    )
    for user in users:
        subject, body = emails.step_email(
            email.step.kind, email.step.name, info.display_name, employee.name, user.display_name
        )
        session.add(
            m.OutboxEmail(
                # One e-mail per instance, step and recipient: a step opens once per instance.
                dedupe_key=f"instance:{row.id}:step:{email.position}:user:{user.id}",
                employer_id=row.employer_id,
                instance_id=row.id,
                recipient_user_id=user.id,
                to_address=user.email,
                subject=subject,
                body=body,
                created_at=now,
                next_attempt_at=now,
            )
        )
