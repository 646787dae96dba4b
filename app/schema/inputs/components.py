"""Inputs of the component mutations: component sets and their components, who declares from
which set, and components' labels."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from app.schema.enums import Unit


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


@strawberry.input
class CreateComponentSetInput:
    employer_id: strawberry.ID
    name: str = strawberry.field(description="Unique per employer (case aside), e.g. Standaard.")


@strawberry.input
class UpdateComponentSetInput:
    component_set_id: strawberry.ID
    name: str


@strawberry.input
class SetDefaultComponentSetInput:
    component_set_id: strawberry.ID


@strawberry.input
class AddComponentInput:
    component_set_id: strawberry.ID
    name: str = strawberry.field(
        description="The payroll name (looncomponent), unique in its set: Kilometers onbelast."
    )
    unit: Unit = strawberry.field(description="What a claim's value counts; never changes.")
    rate: Decimal | None = strawberry.field(
        default=None,
        description="Euros per unit, at most 4 decimals: required for KM (0.23), optional for "
        "HOURS and DAYS, refused for EUR (the declared amount counts).",
    )
    label: str | None = strawberry.field(
        default=None, description="What employees see; null or empty: the name."
    )


@strawberry.input(
    description="A field left out keeps its value; a field given as null clears it (the name "
    "cannot be cleared). The unit never changes."
)
class UpdateComponentInput:
    component_id: strawberry.ID
    name: str | None = strawberry.field(
        default=strawberry.UNSET, description="Left out: kept; cannot be null."
    )
    label: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="What employees see. Left out: kept; null or empty: cleared (the name shows).",
    )
    rate: Decimal | None = strawberry.field(
        default=strawberry.UNSET,
        description="Euros per unit, as for `addComponent`. Left out: kept; null: no rate (not "
        "for KM). Claims already submitted keep their amount.",
    )


@strawberry.input
class ArchiveComponentInput:
    component_id: strawberry.ID
