"""Employer, Department and products."""

from __future__ import annotations

import datetime as dt

import strawberry
from sqlalchemy import func, or_, select

from app.db import models as m
from app.db.queries.definitions import DefinitionView
from app.db.queries.pagination import keyset_page
from app.db.scoping import EDITOR_RIGHTS, USER_ADMIN_RIGHTS, restrict
from app.domain.authz import Right as R
from app.domain.catalogue import PRODUCT_NAMES, WorkflowType, derive_variant
from app.schema.connection import Connection
from app.schema.enums import MijnLoketVariant, Product, ProductEventKind
from app.schema.enums import WorkflowType as WorkflowTypeEnum
from app.schema.ids import to_global_id
from app.schema.permissions import Staff, requires, right, secured
from app.schema.types.lazy import (
    LazyComponentSet,
    LazyDefinition,
    LazyEmployee,
    LazyRole,
    LazyRoleLink,
    LazyUser,
)
from app.schema.types.node import Node, global_id, rows_of


@strawberry.type(description="A department (afdeling) of an employer.")
class Department(Node):
    id: strawberry.ID = global_id("Department")
    name: str
    is_type_of = rows_of(m.Department)


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


def _search(column, search: str | None):
    text = (search or "").strip()
    return func.lower(column).contains(text.lower(), autoescape=True) if text else None


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
        stmt = restrict(
            select(m.ProductActivation).where(m.ProductActivation.employer_id == root.id),
            info.context.principal,
            m.ProductActivation,
        )
        state = {a.product: a for a in await info.context.scalars(stmt)}
        return [
            ProductState(
                product=p,
                active=bool(state.get(p) and state[p].active),
                changed_at=state[p].changed_at if p in state else None,
            )
            for p in m.Product
        ]

    @strawberry.field(
        extensions=right(R.MANAGE_PRODUCTS),
        description="Product and variant changes, newest first. " + requires(R.MANAGE_PRODUCTS),
    )
    async def product_history(
        root, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> Connection[ProductEvent]:
        ctx = info.context
        stmt = restrict(
            select(m.ProductEvent).where(m.ProductEvent.employer_id == root.id),
            ctx.principal,
            m.ProductEvent,
        )
        order = (m.ProductEvent.id,)
        page = await keyset_page(
            ctx, stmt, order, lambda e: (e.id,), first=first, after=after, descending=True
        )
        return Connection.of(page)

    @strawberry.field(
        extensions=secured(Staff()),
        description="The component sets employees declare from (the default set first).",
    )
    async def component_sets(root, info: strawberry.Info) -> list[LazyComponentSet]:
        from app.schema.types.declaration import ComponentSet

        components = await info.context.loaders.components_of_employer.load(root.id)
        sets: dict[int, ComponentSet] = {}
        for c in components:
            sets.setdefault(
                c.set_id,
                ComponentSet(
                    id=to_global_id("ComponentSet", c.set_id),
                    name=c.set_name,
                    is_default=c.set_is_default,
                    _rows=[],
                ),
            )._rows.append(c.row)
        return sorted(sets.values(), key=lambda s: (not s.is_default, s.name))

    @strawberry.field
    async def departments(root, info: strawberry.Info) -> list[Department]:
        return await info.context.loaders.departments_of_employer.load(root.id)

    @strawberry.field(
        extensions=right(R.VIEW_EMPLOYEES),
        description="Employees by name; `search` matches name or employee number. A department "
        "manager sees only its departments. " + requires(R.VIEW_EMPLOYEES),
    )
    async def employees(
        root,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
    ) -> Connection[LazyEmployee]:
        ctx = info.context
        stmt = restrict(
            select(m.Employee).where(m.Employee.employer_id == root.id), ctx.principal, m.Employee
        )
        if (match := _search(m.Employee.name, search)) is not None:
            text = search.strip()
            stmt = stmt.where(
                or_(match, m.Employee.employee_number == int(text))
                if text.isdigit() and len(text) < 10
                else match
            )
        order = (m.Employee.name, m.Employee.id)
        page = await keyset_page(
            ctx, stmt, order, lambda e: (e.name, e.id), first=first, after=after
        )
        return Connection.of(page)

    @strawberry.field(
        extensions=right(*USER_ADMIN_RIGHTS),
        description="Staff who can act at this employer: its employer users and department "
        "managers, and the office's provider users. " + requires(*USER_ADMIN_RIGHTS),
    )
    async def users(
        root,
        info: strawberry.Info,
        first: int | None = None,
        after: str | None = None,
        search: str | None = None,
    ) -> Connection[LazyUser]:
        ctx = info.context
        works_here = or_(
            m.User.employer_id == root.id,
            (m.User.user_type == m.UserType.PROVIDER) & (m.User.provider_id == root.provider_id),
        )
        stmt = restrict(select(m.User).where(works_here, m.User.active), ctx.principal, m.User)
        if (match := _search(m.User.username, search)) is not None:
            stmt = stmt.where(or_(match, _search(m.User.display_name, search)))
        order = (m.User.username, m.User.id)
        page = await keyset_page(
            ctx, stmt, order, lambda u: (u.username, u.id), first=first, after=after
        )
        return Connection.of(page)

    @strawberry.field(
        extensions=right(*USER_ADMIN_RIGHTS),
        description="Which user holds which role at this employer. " + requires(*USER_ADMIN_RIGHTS),
    )
    async def role_links(root, info: strawberry.Info) -> list[LazyRoleLink]:
        ctx = info.context
        stmt = restrict(
            select(m.RoleLink).where(m.RoleLink.employer_id == root.id).order_by(m.RoleLink.id),
            ctx.principal,
            m.RoleLink,
        )
        return await ctx.scalars(stmt)

    @strawberry.field(
        extensions=right(*EDITOR_RIGHTS),
        description="All eight workflow types, active or not, in catalogue order. "
        + requires(*EDITOR_RIGHTS),
    )
    async def workflow_definitions(root, info: strawberry.Info) -> list[LazyDefinition]:
        rows = await info.context.scalars(
            restrict(
                select(m.WorkflowDefinition).where(m.WorkflowDefinition.employer_id == root.id),
                info.context.principal,
                m.WorkflowDefinition,
            )
        )
        by_type = {r.type: r for r in rows}
        return [DefinitionView(root, t, by_type.get(t)) for t in WorkflowType]

    @strawberry.field(
        extensions=right(*EDITOR_RIGHTS),
        description="One workflow type. " + requires(*EDITOR_RIGHTS),
    )
    async def workflow_definition(
        root, info: strawberry.Info, type: WorkflowTypeEnum
    ) -> LazyDefinition:
        row = await info.context.scalar(
            restrict(
                select(m.WorkflowDefinition).where(
                    m.WorkflowDefinition.employer_id == root.id,
                    m.WorkflowDefinition.type == type,
                ),
                info.context.principal,
                m.WorkflowDefinition,
            )
        )
        return DefinitionView(root, WorkflowType(type), row)

    @strawberry.field(
        extensions=secured(Staff()),
        description="The office's roles, which can be linked to users of this employer.",
    )
    async def roles(root, info: strawberry.Info) -> list[LazyRole]:
        ctx = info.context
        stmt = restrict(
            select(m.Role).where(m.Role.provider_id == root.provider_id).order_by(m.Role.name),
            ctx.principal,
            m.Role,
        )
        return await ctx.scalars(stmt)
