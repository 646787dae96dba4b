"""How a mutation is declared: the right it needs, where, and its description written from
the permissions' own sentences (app/schema/permissions.py)."""

from __future__ import annotations

import strawberry

from app.db import models as m
from app.domain.authz import Right as R
from app.schema.permissions import (
    NotDepartmentManager,
    described,
    input_object,
    mutation_right,
    secured,
)


def mutation_field(resolver, *rights: R, at, also=(), note: str = ""):
    permissions = mutation_right(*rights, at=at, also=also)
    return secured_field(resolver, *permissions, note=note)


def secured_field(resolver, *permissions, note: str = ""):
    """The mutation, checked by `permissions` and described by their own sentences."""
    return strawberry.mutation(
        resolver=resolver,
        extensions=secured(*permissions),
        description=described(resolver.__doc__, permissions, note),
    )


EDITORS_ONLY = (NotDepartmentManager("Afdelingsmanagers kunnen workflows niet wijzigen."),)
# The employee a workflow-editor mutation is about: editors find it even without VIEW_EMPLOYEES.
EMPLOYEE_FOR_EDITORS = input_object(
    m.Employee,
    "Employee",
    "employee_id",
    "Werknemer",
    right=(R.VIEW_EMPLOYEES, R.MANAGE_WORKFLOW_EDITOR),
)
