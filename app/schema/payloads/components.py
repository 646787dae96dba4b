"""Payloads of the component mutations."""

from __future__ import annotations

import strawberry

from app.schema.errors import UserError
from app.schema.types.declaration import Component, ComponentSet


@strawberry.type
class ComponentPayload:
    component: Component | None = None
    errors: list[UserError]


@strawberry.type
class ComponentSetPayload:
    component_set: ComponentSet | None = None
    errors: list[UserError]
