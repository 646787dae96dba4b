"""Declarations: components, component sets and the expense claim of a request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from app.db import models as m
from app.domain.workflow import InstanceStatus
from app.domain.workflow import StepAction as _StepAction
from app.schema.enums import StepAction, Unit
from app.schema.ids import to_global_id
from app.schema.types.lazy import LazyUser
from app.schema.types.node import Node, global_id, rows_of


@strawberry.type(description="Something an employee can declare, with its unit.")
class Component(Node):
    id: strawberry.ID = global_id("Component")
    name: str
    label: str | None = strawberry.field(description="The employee-friendly name, if set.")
    unit: Unit
    rate: Decimal | None = strawberry.field(
        description="Euros per unit: required for kilometres (0.23, 0.12), optional for hours "
        "and days, never for euros. A claim's amount is taken at submission; a later rate "
        "never changes it."
    )
    archived_at: dt.datetime | None = strawberry.field(
        description="When the component was archived (`archiveComponent`); null while in use."
    )
    is_type_of = rows_of(m.Component)

    @strawberry.field(
        description="Archived: no longer offered to employees nor declarable; the claims that "
        "name it keep it. Staff still see it in `Employer.componentSets`."
    )
    def archived(root) -> bool:
        return root.archived_at is not None

    @strawberry.field(description="The label if set, else the name: what MijnLoket shows.")
    def display_name(root) -> str:
        return root.label or root.name


@strawberry.type(
    description="A named group of components; the default set applies to every "
    "employee without a deviating set (DOMAIN.md section 8)."
)
class ComponentSet:
    id: strawberry.ID = strawberry.field(
        description="Opaque ID, for `setEmployeeComponentSet`, `addComponent` and the other "
        "component set mutations."
    )
    name: str
    is_default: bool
    _rows: strawberry.Private[list]

    @strawberry.field(description="Oldest first; archived ones too (see `archived`).")
    def components(self) -> list[Component]:
        return self._rows

    @classmethod
    def of(cls, row: m.ComponentSet, components: list[m.Component]) -> ComponentSet:
        return cls(
            id=strawberry.ID(to_global_id("ComponentSet", row.id)),
            name=row.name,
            is_default=row.is_default,
            _rows=list(components),
        )


@strawberry.type(description="The declaration of an expense claim.")
class ExpenseClaim:
    value: Decimal
    amount: Decimal | None = strawberry.field(
        description="In euros: the value times the rate, or the value for euro components."
    )
    payroll_period: str | None = strawberry.field(
        description="The period the employee asked for. Not what the process overview shows: "
        "its Verloningsperiode column, its `payrollPeriods` filter and the Excel column are "
        "`effectivePayrollPeriod`."
    )
    processed_period: str | None = strawberry.field(
        description="The period the claim was booked into when processed; null before. Once "
        "set, it is the `effectivePayrollPeriod` the process overview and Excel show."
    )

    @strawberry.field(
        description="The period the claim belongs to: where it was booked (`processedPeriod`), "
        "else where it was asked (`payrollPeriod`). This is the process overview's "
        "Verloningsperiode column, what its `payrollPeriods` filter matches, and the Excel "
        "column Verloningsperiode."
    )
    def effective_payroll_period(self) -> str | None:
        return self.processed_period or self.payroll_period

    description: str | None
    _component_id: strawberry.Private[int]
    _instance_id: strawberry.Private[int]

    @strawberry.field
    async def component(self, info: strawberry.Info) -> Component | None:
        return await info.context.loaders.component.load(self._component_id)

    async def _decision(self, info):
        """Who decided on the claim (seed 001): the rejection, or once every step is done the
        last approval. Nothing while it is still in progress (a first of two approvals is not
        the decision)."""
        instance = await info.context.loaders.instance.load(self._instance_id)
        if instance is None or instance.status is InstanceStatus.IN_PROGRESS:
            return None
        steps = await info.context.loaders.instance_steps.load(self._instance_id)
        decided = [s for s in steps if s.action in (_StepAction.APPROVED, _StepAction.REJECTED)]
        return decided[-1] if decided else None

    @strawberry.field(description="APPROVED or REJECTED once decided; null while open.")
    async def decision(self, info: strawberry.Info) -> StepAction | None:
        step = await self._decision(info)
        return step.action if step else None

    @strawberry.field(description="Who approved or rejected it; null if you may not see them.")
    async def decided_by(self, info: strawberry.Info) -> LazyUser | None:
        step = await self._decision(info)
        if step is None or step.actor_id is None:
            return None
        return await info.context.loaders.user.load(step.actor_id)

    @strawberry.field
    async def decided_at(self, info: strawberry.Info) -> dt.datetime | None:
        step = await self._decision(info)
        return step.done_at if step else None

    @classmethod
    def of(cls, row: m.ExpenseClaim) -> ExpenseClaim:
        return cls(
            value=row.value,
            amount=row.amount,
            payroll_period=row.payroll_period,
            processed_period=row.processed_period,
            description=row.description,
            _component_id=row.component_id,
            _instance_id=row.instance_id,
        )
