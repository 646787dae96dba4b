"""Payloads of the role mutations: roles of the office, and their links to users."""

from __future__ import annotations

import strawberry

from app.schema.errors import UserError
from app.schema.types.user import Role, RoleLink


@strawberry.type
class RolePayload:
    role: Role | None = None
    errors: list[UserError]


@strawberry.type
class DeleteRolePayload:
    deleted_role_id: strawberry.ID | None = None
    errors: list[UserError]


@strawberry.type
class RoleLinkPayload:
    role_link: RoleLink | None = None
    errors: list[UserError]


@strawberry.type
class UnlinkRolePayload:
    unlinked_role_link_id: strawberry.ID | None = None
    errors: list[UserError]
