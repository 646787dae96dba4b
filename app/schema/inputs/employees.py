"""Inputs of the mutations that configure one employee's workflows."""

from __future__ import annotations

import strawberry


@strawberry.input
class SetDeviatingApproverInput:
    employee_id: strawberry.ID
    user_id: strawberry.ID | None = strawberry.field(
        default=None, description="Null removes the deviating approver."
    )
