"""Management actions started in Loket by an employer user (DOMAIN.md section 3): contract
extension and end of employment. Decision: whoever may view the employee (VIEW_EMPLOYEES; a
department manager for its own departments) may start one, never for its own employment."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.domain import changes
from app.domain.catalogue import WorkflowType
from app.resolvers.submit_request import Request, SubmitRequestPayload, submit

_KEY = strawberry.field(
    default=None,
    description="Retrying with the same key returns the first request, creating nothing new.",
)


@strawberry.input
class SubmitContractExtensionInput:
    employee_id: strawberry.ID
    new_contract_end: dt.date = strawberry.field(description="After the current end date.")
    idempotency_key: str | None = _KEY


async def submit_contract_extension(
    info: strawberry.Info, input: SubmitContractExtensionInput
) -> SubmitRequestPayload:
    """Extend an employee's fixed-term contract (Contract verlengen)."""

    async def build(session, employee) -> Request:
        return Request(
            change=changes.contract_extension(
                input.new_contract_end, employee.employment_start, employee.contract_end
            )
        )

    return await submit(
        info,
        WorkflowType.CONTRACT_EXTENSION,
        input=input,
        build=build,
    )


@strawberry.input
class SubmitEmploymentTerminationInput:
    employee_id: strawberry.ID
    end_date: dt.date = strawberry.field(description="Not before the employment started.")
    reason: str | None = None
    idempotency_key: str | None = _KEY


async def submit_employment_termination(
    info: strawberry.Info, input: SubmitEmploymentTerminationInput
) -> SubmitRequestPayload:
    """End an employee's employment (Dienstverband beëindigen)."""

    async def build(session, employee) -> Request:
        return Request(
            change=changes.employment_termination(
                input.end_date, employee.employment_start, input.reason, employee.employment_end
            )
        )

    return await submit(
        info,
        WorkflowType.EMPLOYMENT_TERMINATION,
        input=input,
        build=build,
    )
