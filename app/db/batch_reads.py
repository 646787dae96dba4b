"""Batch functions of the per-request DataLoaders that read lists per parent (app/schema/
loaders.py builds the loaders): one scoped query per batch, in the order the screens show."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from sqlalchemy import select

from app.db import models as m
from app.db.loaders import grouped
from app.db.reads import Statement
from app.db.scoping import restrict
from app.domain.authz import Principal

Run = Callable[[Statement], Awaitable[list[Any]]]
Batch = Callable[[Sequence[int]], Awaitable[list[list[Any]]]]


def versions_of_definitions(principal: Principal | None, run: Run) -> Batch:
    """Per workflow definition, its versions, newest first."""
    return grouped(
        lambda ids: restrict(
            select(m.WorkflowDefinitionVersion)
            .where(m.WorkflowDefinitionVersion.definition_id.in_(ids))
            .order_by(m.WorkflowDefinitionVersion.version.desc()),
            principal,
            m.WorkflowDefinitionVersion,
        ),
        lambda v: v.definition_id,
        run,
    )


def items_of_actions(principal: Principal | None, run: Run) -> Batch:
    """Per collective action, its people, in the order they were added."""
    return grouped(
        lambda ids: restrict(
            select(m.CollectiveActionItem)
            .where(m.CollectiveActionItem.action_id.in_(ids))
            .order_by(m.CollectiveActionItem.action_id, m.CollectiveActionItem.id),
            principal,
            m.CollectiveActionItem,
        ),
        lambda i: i.action_id,
        run,
    )


def departments_of_employers(principal: Principal | None, run: Run) -> Batch:
    """Per employer, its departments by name."""
    return grouped(
        lambda ids: restrict(
            select(m.Department)
            .where(m.Department.employer_id.in_(ids))
            .order_by(m.Department.name, m.Department.id),
            principal,
            m.Department,
        ),
        lambda d: d.employer_id,
        run,
    )


def active_products_of_employers(principal: Principal | None, run: Run) -> Batch:
    """Per employer, its active products."""
    return grouped(
        lambda ids: restrict(
            select(m.ProductActivation).where(
                m.ProductActivation.employer_id.in_(ids), m.ProductActivation.active
            ),
            principal,
            m.ProductActivation,
        ),
        lambda a: a.employer_id,
        run,
    )


def per_instance(model: Any, order: Any, principal: Principal | None, run: Run) -> Batch:
    """Rows of `model` per request (steps, audit entries), in `order`, scoped."""
    return grouped(
        lambda ids: restrict(
            select(model).where(model.instance_id.in_(ids)).order_by(model.instance_id, order),
            principal,
            model,
        ),
        lambda row: row.instance_id,
        run,
    )
