"""`viewer`: the signed-in user, what it may do and where."""

from __future__ import annotations

import strawberry

from app.db import employer_reads
from app.domain.authz import Right
from app.schema.enums import Right as RightEnum
from app.schema.enums import UserType
from app.schema.ids import decode_id, to_global_id
from app.schema.types.employee import Employee
from app.schema.types.employer import Department, Employer
from app.schema.types.user import Role


def _ordered(rights) -> list[Right]:
    return sorted(rights, key=list(Right).index)


@strawberry.type(description="What the viewer may do at one employer.")
class EmployerAccess:
    employer: Employer
    rights: list[RightEnum]
    roles: list[Role]


@strawberry.type(description="The signed-in user. Its root is the request's principal.")
class Viewer:
    @strawberry.field(description="The user's global ID.")
    def id(root) -> strawberry.ID:
        return strawberry.ID(to_global_id("User", root.user_id))

    @strawberry.field
    def username(root) -> str:
        return root.username

    @strawberry.field
    def user_type(root) -> UserType:
        return root.user_type

    @strawberry.field
    async def display_name(root, info: strawberry.Info) -> str:
        user = await info.context.loaders.user.load(root.user_id)
        return user.display_name

    @strawberry.field(
        description="Rights at an employer (both levels), or the provider-level rights "
        "without `employerId`. Empty for an employer you cannot reach."
    )
    def rights(root, employer_id: strawberry.ID | None = None) -> list[RightEnum]:
        if employer_id is None:
            return _ordered(root.provider_rights())
        pk = decode_id(employer_id, "Employer")
        return _ordered(root.rights_at(pk)) if pk is not None else []

    @strawberry.field(
        description="The employers you can reach (act at), by name. Employers where you only "
        "work yourself appear under `employments`."
    )
    async def employers(root, info: strawberry.Info) -> list[Employer]:
        return await employer_reads.reachable_employers(info.context, root)

    @strawberry.field(description="Per reachable employer: your rights and your roles there.")
    async def access(root, info: strawberry.Info) -> list[EmployerAccess]:
        ctx = info.context
        employers = await employer_reads.reachable_employers(ctx, root)
        role_ids = {role_id for role_id, _ in root.role_links}
        roles = {r.id: r for r in await ctx.loaders.role.load_many(sorted(role_ids)) if r}
        return [
            EmployerAccess(
                employer=e,
                rights=_ordered(root.rights_at(e.id)),
                roles=sorted(
                    (roles[rid] for rid, eid in root.role_links if eid == e.id and rid in roles),
                    key=lambda r: r.name,
                ),
            )
            for e in employers
        ]

    @strawberry.field(description="Your own employee records (employments), at any employer.")
    async def employments(root, info: strawberry.Info) -> list[Employee]:
        if root.person_id is None:
            return []
        return await employer_reads.own_employments(info.context, root)

    @strawberry.field(description="For department managers: the departments you are limited to.")
    async def departments(root, info: strawberry.Info) -> list[Department]:
        return [
            d
            for d in await info.context.loaders.department.load_many(sorted(root.department_ids))
            if d is not None
        ]
