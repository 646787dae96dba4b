"""The demo's workflows (API.md "Workflows active in the demo", seed 002).

- Expense claims in all-users mode: Verkoop's claims go to manager.verkoop.
- Address changes: the department manager is notified (to send flowers), then the office's
  Salarisprofessional checks the commuting allowance.
- Contact-detail changes are applied at once: a workflow with 0 steps.

Idempotent like the rest of the demo: a workflow whose current steps already are the demo's
gets no new version.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.definitions import current_steps, save_version
from app.domain.authz import UserType
from app.domain.catalogue import WorkflowType
from app.domain.definitions import Assignee, StepConfig, StepKind, default_steps


def demo_steps(salarisprofessional_role_id: int) -> dict[WorkflowType, tuple[StepConfig, ...]]:
    return {
        WorkflowType.EXPENSE_CLAIM: default_steps(WorkflowType.EXPENSE_CLAIM),
        WorkflowType.ADDRESS_UPDATE: (
            StepConfig(
                StepKind.NOTIFICATION,
                "Bloemetje sturen",
                Assignee.of_type(UserType.DEPARTMENT_MANAGER),
                send_email=True,
            ),
            StepConfig(
                StepKind.TASK,
                "Controle woon-werkvergoeding",
                Assignee.role(salarisprofessional_role_id),
                # The office checks in its task centre; only the manager gets an e-mail.
                send_email=False,
            ),
        ),
        WorkflowType.CONTACT_DETAILS_UPDATE: (),
    }


async def load_demo_workflows(
    session: AsyncSession, employer: m.Employer, author_id: int, at: dt.datetime
) -> int:
    """Create or restore the demo workflows; returns how many are active."""
    role_id = await session.scalar(
        select(m.Role.id).where(
            m.Role.provider_id == employer.provider_id, m.Role.name == "Salarisprofessional"
        )
    )
    workflows = demo_steps(role_id)
    for workflow, steps in workflows.items():
        row = await session.scalar(
            select(m.WorkflowDefinition).where(
                m.WorkflowDefinition.employer_id == employer.id,
                m.WorkflowDefinition.type == workflow,
            )
        )
        if row is None:
            row = m.WorkflowDefinition(
                employer_id=employer.id,
                type=workflow,
                active=True,
                active_changed_at=at,
                active_changed_by_id=author_id,
            )
            session.add(row)
            await session.flush()
        elif not row.active:
            row.active, row.active_changed_at, row.active_changed_by_id = True, at, author_id
        if await current_steps(session, row.id) != steps:
            version = await save_version(session, row, steps, author_id)
            version.created_at = at
    await session.flush()
    return len(workflows)
