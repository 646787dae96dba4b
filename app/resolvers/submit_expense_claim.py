"""Declaring expenses (Declaratie medewerker, DOMAIN.md section 8) as the signed-in employee."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import strawberry

from app.db import claims, submission
from app.db import models as m
from app.db.payroll import open_period
from app.db.session import Session
from app.domain import validation
from app.domain.authz import Principal
from app.domain.catalogue import WorkflowType
from app.domain.components import declarable
from app.domain.submission import Request
from app.schema.ids import input_pk
from app.schema.inputs.claims import SubmitExpenseClaimInput
from app.schema.payloads.requests import SubmitRequestPayload, request_fields
from app.schema.runner import mutate

DESCRIPTION_MAX = 500


@dataclass(frozen=True)
class SubmitExpenseClaim:
    """The fields of its input, named alike: the request's fingerprint is taken of them."""

    component_id: str
    value: Decimal
    payroll_period: str | None = None
    description: str | None = None
    employee_id: str | None = None
    idempotency_key: str | None = None


async def submit_expense_claim(
    session: Session, principal: Principal, command: SubmitExpenseClaim
) -> int:
    async def build(session: Session, employee: m.Employee) -> Request:
        component_pk = input_pk(command.component_id, "Component", "componentId")
        entitled = await claims.entitlement_of(session, principal, employee)
        component = declarable(entitled, component_pk)
        value = validation.expense_value(command.value, component.unit)
        period = None
        if command.payroll_period is not None:
            parsed = await open_period(session, employee.employer_id, command.payroll_period)
            period = str(parsed)
        description = (
            validation.required_text(command.description, "description", DESCRIPTION_MAX)
            if command.description and command.description.strip()
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

    def employee_pk() -> int | None:
        if command.employee_id is None:
            return None
        return input_pk(command.employee_id, "Employee", "employeeId")

    return await submission.submit(
        session,
        principal,
        WorkflowType.EXPENSE_CLAIM,
        command,
        employee_pk=employee_pk,
        build=build,
    )


async def resolve_submit_expense_claim(
    info: strawberry.Info, input: SubmitExpenseClaimInput
) -> SubmitRequestPayload:
    """Declare expenses (Declaratie medewerker) as the signed-in employee. The component must be
    in your component set; the payroll period, if given, must be open."""
    command = SubmitExpenseClaim(
        component_id=input.component_id,
        value=input.value,
        payroll_period=input.payroll_period,
        description=input.description,
        employee_id=input.employee_id,
        idempotency_key=input.idempotency_key,
    )
    return await mutate(
        info, submit_expense_claim, command, SubmitRequestPayload, request_fields(info)
    )
