"""Employer, Department and products."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.db import departments, employer_reads, offices
from app.db import models as m
from app.db.queries.definitions import DefinitionView
from app.db.scoping import EDITOR_RIGHTS, USER_ADMIN_RIGHTS
from app.domain.authz import Right as R
from app.domain.catalogue import PRODUCT_NAMES, WorkflowType, derive_variant
from app.schema.connection import Connection
from app.schema.enums import MijnLoketVariant, Product, ProductEventKind
from app.schema.enums import WorkflowType as WorkflowTypeEnum
from app.schema.permissions import Staff, right_field, secured
from app.schema.types.lazy import (
    LazyComponentSet,
    LazyDefinition,
    LazyEmployee,
    LazyRole,
    LazyRoleLink,
    LazyUser,
)
from app.schema.types.node import Node, global_id, rows_of
from app.schema.types.office import MijnLoketAddendum


@strawberry.type(description="A department (afdeling) of an employer.")
class Department(Node):
    id: strawberry.ID = global_id("Department")
    name: str
    is_type_of = rows_of(m.Department)

    @strawberry.field(
        **right_field(
            "The department managers limited to this department, by name "
            "(`setDepartmentManagers`). ",
            *USER_ADMIN_RIGHTS,
        ),
    )
    async def managers(root, info: strawberry.Info) -> list[LazyUser]:
        ctx = info.context
        return await departments.managers_of(ctx, ctx.principal, root.id)


@strawberry.type(description="A product and whether it is active at the employer.")
class ProductState:
    product: Product
    active: bool
    changed_at: dt.datetime | None

    @strawberry.field(description="Dutch product name.")
    def display_name(self) -> str:
        return PRODUCT_NAMES[self.product]


@strawberry.type(description="One change of the employer's products or MijnLoket variant.")
class ProductEvent:
    kind: ProductEventKind
    product: Product | None
    variant_before: MijnLoketVariant | None
    variant_after: MijnLoketVariant | None
    at: dt.datetime

    @strawberry.field(description="Who made the change (null if not visible to you).")
    async def user(root, info: strawberry.Info) -> LazyUser | None:
        return await info.context.loaders.user.load(root.user_id) if root.user_id else None


@strawberry.type(description="A client of the payroll office (werkgever).")
class Employer(Node):
    id: strawberry.ID = global_id("Employer")
    name: str
    is_type_of = rows_of(m.Employer)

    @strawberry.field(description="Derived from the active products (DOMAIN.md section 2).")
    async def mijn_loket_variant(root, info: strawberry.Info) -> MijnLoketVariant:
        active = await info.context.loaders.active_products.load(root.id)
        return derive_variant(a.product for a in active)

    @strawberry.field
    async def active_products(root, info: strawberry.Info) -> list[Product]:
        active = await info.context.loaders.active_products.load(root.id)
        return sorted((a.product for a in active), key=list(m.Product).index)

    @strawberry.field(description="Every product with its state, in catalogue order.")
    async def products(root, info: strawberry.Info) -> list[ProductState]:
        ctx = info.context
        rows = await employer_reads.product_states(ctx, ctx.principal, root.id)
        state = {a.product: a for a in rows}
        return [
            ProductState(
                product=p,
                active=bool(state.get(p) and state[p].active),
                changed_at=state[p].changed_at if p in state else None,
            )
            for p in m.Product
        ]

    @strawberry.field(
        **right_field(
            "Product and variant changes, newest first. ",
            R.MANAGE_PRODUCTS,
        ),
    )
    async def product_history(
        root, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[ProductEvent]:
        ctx = info.context
        page = await employer_reads.product_history(
            ctx, ctx.principal, root.id, first=first, after=after
        )
        return Connection.of(page)

    @strawberry.field(
        extensions=secured(Staff()),
        description="The component sets employees declare from (the default set first, then "
        "by name), each with all its components, archived ones too.",
    )
    async def component_sets(root, info: strawberry.Info) -> list[LazyComponentSet]:
        from app.schema.types.declaration import ComponentSet

        # Every set, also one without components yet, each with its archived components too.
        views = await info.context.loaders.component_sets_of_employer.load(root.id)
        return [ComponentSet.of(v.row, v.components) for v in views]

    @strawberry.field
    async def departments(root, info: strawberry.Info) -> list[Department]:
        return await info.context.loaders.departments_of_employer.load(root.id)

    @strawberry.field(
        extensions=secured(Staff()),
        description="The MijnLoket addendum of the employer's office (`setMijnLoketAddendum`).",
    )
    async def mijn_loket_addendum(root, info: strawberry.Info) -> MijnLoketAddendum:
        ctx = info.context
        office = await offices.visible_office(ctx, ctx.principal, root.provider_id)
        return MijnLoketAddendum.of(office) if office else MijnLoketAddendum(signed=False)

    @strawberry.field(
        **right_field(
            "Employees by name; `search` matches name or employee number. A department "
            "manager sees only its departments. ",
            R.VIEW_EMPLOYEES,
        ),
    )
    async def employees(
        root,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
    ) -> Connection[LazyEmployee]:
        ctx = info.context
        page = await employer_reads.employees_page(
            ctx, ctx.principal, root.id, search=search, first=first, after=after
        )
        return Connection.of(page)

    @strawberry.field(
        **right_field(
            "Staff who can act at this employer: its employer users and department "
            "managers, and the office's provider users. ",
            *USER_ADMIN_RIGHTS,
        ),
    )
    async def users(
        root,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
    ) -> Connection[LazyUser]:
        ctx = info.context
        page = await employer_reads.staff_page(
            ctx, ctx.principal, root, search=search, first=first, after=after
        )
        return Connection.of(page)

    @strawberry.field(
        **right_field(
            "Which user holds which role at this employer. ",
            *USER_ADMIN_RIGHTS,
        ),
    )
    async def role_links(root, info: strawberry.Info) -> list[LazyRoleLink]:
        ctx = info.context
        return await employer_reads.role_links_at(ctx, ctx.principal, root.id)

    @strawberry.field(
        **right_field(
            "All eight workflow types, active or not, in catalogue order. ",
            *EDITOR_RIGHTS,
        ),
    )
    async def workflow_definitions(root, info: strawberry.Info) -> list[LazyDefinition]:
        ctx = info.context
        rows = await employer_reads.definitions_of(ctx, ctx.principal, root.id)
        by_type = {r.type: r for r in rows}
        return [DefinitionView(root, t, by_type.get(t)) for t in WorkflowType]

    @strawberry.field(
        **right_field(
            "One workflow type. ",
            *EDITOR_RIGHTS,
        ),
    )
    async def workflow_definition(
        root, info: strawberry.Info, type: WorkflowTypeEnum
    ) -> LazyDefinition:
        ctx = info.context
        row = await employer_reads.definition_of(ctx, ctx.principal, root.id, type)
        return DefinitionView(root, WorkflowType(type), row)

    @strawberry.field(
        extensions=secured(Staff()),
        description="The office's roles, which can be linked to users of this employer.",
    )
    async def roles(root, info: strawberry.Info) -> list[LazyRole]:
        ctx = info.context
        return await employer_reads.roles_of_office(ctx, ctx.principal, root.provider_id)
