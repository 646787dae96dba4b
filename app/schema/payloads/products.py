"""Payloads of the product mutations."""

from __future__ import annotations

import strawberry

from app.schema.errors import UserError
from app.schema.types.employer import Employer


@strawberry.type
class SetProductActivePayload:
    employer: Employer | None = None
    errors: list[UserError]
