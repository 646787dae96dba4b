"""Reads of an employer and what hangs under it, as the `Employer` type, the `employers` list
and `viewer` show them: each scoped by `restrict`, lists a page at a time."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select

from app.db import models as m
from app.db.queries.pagination import Page, keyset_page
from app.db.reads import Reader, Statement
from app.db.scoping import employers_where, restrict
from app.domain.authz import Principal, UserType


def _search(column: Any, search: str | None) -> ColumnElement[bool] | None:
    text = (search or "").strip()
    return func.lower(column).contains(text.lower(), autoescape=True) if text else None


async def employers_page(
    reader: Reader,
    principal: Principal,
    *,
    search: str | None,
    first: int | None,
    after: str | None,
) -> Page:
    """The employers the principal can act at, by name; `search` matches part of the name."""
    # Where you can act; an employer where you are only employed yourself is not listed.
    acts = employers_where(principal)(m.Employer.id)
    if principal.user_type is UserType.EMPLOYEE:
        acts = false()
    stmt = restrict(select(m.Employer).where(acts), principal, m.Employer)
    if search and search.strip():
        stmt = stmt.where(
            func.lower(m.Employer.name).contains(search.strip().lower(), autoescape=True)
        )
    order: tuple[Any, ...] = (m.Employer.name, m.Employer.id)
    return await keyset_page(
        reader, stmt, order, lambda e: (e.name, e.id), first=first, after=after
    )


def _reachable(principal: Principal) -> Statement:
    return restrict(
        select(m.Employer)
        .where(employers_where(principal)(m.Employer.id))
        .order_by(m.Employer.name, m.Employer.id),
        principal,
        m.Employer,
    )


async def reachable_employers(reader: Reader, principal: Principal) -> list[m.Employer]:
    """The employers the principal can reach (act at), by name."""
    return await reader.scalars(_reachable(principal))


async def own_employments(reader: Reader, principal: Principal) -> list[m.Employee]:
    """The principal's own employee records, at any employer."""
    stmt = restrict(
        select(m.Employee)
        .where(m.Employee.person_id == principal.person_id)
        .order_by(m.Employee.employer_id, m.Employee.employee_number),
        principal,
        m.Employee,
    )
    return await reader.scalars(stmt)


async def product_states(
    reader: Reader, principal: Principal | None, employer_id: int
) -> list[m.ProductActivation]:
    """The employer's product activations (active or not)."""
    stmt = restrict(
        select(m.ProductActivation).where(m.ProductActivation.employer_id == employer_id),
        principal,
        m.ProductActivation,
    )
    return await reader.scalars(stmt)


async def product_history(
    reader: Reader,
    principal: Principal | None,
    employer_id: int,
    *,
    first: int | None,
    after: str | None,
) -> Page:
    """The employer's product and variant changes, newest first."""
    stmt = restrict(
        select(m.ProductEvent).where(m.ProductEvent.employer_id == employer_id),
        principal,
        m.ProductEvent,
    )
    order: tuple[Any, ...] = (m.ProductEvent.id,)
    return await keyset_page(
        reader, stmt, order, lambda e: (e.id,), first=first, after=after, descending=True
    )


async def employees_page(
    reader: Reader,
    principal: Principal | None,
    employer_id: int,
    *,
    search: str | None,
    first: int | None,
    after: str | None,
) -> Page:
    """The employer's employees by name; `search` matches name or employee number."""
    stmt = restrict(
        select(m.Employee).where(m.Employee.employer_id == employer_id), principal, m.Employee
    )
    if (match := _search(m.Employee.name, search)) is not None:
        text = (search or "").strip()
        stmt = stmt.where(
            or_(match, m.Employee.employee_number == int(text))
            if text.isdigit() and len(text) < 10
            else match
        )
    order: tuple[Any, ...] = (m.Employee.name, m.Employee.id)
    return await keyset_page(
        reader, stmt, order, lambda e: (e.name, e.id), first=first, after=after
    )


async def staff_page(
    reader: Reader,
    principal: Principal | None,
    employer: m.Employer,
    *,
    search: str | None,
    first: int | None,
    after: str | None,
) -> Page:
    """The active staff who can act at the employer: its employer users and department managers,
    and the office's provider users, by username; `search` matches username or name."""
    works_here = or_(
        m.User.employer_id == employer.id,
        (m.User.user_type == m.UserType.PROVIDER) & (m.User.provider_id == employer.provider_id),
    )
    stmt = restrict(select(m.User).where(works_here, m.User.active), principal, m.User)
    match, by_name = _search(m.User.username, search), _search(m.User.display_name, search)
    if match is not None and by_name is not None:
        stmt = stmt.where(or_(match, by_name))
    order: tuple[Any, ...] = (m.User.username, m.User.id)
    return await keyset_page(
        reader, stmt, order, lambda u: (u.username, u.id), first=first, after=after
    )


async def role_links_at(
    reader: Reader, principal: Principal | None, employer_id: int
) -> list[m.RoleLink]:
    """Which user holds which role at the employer, in the order they were linked."""
    stmt = restrict(
        select(m.RoleLink).where(m.RoleLink.employer_id == employer_id).order_by(m.RoleLink.id),
        principal,
        m.RoleLink,
    )
    return await reader.scalars(stmt)


async def definitions_of(
    reader: Reader, principal: Principal | None, employer_id: int
) -> list[m.WorkflowDefinition]:
    """The employer's saved workflow definitions (a type never switched on has none)."""
    return await reader.scalars(
        restrict(
            select(m.WorkflowDefinition).where(m.WorkflowDefinition.employer_id == employer_id),
            principal,
            m.WorkflowDefinition,
        )
    )


async def definition_of(
    reader: Reader, principal: Principal | None, employer_id: int, workflow: Any
) -> m.WorkflowDefinition | None:
    """The employer's definition of one workflow type, if it has one."""
    row: m.WorkflowDefinition | None = await reader.scalar(
        restrict(
            select(m.WorkflowDefinition).where(
                m.WorkflowDefinition.employer_id == employer_id,
                m.WorkflowDefinition.type == workflow,
            ),
            principal,
            m.WorkflowDefinition,
        )
    )
    return row


async def roles_of_office(
    reader: Reader, principal: Principal | None, provider_id: int
) -> list[m.Role]:
    """The office's roles, by name."""
    stmt = restrict(
        select(m.Role).where(m.Role.provider_id == provider_id).order_by(m.Role.name),
        principal,
        m.Role,
    )
    return await reader.scalars(stmt)
