"""Management actions started in Loket by an employer user (DOMAIN.md section 3): contract
extension and end of employment. Decision: whoever may view the employee (VIEW_EMPLOYEES; a
department manager for its own departments) may start one, never for its own employment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import strawberry

from app.db import submission
from app.db.session import Session
from app.domain import changes
from app.domain.authz import Principal
from app.domain.catalogue import WorkflowType
from app.domain.submission import Request
from app.schema.ids import input_pk
from app.schema.inputs.requests import (
    SubmitContractExtensionInput,
    SubmitEmploymentTerminationInput,
)
from app.schema.payloads.requests import SubmitRequestPayload, request_fields
from app.schema.runner import mutate

# Each command has the fields of its input, named alike: a request's fingerprint (the
# idempotency check, app/domain/submission.py) is taken of them.


@dataclass(frozen=True)
class SubmitContractExtension:
    employee_id: str
    new_contract_end: dt.date
    idempotency_key: str | None = None


@dataclass(frozen=True)
class SubmitEmploymentTermination:
    employee_id: str
    end_date: dt.date
    reason: str | None = None
    idempotency_key: str | None = None


async def submit_contract_extension(
    session: Session, principal: Principal, command: SubmitContractExtension
) -> int:
    async def build(_session, employee) -> Request:
        return Request(
            change=changes.contract_extension(
                command.new_contract_end, employee.employment_start, employee.contract_end
            )
        )

    return await submission.submit(
        session,
        principal,
        WorkflowType.CONTRACT_EXTENSION,
        command,
        employee_pk=lambda: input_pk(command.employee_id, "Employee", "employeeId"),
        build=build,
    )


async def submit_employment_termination(
    session: Session, principal: Principal, command: SubmitEmploymentTermination
) -> int:
    async def build(_session, employee) -> Request:
        return Request(
            change=changes.employment_termination(
                command.end_date, employee.employment_start, command.reason, employee.employment_end
            )
        )

    return await submission.submit(
        session,
        principal,
        WorkflowType.EMPLOYMENT_TERMINATION,
        command,
        employee_pk=lambda: input_pk(command.employee_id, "Employee", "employeeId"),
        build=build,
    )


async def resolve_submit_contract_extension(
    info: strawberry.Info, input: SubmitContractExtensionInput
) -> SubmitRequestPayload:
    """Extend an employee's fixed-term contract (Contract verlengen)."""
    command = SubmitContractExtension(
        employee_id=input.employee_id,
        new_contract_end=input.new_contract_end,
        idempotency_key=input.idempotency_key,
    )
    return await mutate(
        info, submit_contract_extension, command, SubmitRequestPayload, request_fields(info)
    )


async def resolve_submit_employment_termination(
    info: strawberry.Info, input: SubmitEmploymentTerminationInput
) -> SubmitRequestPayload:
    """End an employee's employment (Dienstverband beëindigen)."""
    command = SubmitEmploymentTermination(
        employee_id=input.employee_id,
        end_date=input.end_date,
        reason=input.reason,
        idempotency_key=input.idempotency_key,
    )
    return await mutate(
        info, submit_employment_termination, command, SubmitRequestPayload, request_fields(info)
    )
