"""Remove a role from a user at one employer."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import links, outbox
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain.authz import Principal
from app.schema.ids import input_pk
from app.schema.inputs.roles import UnlinkRoleInput
from app.schema.payloads.roles import UnlinkRolePayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class UnlinkRole:
    role_link_id: str


async def unlink_role(session: Session, principal: Principal, command: UnlinkRole) -> str:
    """The removed link's ID."""
    pk = input_pk(command.role_link_id, "RoleLink", "roleLinkId")
    link = await visible(session, principal, m.RoleLink, pk, "roleLinkId")
    await links.delete_link(session, link.id)
    outbox.access_changed(session, link.user_id, link.employer_id)
    return command.role_link_id


async def resolve_unlink_role(info: strawberry.Info, input: UnlinkRoleInput) -> UnlinkRolePayload:
    """Remove a role from a user at one employer. Open tasks of that role then go to whoever
    holds the role there now (assignment is resolved when a task is read)."""
    return await mutate(
        info,
        unlink_role,
        UnlinkRole(role_link_id=input.role_link_id),
        UnlinkRolePayload,
        lambda link_id: {"unlinked_role_link_id": link_id},
    )
