"""A few months of requests for the demo (issue 5, point 6): `loketflow demo load`.

So that process management, its filters and the Excel download are worth opening on a fresh
install, the demo employer gets about 220 requests of every type, submitted between August and
November 2026, in every status the engine can reach for them (the plan: app/demo/history_payloads).

Every request goes through the real engine, as the submit and task mutations drive it, only with
the clock set back: `carry_out`/`apply_action` take the moment (`now`), and the actors are chosen
from who is eligible for the step at that moment. Runs after `load_demo`, in its transaction.

Idempotent: each request carries its idempotency key (demo-history-0001 ...) and is skipped when
it exists. Since `load_demo` puts the employee records back to the demo values, the changes the
history applied are written again at the end, so a second load changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.definitions import current_steps, newest_version_id, save_version, version_steps
from app.db.instances import SessionReader, apply_action, assignment, carry_out, staff_at
from app.db.loaders import components_of_employers, entitlement
from app.db.principals import load_principal
from app.demo.base import EMPLOYER_NAME
from app.demo.history_payloads import (
    KEY_PREFIX,
    PROCESS_AT,
    PROCESS_PERIOD,
    Planned,
    change_for,
    claim_for,
    plan,
)
from app.domain import workflow as engine
from app.domain.assignment import EmployerStaff
from app.domain.catalogue import WorkflowType, missing_products, products_missing_error
from app.domain.changes import employee_updates
from app.domain.definitions import StepKind, default_steps
from app.domain.workflow import InstanceStatus, StepState

# Switched on (with their default configuration) by HR shortly before the history starts; the
# base demo activates the other three (app/demo/workflows.py).
ACTIVATED_AT = dt.datetime(2026, 7, 20, 9, 0, tzinfo=dt.UTC)
ACTIVATED_BY = "werkgever.hr"
HISTORY_TYPES = (
    WorkflowType.MARITAL_STATUS_UPDATE,
    WorkflowType.EMERGENCY_CONTACTS_UPDATE,
    WorkflowType.IBAN_UPDATE,
    WorkflowType.CONTRACT_EXTENSION,
    WorkflowType.EMPLOYMENT_TERMINATION,
)
# Who acts when several may: the employer side first; the office now and then (it may approve
# claims in all-users mode). kantoor.admin administers and does not handle requests.
PREFERENCE = ("manager.verkoop", "werkgever.hr", "werkgever.directie", "kantoor.salaris")
PROCESSED_BY = "kantoor.salaris"  # books claims into the payroll (PROCESS_MANAGEMENT)
MAIL_DELAY = dt.timedelta(minutes=2)  # how long the relay took, for sent_at


class _History:
    """What every request needs: the employer, its people and staff, the pinned versions."""

    def __init__(self, session: AsyncSession, employer: m.Employer):
        self.session, self.employer = session, employer
        self.users: dict[str, m.User] = {}
        self.employees: dict[int, m.Employee] = {}
        self.staff: EmployerStaff | None = None
        self.versions: dict[WorkflowType, int] = {}

    async def load(self) -> None:
        s, employer_id = self.session, self.employer.id
        self.users = {u.username: u for u in await s.scalars(select(m.User))}
        employees = await s.scalars(select(m.Employee).filter_by(employer_id=employer_id))
        self.employees = {e.employee_number: e for e in employees}
        self.staff = await staff_at(s, employer_id)
        for definition in await s.scalars(
            select(m.WorkflowDefinition).filter_by(employer_id=employer_id, active=True)
        ):
            self.versions[definition.type] = await newest_version_id(s, definition.id)

    def actor(self, row, config, index: int, employee: m.Employee) -> int:
        """An eligible user for the open step, as the task centre would offer it to them."""
        eligible = assignment(row, config, row.open_position, self.staff, employee).actors
        names = [u for u in PREFERENCE if self.users[u].id in eligible]
        assert names, f"nobody may act on {row.idempotency_key}"
        return self.users[names[-1] if index % 5 == 4 else names[0]].id

    async def submit(self, planned: Planned) -> m.WorkflowInstance:
        """What `submit` in app/db/submission.py does, at `submitted_at`."""
        s, employee = self.session, self.employees[planned.employee]
        version_id = self.versions[planned.workflow]
        config = await version_steps(s, version_id)
        change = claim = None
        if planned.workflow is WorkflowType.EXPENSE_CLAIM:
            claim = claim_for(planned, await self._components(planned, employee))
        else:
            change = change_for(planned, employee)
        at, submitter = planned.submitted_at, self.users[planned.submitter]
        asked = json.dumps([planned.workflow.value, change or claim], sort_keys=True, default=str)
        row = m.WorkflowInstance(
            employer_id=self.employer.id,
            employee_id=employee.id,
            type=planned.workflow,
            definition_version_id=version_id,
            status=InstanceStatus.IN_PROGRESS,
            submitter_id=submitter.id,
            submitted_at=at,
            updated_at=at,
            idempotency_key=planned.key,
            request_fingerprint=hashlib.sha256(asked.encode()).hexdigest(),
            change=change,
        )
        s.add(row)
        await s.flush()
        if claim is not None:
            s.add(m.ExpenseClaim(instance_id=row.id, **claim))
        steps = [
            m.InstanceStep(instance_id=row.id, position=i, kind=c.kind, state=StepState.PENDING)
            for i, c in enumerate(config, start=1)
        ]
        s.add_all(steps)
        await s.flush()
        transition = engine.start(planned.workflow, config, submitter.id)
        await carry_out(s, row, steps, config, transition, employee, submitted=True, now=at)
        return row

    async def _components(self, planned: Planned, employee: m.Employee):
        """The employee's component set, read as the employee (submitExpenseClaim does so)."""
        principal = await load_principal(self.session, planned.submitter)
        load = components_of_employers(principal, SessionReader(self.session).scalars)
        return entitlement(employee, (await load([self.employer.id]))[0]).components()

    async def drive(self, planned: Planned, row: m.WorkflowInstance, index: int) -> None:
        """Act on the request until it has the planned outcome."""
        s, employee = self.session, self.employees[planned.employee]
        config = await version_steps(s, row.definition_version_id)
        if planned.comment is not None and row.open_position is not None:
            at, text = planned.comment
            actor = self.actor(row, config, index + 1, employee)
            action = engine.Comment(row.open_position, actor, text)
            await apply_action(s, row.id, action, position=row.open_position, now=at)
        if planned.outcome is InstanceStatus.WITHDRAWN:
            action = engine.Withdraw(row.submitter_id)
            await apply_action(s, row.id, action, now=planned.decided_at)
            return
        if planned.outcome is InstanceStatus.IN_PROGRESS:
            return
        while row.open_position is not None:
            position = row.open_position
            actor = self.actor(row, config, index, employee)
            if planned.outcome is InstanceStatus.REJECTED:
                action = engine.Reject(position, actor, planned.decision)
            elif config[position - 1].kind is StepKind.APPROVAL:
                action = engine.Approve(position, actor)
            else:
                action = engine.Complete(position, actor)
            row = await apply_action(s, row.id, action, position=position, now=planned.decided_at)
        if planned.workflow is WorkflowType.EXPENSE_CLAIM and planned.outcome is (
            InstanceStatus.PROCESSED
        ):
            # As processExpenseClaims does: the engine decides, the claim records the period.
            action = engine.Process(self.users[PROCESSED_BY].id, PROCESS_PERIOD)
            await apply_action(s, row.id, action, now=PROCESS_AT)
            (await s.get(m.ExpenseClaim, row.id)).processed_period = PROCESS_PERIOD
        assert row.status is planned.outcome, (planned.key, row.status)


async def _activate(session: AsyncSession, employer_id: int, author_id: int) -> None:
    """Switch on what the base demo leaves off, as setWorkflowActive does (default steps)."""
    active = set(
        await session.scalars(
            select(m.ProductActivation.product).filter_by(employer_id=employer_id, active=True)
        )
    )
    for workflow in HISTORY_TYPES:
        if missing := missing_products(workflow, active):
            raise products_missing_error(workflow, missing)
        row = await session.scalar(
            select(m.WorkflowDefinition).filter_by(employer_id=employer_id, type=workflow)
        )
        if row is None:
            row = m.WorkflowDefinition(employer_id=employer_id, type=workflow, active=False)
            session.add(row)
            await session.flush()
        if not row.active:
            row.active, row.active_changed_at, row.active_changed_by_id = (
                True,
                ACTIVATED_AT,
                author_id,
            )
        if await current_steps(session, row.id) is None:
            version = await save_version(session, row, default_steps(workflow), author_id)
            version.created_at = ACTIVATED_AT
    await session.flush()


async def load_demo_history(session: AsyncSession) -> int:
    """Create what is missing of the demo history (after `load_demo`, in its transaction);
    returns how many history requests exist."""
    employer = await session.scalar(select(m.Employer).filter_by(name=EMPLOYER_NAME))
    author = await session.scalar(select(m.User).filter_by(username=ACTIVATED_BY))
    await _activate(session, employer.id, author.id)
    history = _History(session, employer)
    await history.load()
    history_rows = select(m.WorkflowInstance).where(
        m.WorkflowInstance.employer_id == employer.id,
        m.WorkflowInstance.idempotency_key.startswith(KEY_PREFIX),
    )
    existing = {(r.submitter_id, r.idempotency_key) for r in await session.scalars(history_rows)}
    for index, planned in enumerate(plan()):
        if (history.users[planned.submitter].id, planned.key) in existing:
            continue
        row = await history.submit(planned)
        await history.drive(planned, row, index)

    rows = list(await session.scalars(history_rows.order_by(m.WorkflowInstance.id)))
    await _mark_emails_sent(session, [r.id for r in rows])
    # load_demo has put the employee records back to the demo values: the history's applied
    # changes land again, in the order they were first applied (no employee has two of a kind).
    for row in rows:
        if row.status is InstanceStatus.PROCESSED and row.type is not WorkflowType.EXPENSE_CLAIM:
            employee = await session.get(m.Employee, row.employee_id)
            for column, value in employee_updates(row.type, row.change or {}).items():
                setattr(employee, column, value)
    await session.flush()
    return len(rows)


async def _mark_emails_sent(session: AsyncSession, instance_ids: list[int]) -> None:
    """The history's e-mails went out back then: a fresh `make run` must not send them now."""
    pending = await session.scalars(
        select(m.OutboxEmail).where(
            m.OutboxEmail.instance_id.in_(instance_ids),
            m.OutboxEmail.status == m.EmailStatus.PENDING,
        )
    )
    for email in pending:
        email.status, email.sent_at = m.EmailStatus.SENT, email.created_at + MAIL_DELAY
