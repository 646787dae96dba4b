"""Overview rows as the cells of the Excel file: one value per column of the active overview,
typed (a date-time as a date-time, a declared value as a number in its unit's format), with the
same Dutch labels as the screen.

What many rows share (a definition version's steps, an employer's staff, names) is read once per
chunk for what the chunk needs and kept; turning a row into cells is then pure Python, cheap
enough to run in the writer's thread.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.definitions import version_steps
from app.db.instances import staff_at
from app.db.scoping import restrict
from app.domain.assignment import EmployerStaff, RequestSubject
from app.domain.authz import Principal
from app.domain.catalogue import WORKFLOW_TYPES
from app.domain.definitions import AssigneeKind, StepConfig, approval_mode
from app.domain.overview import LOCAL_TIME, ColumnSpec, OverviewColumn, next_action_by
from app.domain.validation import Unit
from app.domain.workflow import STATUS_LABELS
from app.export.workbook import DATETIME_FORMAT

UNIT_FORMATS = {
    Unit.EUR: '"€" #,##0.00',
    Unit.KM: '#,##0.00 "km"',
    Unit.HOURS: '#,##0.00 "uur"',
    Unit.DAYS: '#,##0.00 "dagen"',
}


def local(moment: dt.datetime) -> dt.datetime:
    """Excel has no time zones: the Dutch wall-clock time, without zone."""
    return moment.astimezone(LOCAL_TIME).replace(tzinfo=None)


class RowCells:
    """Turns rows of `process_overview.export_rows` into cell values for `columns`."""

    def __init__(self, principal: Principal, columns: Sequence[ColumnSpec]):
        self.principal = principal
        self.keys = [c.column for c in columns]
        self.wants_next_action = OverviewColumn.NEXT_ACTION_BY in self.keys
        self.configs: dict[int, tuple[StepConfig, ...]] = {}
        self.staff: dict[int, EmployerStaff] = {}
        self.role_names: dict[int, str] = {}
        self.user_names: dict[int, str] = {}
        self._labels: dict[tuple, str] = {}

    async def prepare(self, session: AsyncSession, rows: Sequence[Any]) -> None:
        """Read what `rows` need for "next action by" and is not known yet."""
        if not self.wants_next_action:
            return
        open_rows = [r for r in rows if r.open_position is not None]
        for version_id in {r.definition_version_id for r in open_rows} - self.configs.keys():
            self.configs[version_id] = await version_steps(session, version_id)
        for employer_id in {r.employer_id for r in open_rows} - self.staff.keys():
            self.staff[employer_id] = await staff_at(session, employer_id)
        role_ids, user_ids = set(), set()
        for r in open_rows:
            step = self._step(r)
            if step is None:
                continue
            if step.assignee.kind is AssigneeKind.ROLE:
                role_ids.add(step.assignee.role_id)
            user_ids.update(step.assignee.user_ids)
            if r.deviating_approver_id is not None:
                user_ids.add(r.deviating_approver_id)
        if role_ids := role_ids - self.role_names.keys():
            stmt = select(m.Role.id, m.Role.name).where(m.Role.id.in_(role_ids))
            result = await session.execute(restrict(stmt, self.principal, m.Role))
            self.role_names.update({k: v for k, v in result})  # a Result has keys(): no dict()
        if user_ids := user_ids - self.user_names.keys():
            stmt = select(m.User.id, m.User.display_name).where(m.User.id.in_(user_ids))
            result = await session.execute(restrict(stmt, self.principal, m.User))
            self.user_names.update({k: v for k, v in result})

    def _step(self, row) -> StepConfig | None:
        config = self.configs.get(row.definition_version_id, ())
        position = row.open_position
        return config[position - 1] if position and position <= len(config) else None

    def _next_action(self, row) -> str | None:
        step = self._step(row)
        if step is None:
            return None
        key = (
            row.definition_version_id,
            row.open_position,
            row.employer_id,
            row.department_id,
            row.person_id,
            row.deviating_approver_id,
            row.submitter_id,
        )
        label = self._labels.get(key)
        if label is None:
            subject = RequestSubject(
                department_id=row.department_id,
                person_id=row.person_id,
                deviating_approver_id=row.deviating_approver_id,
                submitter_id=row.submitter_id,
            )
            label = next_action_by(
                step,
                self.staff[row.employer_id],
                subject,
                mode=approval_mode(row.type, self.configs[row.definition_version_id]),
                role_names=self.role_names,
                user_names=self.user_names,
            )
            self._labels[key] = label
        return label

    def cells(self, row) -> list[Any]:
        out: list[Any] = []
        for key in self.keys:
            if key is OverviewColumn.EMPLOYER:
                out.append(row.employer_name)
            elif key is OverviewColumn.EMPLOYEE:
                out.append(row.employee_name)
            elif key is OverviewColumn.SUBMITTER:
                out.append(row.submitter_name)
            elif key is OverviewColumn.SUBMITTED_AT:
                out.append((local(row.submitted_at), DATETIME_FORMAT))
            elif key is OverviewColumn.PROCESS:
                out.append(WORKFLOW_TYPES[row.type].display_name)
            elif key is OverviewColumn.STATUS:
                out.append(STATUS_LABELS[row.status])
            elif key is OverviewColumn.NEXT_ACTION_BY:
                out.append(self._next_action(row))
            elif key is OverviewColumn.COMPONENT:
                # The payroll name, as the screen's `component { name }`: process management
                # is payroll work; the label is what employees see in MijnLoket.
                out.append(row.component_name)
            elif key is OverviewColumn.VALUE:
                out.append((row.value, UNIT_FORMATS[row.component_unit]))
            elif key is OverviewColumn.PAYROLL_PERIOD:
                # Booked, else asked: the screen's `effectivePayrollPeriod`, not `payrollPeriod`.
                out.append(row.payroll_period)
        return out

    def all_cells(self, rows: Sequence[Any]) -> list[list[Any]]:
        return [self.cells(r) for r in rows]
