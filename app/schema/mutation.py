"""The Mutation root. Each mutation declares the right it needs and where that right must
hold; the check runs before the resolver, which then does its work in one transaction. The parts
are in app/schema/mutations/, by area."""

from __future__ import annotations

import strawberry

from app.schema.mutations.admin import AdminMutation
from app.schema.mutations.office import (
    ComponentSetMutation,
    EmployeeMutation,
    OfficeMutation,
    UserMutation,
)
from app.schema.mutations.requests import RequestMutation


@strawberry.type
class Mutation(
    AdminMutation,
    OfficeMutation,
    UserMutation,
    EmployeeMutation,
    ComponentSetMutation,
    RequestMutation,
):
    """Administration first, then requests and tasks."""
