"""Payloads of booking expense claims: one result per claim."""

from __future__ import annotations

import strawberry

from app.schema.errors import UserError
from app.schema.types.request import WorkflowInstance


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
