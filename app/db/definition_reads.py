"""Reads of the workflow editor as the `WorkflowDefinition` type shows it."""

from __future__ import annotations

from sqlalchemy import select

from app.db import models as m
from app.db.reads import Reader
from app.db.scoping import EDITOR_RIGHTS, employers_where, restrict
from app.domain.authz import Principal, Right


async def editable_employer(
    reader: Reader, principal: Principal, employer_id: int
) -> m.Employer | None:
    """The employer, if the principal may read its workflow editor."""
    where = employers_where(principal, EDITOR_RIGHTS)
    employer: m.Employer | None = await reader.scalar(
        select(m.Employer).where(m.Employer.id == employer_id, where(m.Employer.id))
    )
    return employer


async def request_subject(
    reader: Reader, principal: Principal | None, employee_id: int, employer_id: int
) -> m.Employee | None:
    """An employee of the employer, whom the principal may see as an employee or as an editor
    (the subject of a request the editor counts e-mails for)."""
    employee: m.Employee | None = await reader.scalar(
        restrict(
            select(m.Employee).where(
                m.Employee.id == employee_id, m.Employee.employer_id == employer_id
            ),
            principal,
            m.Employee,
            right=(Right.VIEW_EMPLOYEES, *EDITOR_RIGHTS),
        )
    )
    return employee
