"""Booking approved expense claims into a payroll period (DOMAIN.md section 5): COMPLETED
claims become PROCESSED. Decision: this needs PROCESS_MANAGEMENT at the claim's employer and is
not for department managers (booking into the payroll is the office's or employer's work)."""

from __future__ import annotations

import strawberry

from app.db import models as m
from app.db.instances import apply_action
from app.db.payroll import open_period
from app.domain import validation
from app.domain import workflow as engine
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.common import get_visible, input_pk, write
from app.schema.errors import UserError
from app.schema.permissions import PROCESS_EACH_CLAIM
from app.schema.types.request import WorkflowInstance

MAX_BATCH = 500


@strawberry.input
class ProcessExpenseClaimsInput:
    instance_ids: list[strawberry.ID] = strawberry.field(description=f"1 to {MAX_BATCH} claims.")
    payroll_period: str = strawberry.field(description="`YYYY-MM` or `YYYY-Pnn`; not closed.")


@strawberry.type
class ClaimResult:
    instance_id: strawberry.ID
    instance: WorkflowInstance | None = None
    errors: list[UserError]


@strawberry.type
class ProcessExpenseClaimsPayload:
    results: list[ClaimResult]
    processed_count: int
    errors: list[UserError]


async def _process_one(info, instance_id: str, period_text: str) -> ClaimResult:
    async def apply(session, principal) -> int:
        pk = input_pk(instance_id, "WorkflowInstance", "instanceIds")
        found = await get_visible(session, principal, m.WorkflowInstance, pk, "instanceIds")
        if not PROCESS_EACH_CLAIM.allows(principal, found.employer_id):
            raise DomainError(ErrorCode.NOT_ALLOWED, PROCESS_EACH_CLAIM.refusal, ["instanceIds"])
        period = await open_period(session, found.employer_id, period_text, "payrollPeriod")
        await apply_action(session, found.id, engine.Process(principal.user_id, str(period)))
        claim = await session.get(m.ExpenseClaim, found.id)
        claim.processed_period = str(period)
        return found.id

    try:
        pk = await write(info, apply)
    except DomainError as error:
        return ClaimResult(instance_id=instance_id, errors=[UserError.of(error)])
    instance = await info.context.loaders.instance.load(pk)
    return ClaimResult(instance_id=instance_id, instance=instance, errors=[])


async def process_expense_claims(
    info: strawberry.Info, input: ProcessExpenseClaimsInput
) -> ProcessExpenseClaimsPayload:
    """Book approved (COMPLETED) expense claims into a payroll period; they become PROCESSED.
    Each claim is its own transaction with its own result."""
    ids = list(dict.fromkeys(input.instance_ids))
    try:
        if not 1 <= len(ids) <= MAX_BATCH:
            raise DomainError(
                ErrorCode.INVALID_VALUE, f"Kies 1 tot {MAX_BATCH} declaraties.", ["instanceIds"]
            )
        validation.payroll_period(input.payroll_period)
    except DomainError as error:
        return ProcessExpenseClaimsPayload(
            results=[], processed_count=0, errors=[UserError.of(error)]
        )
    results = [await _process_one(info, i, input.payroll_period) for i in ids]
    done = sum(1 for r in results if not r.errors)
    return ProcessExpenseClaimsPayload(results=results, processed_count=done, errors=[])
