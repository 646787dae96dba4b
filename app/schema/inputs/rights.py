"""Inputs of the right mutations: granting and revoking a user's rights."""

from __future__ import annotations

import strawberry

from app.schema.enums import Right


@strawberry.input(description="No `employerId`: the right is granted at provider level.")
class GrantRightInput:
    user_id: strawberry.ID
    right: Right
    employer_id: strawberry.ID | None = None
