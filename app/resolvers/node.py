from __future__ import annotations

import strawberry

from app.db import models as m
from app.db.reads import visible_row
from app.domain.errors import NotFound
from app.schema.ids import decode_id, from_global_id
from app.schema.types.node import Node
from app.schema.types.workflow import load_definition

NODE_MODELS: dict[str, type] = {
    "Employer": m.Employer,
    "Department": m.Department,
    "Employee": m.Employee,
    "User": m.User,
    "Role": m.Role,
    "RoleLink": m.RoleLink,
    "WorkflowInstance": m.WorkflowInstance,
    "Task": m.InstanceStep,
    "Component": m.Component,
    "Export": m.Export,
    "CollectiveAction": m.CollectiveAction,
}


async def node(info: strawberry.Info, id: strawberry.ID) -> Node | None:
    """Any object by its global ID, under the same authorization as everywhere else: an object
    you may not see is NOT_FOUND, exactly like one that does not exist."""
    ctx = info.context
    principal = ctx.require_principal()
    try:
        type_name, key = from_global_id(id)
    except ValueError:
        raise NotFound("Onbekend ID.") from None
    if type_name == "WorkflowDefinition":
        found = await load_definition(ctx, key)
    elif (model := NODE_MODELS.get(type_name)) is not None:
        # decode_id: a number no primary key can hold names nothing (and must not reach the
        # driver, which refuses it with an error rather than "not found").
        pk = decode_id(id, type_name)
        if pk is None:
            raise NotFound("Onbekend ID.")
        found = await visible_row(ctx, principal, model, pk)
    else:
        raise NotFound("Onbekend ID.")
    if found is None:
        raise NotFound("Niet gevonden.")
    return found
