from __future__ import annotations

from decimal import Decimal

import strawberry

from app.db import models as m
from app.db.instances import SessionReader
from app.db.loaders import components_of_employers, entitlement
from app.db.payroll import open_period
from app.domain import validation
from app.domain.catalogue import WorkflowType
from app.domain.components import Entitlement, declarable
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
    load = components_of_employers(principal, SessionReader(session).scalars)
    return entitlement(employee, (await load([employee.employer_id]))[0])


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
            parsed = await open_period(session, employee.employer_id, input.payroll_period)
            period = str(parsed)
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
