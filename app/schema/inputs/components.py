"""Inputs of the component mutations: who declares from which set, and components' labels."""

from __future__ import annotations

import strawberry


@strawberry.input
class SetEmployeeComponentSetInput:
    employee_id: strawberry.ID
    component_set_id: strawberry.ID | None = strawberry.field(
        default=None, description="A deviating set; null: the employer's default set."
    )
    excluded_from_declaring: bool = strawberry.field(
        default=False, description="True: this employee cannot declare at all."
    )


@strawberry.input
class SetComponentLabelInput:
    component_id: strawberry.ID
    label: str | None = strawberry.field(
        default=None, description="What employees see; null or empty: the component's name."
    )
