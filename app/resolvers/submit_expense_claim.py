from __future__ import annotations

from decimal import Decimal

import strawberry
from sqlalchemy import select

from app.db import models as m
from app.db.scoping import restrict
from app.domain import validation
from app.domain.catalogue import WorkflowType
from app.domain.components import Component, Entitlement, declarable
from app.resolvers.common import input_pk
from app.resolvers.submit_request import Request, SubmitRequestPayload, submit

DESCRIPTION_MAX = 500


@strawberry.input
class SubmitExpenseClaimInput:
    component_id: strawberry.ID
    value: Decimal = strawberry.field(
        description="Euros for euro components, else kilometres, hours or days (max. 2 decimals)."
    )
    payroll_period: str | None = strawberry.field(
        default=None, description="`YYYY-MM` (monthly) or `YYYY-Pnn` (4-weekly); not closed."
    )
    description: str | None = None
    employee_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only needed when you have several employments."
    )
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Retrying with the same key returns the first request, creating nothing new.",
    )


async def entitlement_of(session, principal, employee: m.Employee) -> Entitlement:
    """The employee's own deviating set, else the employer's default set (DOMAIN.md §8)."""
    sets = restrict(
        select(m.ComponentSet).where(m.ComponentSet.employer_id == employee.employer_id),
        principal,
        m.ComponentSet,
    )
    by_id = {s.id: s for s in await session.scalars(sets)}
    default = next((s.id for s in by_id.values() if s.is_default), None)
    wanted = {i for i in (default, employee.component_set_id) if i is not None}
    rows = await session.scalars(
        restrict(select(m.Component).where(m.Component.set_id.in_(wanted)), principal, m.Component)
    )
    members: dict[int, list[Component]] = {i: [] for i in wanted}
    for r in rows:
        members[r.set_id].append(Component(r.id, r.name, r.unit, r.rate, r.label))
    return Entitlement(
        excluded=employee.excluded_from_declaring,
        deviating_set=members.get(employee.component_set_id) if employee.component_set_id else None,
        default_set=members.get(default) if default else None,
    )


async def submit_expense_claim(
    info: strawberry.Info, input: SubmitExpenseClaimInput
) -> SubmitRequestPayload:
    """Declare expenses (Declaratie medewerker) as the signed-in employee. The component must be
    in your component set; the payroll period, if given, must be open."""

    async def build(session, employee: m.Employee) -> Request:
        principal = info.context.principal
        component_pk = input_pk(input.component_id, "Component", "componentId")
        component = declarable(await entitlement_of(session, principal, employee), component_pk)
        value = validation.expense_value(input.value, component.unit)
        period = None
        if input.payroll_period is not None:
            parsed = validation.payroll_period(input.payroll_period)
            closed = await session.scalars(
                select(m.ClosedPayrollPeriod.period).where(
                    m.ClosedPayrollPeriod.employer_id == employee.employer_id
                )
            )
            closed_periods = {validation.payroll_period(p) for p in closed}
            period = str(validation.ensure_period_open(parsed, closed_periods))
        description = (
            validation.required_text(input.description, "description", DESCRIPTION_MAX)
            if input.description and input.description.strip()
            else None
        )
        return Request(
            claim={
                "component_id": component.id,
                "value": value,
                "amount": component.amount(value),
                "payroll_period": period,
                "description": description,
            }
        )

    return await submit(
        info,
        WorkflowType.EXPENSE_CLAIM,
        input=input,
        build=build,
    )
