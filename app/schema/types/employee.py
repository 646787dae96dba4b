"""Employee: one employment of a person at an employer."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.db import models as m
from app.db.loaders import entitlement
from app.domain import authz
from app.schema.enums import MaritalStatus, WerknemerloketState
from app.schema.permissions import Predicate, secured
from app.schema.types.lazy import LazyComponent, LazyDepartment, LazyEmployer, LazyUser
from app.schema.types.node import Node, global_id, rows_of

_FINANCIAL = secured(
    Predicate(
        lambda p, e: authz.may_see_financial_identity(p, e.employer_id, e.person_id),
        "U mag het IBAN en BSN van deze werknemer niet inzien.",
    )
)
_MIJNLOKET_EMAIL = secured(
    Predicate(
        lambda p, e: authz.may_see_mijnloket_email(p, e.employer_id, e.person_id),
        authz.refusal(authz.Right.VIEW_MIJNLOKET_EMAIL),
    )
)
_PRIVATE_EMAIL = secured(
    Predicate(
        lambda p, e: authz.may_see_private_email(
            p, e.employer_id, e.person_id, e.private_email, e.mijnloket_email
        ),
        "Dit privé e-mailadres is ook het MijnLoket e-mailadres van deze werknemer. "
        + authz.refusal(authz.Right.VIEW_MIJNLOKET_EMAIL),
    )
)


@strawberry.type(description="An employment (werknemer) at an employer.")
class Employee(Node):
    id: strawberry.ID = global_id("Employee")
    employee_number: int
    name: str
    street: str | None
    house_number: str | None
    postcode: str | None
    city: str | None
    country: str
    marital_status: MaritalStatus | None
    phone: str | None
    mobile_phone: str | None
    private_email: str | None = strawberry.field(
        extensions=_PRIVATE_EMAIL,
        description="Contact data. When it is also the address the employee signs in to "
        "MijnLoket with, it needs what `mijnLoketEmail` needs (VIEW_MIJNLOKET_EMAIL at the "
        "employer, or your own record; never department managers).",
    )
    is_on_call: bool = strawberry.field(description="An on-call worker (oproepkracht).")
    employment_start: dt.date
    employment_end: dt.date | None
    contract_end: dt.date | None = strawberry.field(description="Null: an indefinite contract.")
    werknemerloket_state: WerknemerloketState
    iban: str | None = strawberry.field(
        extensions=_FINANCIAL,
        description="Not for department managers; needs VIEW_EMPLOYEES (or your own record).",
    )
    bsn: str | None = strawberry.field(
        extensions=_FINANCIAL,
        description="Not for department managers; needs VIEW_EMPLOYEES (or your own record).",
    )
    is_type_of = rows_of(m.Employee)

    @strawberry.field(
        extensions=_MIJNLOKET_EMAIL,
        description="The address the employee signs in to MijnLoket with. Requires the right "
        "VIEW_MIJNLOKET_EMAIL at the employer; never shown to department managers.",
    )
    def mijn_loket_email(root) -> str | None:
        return root.mijnloket_email

    @strawberry.field(description="Whether this employment is linked to a MijnLoket account.")
    def has_mijn_loket_account(root) -> bool:
        return root.mijnloket_account_id is not None

    @strawberry.field(
        description="What this employee may declare: its deviating component set, else the "
        "employer's default set; empty when excluded from declaring."
    )
    async def declarable_components(root, info: strawberry.Info) -> list[LazyComponent]:
        # One query for all employees of a list: the employer's sets and their components.
        components = await info.context.loaders.components_of_employer.load(root.employer_id)
        rows = {c.row.id: c.row for c in components}
        return [rows[c.id] for c in entitlement(root, components).components()]

    @strawberry.field
    async def department(root, info: strawberry.Info) -> LazyDepartment:
        return await info.context.loaders.department.load(root.department_id)

    @strawberry.field
    async def employer(root, info: strawberry.Info) -> LazyEmployer:
        return await info.context.loaders.employer.load(root.employer_id)

    @strawberry.field(
        description="Handles this employee's workflow steps instead of the role's users "
        "(afwijkende goedkeurder). Null when none is set or you may not see that user."
    )
    async def deviating_approver(root, info: strawberry.Info) -> LazyUser | None:
        if root.deviating_approver_id is None:
            return None
        return await info.context.loaders.user.load(root.deviating_approver_id)
