"""Payloads of the mutations that change an employee."""

from __future__ import annotations

import strawberry

from app.schema.errors import UserError
from app.schema.types.employee import Employee


@strawberry.type
class EmployeePayload:
    employee: Employee | None = None
    errors: list[UserError]


@strawberry.type
class UpsertEmployeePayload:
    employee: Employee | None = strawberry.field(
        default=None,
        description="As you may read it: null unless you may also view employees "
        "(VIEW_EMPLOYEES); IBAN and BSN follow their own rules.",
    )
    employee_id: strawberry.ID | None = strawberry.field(
        default=None, description="The employee's ID, also when `employee` is null."
    )
    created: bool | None = strawberry.field(
        default=None, description="True: a new employee; false: an existing one (updated or not)."
    )
    changed: bool | None = strawberry.field(
        default=None,
        description="False: the employee already had these values; nothing was written or logged.",
    )
    changed_fields: list[str] | None = strawberry.field(
        default=None,
        description="The input fields whose value changed (for a new employee: those it got), "
        'e.g. ["iban", "address"].',
    )
    errors: list[UserError]
