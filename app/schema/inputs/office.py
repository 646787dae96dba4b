"""Inputs of the office's set-up: employers, departments, department managers, the addendum."""

from __future__ import annotations

import datetime as dt

import strawberry


@strawberry.input
class CreateEmployerInput:
    name: str


@strawberry.input
class UpdateEmployerInput:
    employer_id: strawberry.ID
    name: str


@strawberry.input
class CreateDepartmentInput:
    employer_id: strawberry.ID
    name: str


@strawberry.input
class RenameDepartmentInput:
    department_id: strawberry.ID
    name: str


@strawberry.input
class SetDepartmentManagersInput:
    department_id: strawberry.ID
    user_ids: list[strawberry.ID] = strawberry.field(
        description="Exactly the managers the department gets (an empty list: none). Each a "
        "department manager of the department's employer."
    )


@strawberry.input
class SetMijnLoketAddendumInput:
    signed: bool
    signatory: str | None = strawberry.field(
        default=None, description="Who signed for the office; required when signed."
    )
    signed_on: dt.date | None = strawberry.field(
        default=None, description="The day it was signed (not in the future); required when signed."
    )
