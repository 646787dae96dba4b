"""The facts the in-memory visibility rule (`app/domain/visibility.py`) needs about requests.

A system read, not a read on behalf of a caller: the live-update fan-out reads each changed
request once and then applies `may_see_request` per subscriber, so nothing here is scoped and
nothing read here may reach a client without that check. Batched: a fixed number of queries
whatever the number of requests (their employees and employers in one, their audit actors in
one, the open steps' configurations per definition version and the staff per employer once).
Who may act on an open step is resolved by the domain's assignment rules, exactly as acting on
it does (`app/db/instances.assignment`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.instances import SessionReader, assignment
from app.db.queries.definitions import step_config
from app.db.queries.staff import staff_of_employers
from app.domain.definitions import AssigneeKind, StepConfig
from app.domain.visibility import RequestFacts


async def _steps_of_versions(
    session: AsyncSession, version_ids: set[int]
) -> dict[int, tuple[StepConfig, ...]]:
    """The steps of each definition version, in order (`definitions.version_steps`, batched)."""
    if not version_ids:
        return {}
    rows = list(
        await session.scalars(
            select(m.WorkflowStep)
            .where(m.WorkflowStep.version_id.in_(sorted(version_ids)))
            .order_by(m.WorkflowStep.version_id, m.WorkflowStep.position)
        )
    )
    chosen = [r.id for r in rows if r.assignee_kind is AssigneeKind.USERS]
    users: dict[int, list[int]] = {}
    if chosen:
        for step_id, user_id in await session.execute(
            select(m.WorkflowStepUser.step_id, m.WorkflowStepUser.user_id).where(
                m.WorkflowStepUser.step_id.in_(chosen)
            )
        ):
            users.setdefault(step_id, []).append(user_id)
    steps: dict[int, list[StepConfig]] = {}
    for row in rows:
        steps.setdefault(row.version_id, []).append(step_config(row, users.get(row.id, [])))
    return {version_id: tuple(configs) for version_id, configs in steps.items()}


async def load_request_facts(
    session: AsyncSession, instance_ids: Iterable[int]
) -> dict[int, tuple[m.WorkflowInstance, RequestFacts]]:
    """Each existing request among `instance_ids` with its facts, as the database has them now
    (re-read even when the session holds the rows: a stale department or step would decide
    visibility wrongly). Ids of requests that do not exist are left out."""
    wanted = sorted(set(instance_ids))
    if not wanted:
        return {}
    found = (
        await session.execute(
            select(m.WorkflowInstance, m.Employee, m.Employer.provider_id)
            .join(m.Employee, m.Employee.id == m.WorkflowInstance.employee_id)
            .join(m.Employer, m.Employer.id == m.WorkflowInstance.employer_id)
            .where(m.WorkflowInstance.id.in_(wanted))
            .execution_options(populate_existing=True)
        )
    ).all()
    audit_actors: dict[int, set[int]] = {}
    for instance_id, actor_id in await session.execute(
        select(m.AuditEntry.instance_id, m.AuditEntry.actor_id)
        .where(m.AuditEntry.instance_id.in_(wanted), m.AuditEntry.actor_id.is_not(None))
        .distinct()
    ):
        if actor_id is not None:  # always (the query says so): for the type checker
            audit_actors.setdefault(instance_id, set()).add(actor_id)

    waiting = [(row, employee) for row, employee, _ in found if row.open_position is not None]
    configs = await _steps_of_versions(session, {row.definition_version_id for row, _ in waiting})
    employer_ids = sorted({row.employer_id for row, _ in waiting})
    staff = dict(
        zip(
            employer_ids,
            await staff_of_employers(SessionReader(session))(employer_ids) if employer_ids else [],
            strict=True,
        )
    )
    actors: dict[int, frozenset[int]] = {}
    for row, employee in waiting:
        config = configs.get(row.definition_version_id, ())
        position = row.open_position
        assert position is not None  # `waiting`: an open step
        if position <= len(config):
            who = assignment(row, config, position, staff[row.employer_id], employee)
            actors[row.id] = who.actors

    return {
        row.id: (
            row,
            RequestFacts(
                instance_id=row.id,
                employer_id=row.employer_id,
                employer_provider_id=provider_id,
                submitter_id=row.submitter_id,
                employee_id=employee.id,
                employee_person_id=employee.person_id,
                employee_department_id=employee.department_id,
                actors=actors.get(row.id, frozenset()),
                audit_actors=frozenset(audit_actors.get(row.id, ())),
            ),
        )
        for row, employee, provider_id in found
    }
