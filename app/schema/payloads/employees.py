"""Payloads of the mutations that change an employee."""

from __future__ import annotations

import strawberry

from app.schema.errors import UserError
from app.schema.types.employee import Employee


@strawberry.type
class EmployeePayload:
    employee: Employee | None = None
    errors: list[UserError]
