"""The `Node` interface: anything with a global ID, fetchable through `node(id)`."""

from __future__ import annotations

import strawberry

from app.schema.ids import to_global_id


@strawberry.interface(description="An object with an opaque global ID; see `Query.node`.")
class Node:
    id: strawberry.ID


def global_id(type_name: str):
    """The `id` field of a type whose root is an ORM row with an integer `id`."""

    def resolve(root) -> strawberry.ID:
        return strawberry.ID(to_global_id(type_name, root.id))

    return strawberry.field(resolver=resolve, description="Opaque global ID.")


def rows_of(model: type):
    """`is_type_of` for a GraphQL type whose roots are rows of `model` (needed for `Node`)."""

    def is_type_of(cls, obj, info) -> bool:
        return isinstance(obj, model)

    return classmethod(is_type_of)
