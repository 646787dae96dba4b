"""Users, roles and role links."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.db import models as m
from app.db import user_reads, users
from app.domain.authz import Grant, Right, refusal, rights_in
from app.domain.errors import Forbidden, NotFound
from app.schema.enums import Right as RightEnum
from app.schema.enums import UserType
from app.schema.ids import decode_id
from app.schema.types.lazy import LazyDepartment, LazyEmployer
from app.schema.types.node import Node, global_id, rows_of


@strawberry.type(description="A login: provider user, employer user, manager or employee.")
class User(Node):
    id: strawberry.ID = global_id("User")
    username: str
    display_name: str
    user_type: UserType
    active: bool = strawberry.field(
        description="False once deactivated (`deactivateUser`): it can no longer sign in."
    )
    is_type_of = rows_of(m.User)

    @strawberry.field
    async def employer(root, info: strawberry.Info) -> LazyEmployer | None:
        return (
            await info.context.loaders.employer.load(root.employer_id) if root.employer_id else None
        )

    @strawberry.field(
        description="Employer users and department managers: the employers they work at, their "
        "own first, then the further ones they were given access to (`updateUser`), as far as "
        "you can see them. Rights and role links hold per employer. Empty for provider users "
        "(they reach every employer of the office) and MijnLoket accounts."
    )
    async def employers(root, info: strawberry.Info) -> list[LazyEmployer]:
        ctx = info.context
        found = await users.employers_of_user(ctx, ctx.principal, root.id, root.user_type)
        return sorted(found, key=lambda e: e.id != root.employer_id)

    @strawberry.field(description="For department managers: the departments they are limited to.")
    async def departments(root, info: strawberry.Info) -> list[LazyDepartment]:
        ctx = info.context
        return await user_reads.departments_of_user(ctx, ctx.principal, root.id)

    @strawberry.field(description="The roles this user holds, per employer.")
    async def role_links(root, info: strawberry.Info) -> list[RoleLink]:
        ctx = info.context
        return await user_reads.role_links_of_user(ctx, ctx.principal, root.id)

    @strawberry.field(
        description="The user's rights at an employer, or at provider level without "
        "`employerId`. Visible to the user itself and to holders of MANAGE_USERS there."
    )
    async def rights(
        root, info: strawberry.Info, employer_id: strawberry.ID | None = None
    ) -> list[RightEnum]:
        ctx = info.context
        principal = ctx.require_principal()
        pk = None
        employer_provider_id = None
        if employer_id is not None:
            pk = decode_id(employer_id, "Employer")
            employer = await ctx.loaders.employer.load(pk) if pk is not None else None
            if employer is None:
                raise NotFound("Werkgever niet gevonden.")
            employer_provider_id = employer.provider_id
        if root.id != principal.user_id and not principal.has_right(Right.MANAGE_USERS, pk):
            raise Forbidden(refusal(Right.MANAGE_USERS, where="anywhere"))
        rows = await user_reads.grants_of_user(ctx, principal, root.id)
        held = rights_in(
            {Grant(r, e) for r, e in rows},
            provider_user=root.user_type is m.UserType.PROVIDER,
            employer_id=pk,
            own_office=root.provider_id == employer_provider_id,
        )
        return sorted(held, key=list(Right).index)


@strawberry.type(description="A named responsibility defined once by the office (rol).")
class Role(Node):
    id: strawberry.ID = global_id("Role")
    name: str
    created_at: dt.datetime
    is_type_of = rows_of(m.Role)


@strawberry.type(description="A role linked to a user at one employer.")
class RoleLink(Node):
    id: strawberry.ID = global_id("RoleLink")
    created_at: dt.datetime
    is_type_of = rows_of(m.RoleLink)

    @strawberry.field
    async def role(root, info: strawberry.Info) -> Role | None:
        return await info.context.loaders.role.load(root.role_id)

    @strawberry.field(description="Null if you may not see that user.")
    async def user(root, info: strawberry.Info) -> User | None:
        return await info.context.loaders.user.load(root.user_id)

    @strawberry.field
    async def employer(root, info: strawberry.Info) -> LazyEmployer | None:
        return await info.context.loaders.employer.load(root.employer_id)
