"""Payloads of the right mutations."""

from __future__ import annotations

import strawberry

from app.schema.errors import UserError
from app.schema.types.user import User


@strawberry.type
class UserPayload:
    user: User | None = None
    errors: list[UserError]
