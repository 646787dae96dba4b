"""Inputs of the user mutations: creating, changing and deactivating staff users."""

from __future__ import annotations

import strawberry

from app.schema.enums import UserType


@strawberry.input(
    description="A staff user. Provider users: no `employerId` (they belong to the office). "
    "Employer users and department managers: their employer; department managers also one "
    "department of it or more."
)
class CreateUserInput:
    user_type: UserType
    display_name: str
    email: str
    username: str = strawberry.field(
        description="Chosen by you: 3 to 150 lowercase letters, digits, dots and dashes, e.g. "
        "`werkgever.hr`; unique (else NAME_TAKEN). The user signs in with a token for it."
    )
    employer_id: strawberry.ID | None = None
    department_ids: list[strawberry.ID] | None = None


@strawberry.input(description="Fields left out (null) stay as they are.")
class UpdateUserInput:
    user_id: strawberry.ID
    display_name: str | None = None
    email: str | None = None
    department_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Department managers: all their departments (one or more)."
    )
    employer_ids: list[strawberry.ID] | None = strawberry.field(
        default=None,
        description="Employer users: all the further employers of the office they have access "
        "to, besides their own (empty: none). Adding or removing one needs MANAGE_USERS there "
        "too. Rights and role links stay per employer.",
    )


@strawberry.input
class DeactivateUserInput:
    user_id: strawberry.ID
