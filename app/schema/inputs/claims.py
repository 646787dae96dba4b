"""Inputs of the expense claim mutations: declaring, and booking into a payroll period."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from app.domain.limits import MAX_BATCH


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


@strawberry.input
class ProcessExpenseClaimsInput:
    instance_ids: list[strawberry.ID] = strawberry.field(description=f"1 to {MAX_BATCH} claims.")
    payroll_period: str = strawberry.field(description="`YYYY-MM` or `YYYY-Pnn`; not closed.")
