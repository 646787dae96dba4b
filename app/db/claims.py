"""Reads and writes of expense claims for their use cases: declaring (submitExpenseClaim) and
booking into a payroll period (processExpenseClaims)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.instances import SessionReader
from app.db.loaders import components_of_employers, entitlement
from app.domain.authz import Principal
from app.domain.components import Entitlement


async def entitlement_of(
    session: AsyncSession, principal: Principal, employee: m.Employee
) -> Entitlement:
    """The employee's own deviating set, else the employer's default set (DOMAIN.md §8), as
    the principal may see the component sets."""
    load = components_of_employers(principal, SessionReader(session).scalars)
    return entitlement(employee, (await load([employee.employer_id]))[0])


async def mark_processed(session: AsyncSession, instance_id: int, period: str) -> None:
    """The claim of request `instance_id` was booked into payroll period `period`."""
    claim = await session.get(m.ExpenseClaim, instance_id)
    assert claim is not None, "every expense claim request has its claim"
    claim.processed_period = period
