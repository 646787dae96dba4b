"""Batch functions behind the per-request DataLoaders: one scoped query per batch."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.db import models as m
from app.db.queries.definitions import step_config
from app.db.queries.staff import Reader
from app.db.scoping import restrict
from app.db.session import AnySelect
from app.domain.authz import Principal
from app.domain.components import Component, Entitlement
from app.domain.definitions import AssigneeKind


def by_id(
    model: type[Any],
    principal: Principal | None,
    run: Callable[[AnySelect], Awaitable[list[Any]]],
    right: Any = None,
) -> Callable[[Sequence[int]], Awaitable[list[Any]]]:
    """Load rows of `model` by primary key, None for ids the principal may not see."""
    return by_key(model, model.id, principal, run, right)


def by_key(
    model: type[Any],
    column: Any,
    principal: Principal | None,
    run: Callable[[AnySelect], Awaitable[list[Any]]],
    right: Any = None,
) -> Callable[[Sequence[int]], Awaitable[list[Any]]]:
    """Load rows of `model` by a unique column, None for keys the principal may not see."""

    async def load(keys: Sequence[int]) -> list[Any]:
        stmt = restrict(select(model).where(column.in_(set(keys))), principal, model, right=right)
        found = {getattr(row, column.key): row for row in await run(stmt)}
        return [found.get(k) for k in keys]

    return load


def steps_of_instances(
    principal: Principal | None, reader: Reader, *, system: bool = False
) -> Callable[[Sequence[int]], Awaitable[list[dict[int, Any]]]]:
    """Batch function: instance id -> {position: StepConfig} of the definition version the
    request follows. Read through the instance (scoped), so whoever sees a request sees the
    configuration it runs on, without the editor's rights. `system`: unscoped, for a caller
    that decides visibility itself (app/events/shared_reads.py)."""

    async def load(instance_ids: Sequence[int]) -> list[dict[int, Any]]:
        stmt = (
            select(m.WorkflowInstance.id, m.WorkflowStep)
            .join(
                m.WorkflowStep,
                m.WorkflowStep.version_id == m.WorkflowInstance.definition_version_id,
            )
            .where(m.WorkflowInstance.id.in_(set(instance_ids)))
        )
        if not system:
            stmt = restrict(stmt, principal, m.WorkflowInstance)
        rows = list(await reader.rows(stmt))
        users: dict[int, list[int]] = {}
        restricted = [step.id for _, step in rows if step.assignee_kind is AssigneeKind.USERS]
        if restricted:
            for step_id, user_id in await reader.rows(
                select(m.WorkflowStepUser.step_id, m.WorkflowStepUser.user_id).where(
                    m.WorkflowStepUser.step_id.in_(restricted)
                )
            ):
                users.setdefault(step_id, []).append(user_id)
        out: dict[int, dict[int, Any]] = {i: {} for i in instance_ids}
        for instance_id, step in rows:
            out[instance_id][step.position] = step_config(step, users.get(step.id, []))
        return [out[i] for i in instance_ids]

    return load


def grouped(
    stmt_for: Callable[[Sequence[int]], AnySelect],
    key: Callable[[Any], int],
    run: Callable[[AnySelect], Awaitable[list[Any]]],
) -> Callable[[Sequence[int]], Awaitable[list[list[Any]]]]:
    """Load lists of rows per parent id with one query (the caller's statement is scoped)."""

    async def load(ids: Sequence[int]) -> list[list[Any]]:
        out: dict[int, list[Any]] = {i: [] for i in ids}
        for row in await run(stmt_for(ids)):
            out[key(row)].append(row)
        return [out[i] for i in ids]

    return load


@dataclass(frozen=True)
class SetComponent:
    row: Any  # the Component row
    set_id: int
    set_is_default: bool
    set_name: str = ""


def entitlement(employee: m.Employee, components: Sequence[SetComponent]) -> Entitlement:
    """Which of the employer's components this employee may declare (DOMAIN.md section 8).
    Archived components (archiveComponent) are no longer declarable, nor offered."""
    default = next((c.set_id for c in components if c.set_is_default), None)

    def members(set_id: int) -> list[Component]:
        return [
            Component(c.row.id, c.row.name, c.row.unit, c.row.rate, c.row.label)
            for c in components
            if c.set_id == set_id and c.row.archived_at is None
        ]

    return Entitlement(
        excluded=employee.excluded_from_declaring,
        deviating_set=members(employee.component_set_id) if employee.component_set_id else None,
        default_set=members(default) if default is not None else None,
    )


def components_of_employers(
    principal: Principal | None, run: Callable[[AnySelect], Awaitable[list[Any]]]
) -> Callable[[Sequence[int]], Awaitable[list[list[SetComponent]]]]:
    """Batch function: employer id -> its components with their set (default set marked)."""

    async def load(employer_ids: Sequence[int]) -> list[list[SetComponent]]:
        sets = {
            s.id: s
            for s in await run(
                restrict(
                    select(m.ComponentSet).where(m.ComponentSet.employer_id.in_(set(employer_ids))),
                    principal,
                    m.ComponentSet,
                )
            )
        }
        rows = await run(
            restrict(
                select(m.Component)
                .where(m.Component.set_id.in_(sorted(sets)))
                .order_by(m.Component.id),
                principal,
                m.Component,
            )
        )
        out: dict[int, list[SetComponent]] = {e: [] for e in employer_ids}
        for r in rows:
            out[r.employer_id].append(
                SetComponent(r, r.set_id, sets[r.set_id].is_default, sets[r.set_id].name)
            )
        return [out[e] for e in employer_ids]

    return load
