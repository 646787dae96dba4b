"""Payloads of the office's set-up: employers, departments, department managers, the addendum."""

from __future__ import annotations

import strawberry

from app.schema.errors import UserError
from app.schema.types.employer import Department, Employer
from app.schema.types.office import MijnLoketAddendum


@strawberry.type
class EmployerPayload:
    employer: Employer | None = None
    errors: list[UserError]


@strawberry.type
class DepartmentPayload:
    department: Department | None = None
    errors: list[UserError]


@strawberry.type
class SetMijnLoketAddendumPayload:
    addendum: MijnLoketAddendum | None = None
    errors: list[UserError]
