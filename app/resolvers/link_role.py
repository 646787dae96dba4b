"""Link a role of the office to a user at one employer."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import links, outbox, users
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain.authz import Principal
from app.domain.errors import DomainError, ErrorCode
from app.domain.staff import not_at_employer
from app.schema.ids import input_pk
from app.schema.inputs.roles import LinkRoleInput
from app.schema.payloads.roles import RoleLinkPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class LinkRole:
    role_id: str
    user_id: str
    employer_id: str


async def link_role(session: Session, principal: Principal, command: LinkRole) -> m.RoleLink:
    pk = input_pk(command.employer_id, "Employer", "employerId")
    employer = await visible(session, principal, m.Employer, pk, "employerId")
    pk = input_pk(command.role_id, "Role", "roleId")
    role = await visible(session, principal, m.Role, pk, "roleId")
    if role.provider_id != employer.provider_id:
        raise DomainError(ErrorCode.NOT_FOUND, "Rol niet gevonden bij dit kantoor.", ["roleId"])
    pk = input_pk(command.user_id, "User", "userId")
    user = await visible(session, principal, m.User, pk, "userId")
    if not await users.works_at(session, user, employer):
        raise not_at_employer("userId")
    existing = await links.link_of(session, role.id, user.id, employer.id)
    if existing is not None:
        return existing
    link = m.RoleLink(
        role_id=role.id,
        user_id=user.id,
        employer_id=employer.id,
        created_by_id=principal.user_id,
    )
    session.add(link)
    await session.flush()
    outbox.access_changed(session, user.id, employer.id)
    return link


async def resolve_link_role(info: strawberry.Info, input: LinkRoleInput) -> RoleLinkPayload:
    """Link one of the office's roles to a user at one employer. Linking again is a no-op."""
    command = LinkRole(role_id=input.role_id, user_id=input.user_id, employer_id=input.employer_id)
    return await mutate(info, link_role, command, RoleLinkPayload, lambda link: {"role_link": link})
