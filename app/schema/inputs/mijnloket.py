"""Inputs of the MijnLoket mutations: the collective move from Werknemerloket, and activating
an invitation link."""

from __future__ import annotations

import strawberry

from app.domain.limits import MAX_PEOPLE


@strawberry.input
class StartMijnLoketMigrationInput:
    employer_id: strawberry.ID
    employee_ids: list[strawberry.ID] = strawberry.field(
        description=f"1 to {MAX_PEOPLE} people, e.g. from `mijnLoketMigrationCandidates`."
    )


@strawberry.input
class ActivateMijnLoketInput:
    token: str = strawberry.field(description="The `token` of the invitation link.")
    password: str | None = strawberry.field(
        default=None, description="For a new account: 12 to 128 characters."
    )
