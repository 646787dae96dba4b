"""Read model of the task centre: the open tasks and approvals the viewer may act on now.

Eligibility is resolved at read time in SQL (`app/db/eligibility.py`, applied through
`scoping.actionable_tasks`), never copied onto the task, so re-linking a role hands its open tasks
to the new holder at once. Newest task first, keyset-paginated on (opened_at, id) over a partial
index of open steps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from app.db import models as m
from app.db.eligibility import open_steps_of
from app.db.scoping import actionable_tasks
from app.db.session import AnySelect
from app.domain.authz import Principal
from app.domain.catalogue import WorkflowType
from app.domain.definitions import StepKind
from app.domain.overview import start_of_day
from app.domain.workflow import StepState

WI, IS = m.WorkflowInstance, m.InstanceStep


@dataclass(frozen=True)
class TaskFilter:
    employer_id: int | None = None
    types: Sequence[WorkflowType] = ()
    kinds: Sequence[StepKind] = ()
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None  # inclusive
    employee_search: str | None = None


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def tasks(principal: Principal, f: TaskFilter, columns: Sequence[Any] = (IS,)) -> AnySelect:
    # Driven by the OPEN instance steps (partial index, newest first): joining on the step's
    # own position rather than WI.open_position lets PostgreSQL walk that index and stop after
    # one page; the engine keeps at most one step OPEN, and only while the request runs.
    stmt: AnySelect = select(*columns).select_from(IS).join(WI, WI.id == IS.instance_id)
    stmt = open_steps_of(stmt, IS.position).where(IS.state == StepState.OPEN)
    stmt = actionable_tasks(stmt, principal)
    if f.employer_id is not None:
        stmt = stmt.where(WI.employer_id == f.employer_id)
    if f.types:
        stmt = stmt.where(WI.type.in_(list(f.types)))
    if f.kinds:
        stmt = stmt.where(IS.kind.in_(list(f.kinds)))
    if f.submitted_from is not None:
        stmt = stmt.where(WI.submitted_at >= start_of_day(f.submitted_from))
    if f.submitted_to is not None:
        stmt = stmt.where(WI.submitted_at < start_of_day(f.submitted_to + dt.timedelta(days=1)))
    if f.employee_search:
        pattern = f"%{_escape_like(f.employee_search.lower())}%"
        stmt = stmt.where(func.lower(m.Employee.name).like(pattern, escape="\\"))
    return stmt


def counts_per_type(principal: Principal, f: TaskFilter) -> AnySelect:
    return tasks(principal, f, columns=(WI.type, func.count())).group_by(WI.type).order_by(WI.type)


ORDER = (IS.opened_at, IS.id)


def sort_key(step: m.InstanceStep) -> tuple[dt.datetime | None, int]:
    return (step.opened_at, step.id)
