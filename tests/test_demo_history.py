"""The demo history (issue 5, point 6): a few months of requests on top of the demo, driven
through the real engine with the clock set back."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import func, select

from app.db import models as m
from app.db.session import Database
from app.demo.base import load_demo
from app.demo.history import load_demo_history
from app.domain.catalogue import WorkflowType as W
from app.domain.changes import employee_updates
from app.domain.workflow import AuditKind, StepState
from app.domain.workflow import InstanceStatus as S
from tests.test_demo import snapshot

FROM = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
UNTIL = dt.datetime(2026, 11, 21, tzinfo=dt.UTC)  # through 20 November
UPDATE_OUTCOMES = {S.IN_PROGRESS, S.PROCESSED, S.WITHDRAWN}  # a task cannot be rejected
PROMISED = {
    W.EXPENSE_CLAIM: set(S),
    W.ADDRESS_UPDATE: UPDATE_OUTCOMES,
    W.MARITAL_STATUS_UPDATE: UPDATE_OUTCOMES,
    W.CONTACT_DETAILS_UPDATE: {S.PROCESSED},  # 0 steps: applied at once
    W.EMERGENCY_CONTACTS_UPDATE: UPDATE_OUTCOMES,
    W.IBAN_UPDATE: UPDATE_OUTCOMES,
    W.CONTRACT_EXTENSION: {S.IN_PROGRESS, S.REJECTED, S.PROCESSED, S.WITHDRAWN},
    W.EMPLOYMENT_TERMINATION: {S.IN_PROGRESS, S.REJECTED, S.PROCESSED, S.WITHDRAWN},
}
TASKS = "{ taskCentre { totalCount } }"
OUTBOX = """query ($id: ID!) {
  pending: outboxEmails(employerId: $id, status: PENDING) { totalCount }
  sent: outboxEmails(employerId: $id, status: SENT) { totalCount } }"""


async def load_history(db: Database, *, with_demo: bool = False) -> int:
    async with db.writer() as session:
        if with_demo:
            await load_demo(session)
        return await load_demo_history(session)


def within(moment: dt.datetime | None) -> bool:
    return moment is None or FROM <= moment < UNTIL


async def test_every_reachable_status_of_every_type_over_four_months(db: Database):
    count = await load_history(db)

    async with db.reader() as s:
        rows = list(await s.scalars(select(m.WorkflowInstance)))
        steps = list(await s.scalars(select(m.InstanceStep)))
        audit = list(await s.scalars(select(m.AuditEntry)))
        claims = {c.instance_id: c for c in await s.scalars(select(m.ExpenseClaim))}
        employees = {e.id: e for e in await s.scalars(select(m.Employee))}
        departments = {d.id: d.name for d in await s.scalars(select(m.Department))}
    assert 200 <= count == len(rows) <= 300
    assert all(r.idempotency_key.startswith("demo-history-") for r in rows)
    combinations = Counter((r.type, r.status) for r in rows)
    assert set(combinations) == {(t, s) for t, statuses in PROMISED.items() for s in statuses}
    assert len({r.employee_id for r in rows}) >= 30
    assert {departments[employees[r.employee_id].department_id] for r in rows} == {
        "Verkoop",
        "Magazijn",
        "Administratie",
        "Logistiek",
    }

    by_id = {r.id: r for r in rows}
    for r in rows:
        assert within(r.submitted_at) and within(r.updated_at) and within(r.finished_at)
        assert r.submitted_at <= r.updated_at
        assert (r.finished_at is None) == (r.status is S.IN_PROGRESS)
        assert r.finished_at is None or r.submitted_at <= r.finished_at <= r.updated_at
    for step in steps:
        submitted = by_id[step.instance_id].submitted_at
        assert within(step.opened_at) and within(step.done_at)
        assert step.opened_at is None or submitted <= step.opened_at
        assert step.done_at is None or submitted <= step.done_at
        assert None in (step.opened_at, step.done_at) or step.opened_at <= step.done_at
    for entry in audit:
        assert within(entry.at) and by_id[entry.instance_id].submitted_at <= entry.at
    assert Counter(e.kind for e in audit)[AuditKind.COMMENTED] >= 10

    for r in rows:
        rejected = [s for s in steps if s.instance_id == r.id and s.state is StepState.DONE]
        if r.status is S.REJECTED:
            assert rejected[-1].comment  # a rejection always says why
        if r.type is W.EXPENSE_CLAIM and r.status is S.PROCESSED:
            assert claims[r.id].processed_period == "2026-11"
        if r.status is S.PROCESSED and r.type is not W.EXPENSE_CLAIM:
            # The change landed on the record (each employee has at most one of each kind).
            updates = employee_updates(r.type, r.change).items()
            employee = employees[r.employee_id]
            assert all(getattr(employee, k) == v for k, v in updates), (r.type, r.change)


async def test_loading_twice_changes_nothing(db: Database):
    first_count = await load_history(db)
    first = await snapshot(db)

    # As `loketflow demo load` does: the demo (which restores the employee records), then the
    # history, in one transaction.
    assert await load_history(db, with_demo=True) == first_count
    again = await snapshot(db)
    for table in ("workflow_instances", "audit_entries", "outbox_emails", "outbox_events"):
        assert len(again[table]) == len(first[table]), table
    assert again == first


async def test_through_the_api_open_claims_and_no_mail_left_to_send(db: Database, graphql, ids):
    await load_history(db)

    async with db.reader() as s:
        verkoop = await s.scalar(select(m.Department.id).filter_by(name="Verkoop"))
        open_claims = (
            select(func.count())
            .select_from(m.WorkflowInstance)
            .join(m.Employee, m.Employee.id == m.WorkflowInstance.employee_id)
            .where(
                m.WorkflowInstance.type == W.EXPENSE_CLAIM,
                m.WorkflowInstance.status == S.IN_PROGRESS,
            )
        )
        everywhere = await s.scalar(open_claims)
        # The manager approves Verkoop's claims, except those of the employee whose claims
        # go to a deviating approver (werkgever.directie).
        expected = await s.scalar(
            open_claims.where(
                m.Employee.department_id == verkoop, m.Employee.deviating_approver_id.is_(None)
            )
        )
        emails = list(await s.scalars(select(m.OutboxEmail)))
    assert 0 < expected < everywhere
    result = await graphql(TASKS, as_user="manager.verkoop")
    assert result["data"]["taskCentre"]["totalCount"] == expected

    # The history's e-mails went out back then: nothing is left for the relay to send.
    assert len(emails) >= 50 and all(e.instance_id is not None for e in emails)
    assert all(e.status is m.EmailStatus.SENT for e in emails)
    assert all(within(e.created_at) and e.created_at <= e.sent_at < UNTIL for e in emails)
    result = await graphql(OUTBOX, {"id": await ids.employer()}, as_user="werkgever.hr")
    assert result["data"] == {"pending": {"totalCount": 0}, "sent": {"totalCount": len(emails)}}
