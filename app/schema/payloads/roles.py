"""Payloads of the role mutations."""

from __future__ import annotations

import strawberry

from app.schema.errors import UserError
from app.schema.types.user import Role


@strawberry.type
class RolePayload:
    role: Role | None = None
    errors: list[UserError]


@strawberry.type
class DeleteRolePayload:
    deleted_role_id: strawberry.ID | None = None
    errors: list[UserError]
