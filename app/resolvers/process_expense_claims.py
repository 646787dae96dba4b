"""Booking approved expense claims into a payroll period (DOMAIN.md section 5): COMPLETED
claims become PROCESSED. Decision: this needs PROCESS_MANAGEMENT at the claim's employer and is
not for department managers (booking into the payroll is the office's or employer's work)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import strawberry

from app.db import claims
from app.db import models as m
from app.db.instances import apply_action
from app.db.lookup import visible
from app.db.payroll import open_period
from app.db.session import Session
from app.domain import limits, validation
from app.domain import workflow as engine
from app.domain.authz import Principal
from app.domain.errors import DomainError, ErrorCode
from app.domain.limits import MAX_BATCH
from app.schema.ids import input_pk
from app.schema.inputs.claims import ProcessExpenseClaimsInput
from app.schema.payloads.claims import ClaimResult, ProcessExpenseClaimsPayload
from app.schema.payloads.requests import request_fields
from app.schema.permissions import PROCESS_EACH_CLAIM
from app.schema.runner import failed, mutate


@dataclass(frozen=True)
class ProcessExpenseClaim:
    instance_id: str
    payroll_period: str


async def process_expense_claim(
    session: Session, principal: Principal, command: ProcessExpenseClaim
) -> int:
    """Book one claim; its request's id."""
    pk = input_pk(command.instance_id, "WorkflowInstance", "instanceIds")
    found = await visible(session, principal, m.WorkflowInstance, pk, "instanceIds")
    if not PROCESS_EACH_CLAIM.allows(principal, found.employer_id):
        raise DomainError(ErrorCode.NOT_ALLOWED, PROCESS_EACH_CLAIM.refusal, ["instanceIds"])
    period = await open_period(session, found.employer_id, command.payroll_period, "payrollPeriod")
    await apply_action(session, found.id, engine.Process(principal.user_id, str(period)))
    await claims.mark_processed(session, found.id, str(period))
    return found.id


async def resolve_process_expense_claims(
    info: strawberry.Info, input: ProcessExpenseClaimsInput
) -> ProcessExpenseClaimsPayload:
    """Book approved (COMPLETED) expense claims into a payroll period; they become PROCESSED.
    Each claim is its own transaction with its own result."""
    ids = list(dict.fromkeys(input.instance_ids))
    try:
        limits.choose(len(ids), MAX_BATCH, "declaraties", "instanceIds")
        validation.payroll_period(input.payroll_period)
    except DomainError as error:
        return failed(partial(ProcessExpenseClaimsPayload, results=[], processed_count=0), error)

    results = [
        await mutate(
            info,
            process_expense_claim,
            ProcessExpenseClaim(instance_id=i, payroll_period=input.payroll_period),
            partial(ClaimResult, instance_id=i),
            request_fields(info),
        )
        for i in ids
    ]
    done = sum(1 for r in results if not r.errors)
    return ProcessExpenseClaimsPayload(results=results, processed_count=done, errors=[])
