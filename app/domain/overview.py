"""Process management (procesbeheer, DOMAIN.md section 6, seed 001): tabs, columns and labels.

One list of columns serves the screen and the Excel download, so "download exactly what is on
screen" cannot drift: the overview tells the client which columns it shows, and the export writes
those, in that order, with these Dutch headers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from app.domain.assignment import EmployerStaff, RequestSubject, resolve
from app.domain.authz import UserType
from app.domain.catalogue import WorkflowType
from app.domain.definitions import ApprovalMode, AssigneeKind, StepConfig
from app.domain.workflow import InstanceStatus, StepAction, StepState

# Payroll offices and their clients live by Dutch time: a date filter means the Dutch day, and
# the Excel file shows Dutch wall-clock times.
LOCAL_TIME = ZoneInfo("Europe/Amsterdam")


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in Dutch time, as an aware moment."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=LOCAL_TIME)


class ProcessTab(StrEnum):
    OPEN = "OPEN"  # Openstaand: still in progress
    HISTORICAL = "HISTORICAL"  # Historisch: completed, rejected, processed or withdrawn


TAB_STATUSES = {
    ProcessTab.OPEN: frozenset({InstanceStatus.IN_PROGRESS}),
    ProcessTab.HISTORICAL: frozenset(InstanceStatus) - {InstanceStatus.IN_PROGRESS},
}
TAB_LABELS = {ProcessTab.OPEN: "Openstaand", ProcessTab.HISTORICAL: "Historisch"}


class OverviewSort(StrEnum):
    SUBMITTED_AT = "SUBMITTED_AT"
    EMPLOYEE = "EMPLOYEE"
    STATUS = "STATUS"


class SortDirection(StrEnum):
    ASC = "ASC"
    DESC = "DESC"


class ColumnKind(StrEnum):
    TEXT = "TEXT"
    DATETIME = "DATETIME"
    NUMBER = "NUMBER"  # in the component's unit (euros get a euro format)


class OverviewColumn(StrEnum):
    EMPLOYER = "EMPLOYER"
    EMPLOYEE = "EMPLOYEE"
    SUBMITTER = "SUBMITTER"
    SUBMITTED_AT = "SUBMITTED_AT"
    PROCESS = "PROCESS"
    STATUS = "STATUS"
    NEXT_ACTION_BY = "NEXT_ACTION_BY"
    COMPONENT = "COMPONENT"
    VALUE = "VALUE"
    PAYROLL_PERIOD = "PAYROLL_PERIOD"


@dataclass(frozen=True)
class ColumnSpec:
    column: OverviewColumn
    header: str  # Dutch, as on screen and in the Excel file
    kind: ColumnKind = ColumnKind.TEXT
    width: int = 24  # characters, for the Excel file


COLUMN_SPECS = {
    c.column: c
    for c in (
        ColumnSpec(OverviewColumn.EMPLOYER, "Werkgever", width=30),
        ColumnSpec(OverviewColumn.EMPLOYEE, "Medewerker", width=28),
        ColumnSpec(OverviewColumn.SUBMITTER, "Indiener", width=28),
        ColumnSpec(OverviewColumn.SUBMITTED_AT, "Datum ingediend", ColumnKind.DATETIME, 18),
        ColumnSpec(OverviewColumn.PROCESS, "Proces", width=36),
        ColumnSpec(OverviewColumn.STATUS, "Status", width=16),
        ColumnSpec(OverviewColumn.NEXT_ACTION_BY, "Volgende actie door", width=36),
        ColumnSpec(OverviewColumn.COMPONENT, "Component", width=30),
        ColumnSpec(OverviewColumn.VALUE, "Waarde", ColumnKind.NUMBER, 14),
        ColumnSpec(OverviewColumn.PAYROLL_PERIOD, "Verloningsperiode", width=18),
    )
}


def is_declaration_view(types: Collection[WorkflowType]) -> bool:
    """Filtered on expense claims alone: the three declaration columns appear (seed 001)."""
    return set(types) == {WorkflowType.EXPENSE_CLAIM}


def columns(tab: ProcessTab, *, declarations: bool, provider_wide: bool) -> list[ColumnSpec]:
    """The columns of the active overview, in screen order."""
    keys = [OverviewColumn.EMPLOYER] if provider_wide else []
    keys += [
        OverviewColumn.EMPLOYEE,
        OverviewColumn.SUBMITTER,
        OverviewColumn.SUBMITTED_AT,
        OverviewColumn.PROCESS,
        OverviewColumn.STATUS,
    ]
    if tab is ProcessTab.OPEN:
        # Who must act next only means something while a request is open.
        keys.append(OverviewColumn.NEXT_ACTION_BY)
    if declarations:
        keys += [OverviewColumn.COMPONENT, OverviewColumn.VALUE, OverviewColumn.PAYROLL_PERIOD]
    return [COLUMN_SPECS[k] for k in keys]


# --- the detail of a request (seed 001 "Details per workflow") --------------------------------

STEP_STATE_LABELS = {
    StepState.PENDING: "Nog doen",
    StepState.OPEN: "Nog doen",
    StepState.DONE: "Afgerond",
    StepState.CANCELLED: "Vervallen",
}
ACTION_LABELS = {
    StepAction.NOTIFIED: "geïnformeerd",
    StepAction.COMPLETED: "afgerond",
    StepAction.APPROVED: "goedgekeurd",
    StepAction.REJECTED: "geweigerd",  # as the status label (Geweigerd)
}
WAITING = "wacht op actie"

USER_TYPE_GROUPS: dict[UserType | None, str] = {
    UserType.EMPLOYER: "Alle werkgevergebruikers",
    UserType.DEPARTMENT_MANAGER: "Afdelingsmanagers van de afdeling",
    UserType.PROVIDER: "Kantoorgebruikers",
}


def action_label(state: StepState, action: StepAction | None) -> str | None:
    """What happened at a step: its action, 'wacht op actie' while open, nothing before."""
    if action is not None:
        return ACTION_LABELS[action]
    return WAITING if state is StepState.OPEN else None


def assignee_label(
    step: StepConfig,
    *,
    role_names: dict[int, str],
    user_names: dict[int, str],
    department_has_managers: bool | None = None,
) -> str:
    """The role, user group or users a step is configured for, in Dutch. With
    `department_has_managers` known, the expense-claim default names whom it reaches."""
    assignee = step.assignee
    if assignee.kind is AssigneeKind.ROLE:
        name = role_names.get(assignee.role_id) if assignee.role_id is not None else None
        return f"Rol {name}" if name else "Een rol"  # a role the viewer may not see
    if assignee.kind is AssigneeKind.USERS:
        names = sorted(user_names.get(u, "(onbekend)") for u in assignee.user_ids)
        return ", ".join(names)
    if assignee.kind is AssigneeKind.ALL_USERS:
        if department_has_managers is None:
            return "Afdelingsmanagers van de afdeling, anders alle werkgevergebruikers"
        return (
            USER_TYPE_GROUPS[UserType.DEPARTMENT_MANAGER]
            if department_has_managers
            else USER_TYPE_GROUPS[UserType.EMPLOYER]
        )
    return USER_TYPE_GROUPS[assignee.user_type]


NOBODY = "Niemand bevoegd (geen behandelaar beschikbaar)"


def next_action_by(
    step: StepConfig,
    staff: EmployerStaff,
    subject: RequestSubject,
    *,
    mode: ApprovalMode | None,
    role_names: dict[int, str],
    user_names: dict[int, str],
) -> str:
    """Whom an open step waits on, as the overview's "next action by" column shows it: the
    configured role or group, the deviating approver who takes it over, or nobody."""
    who = resolve(step, staff, subject, mode=mode)
    if who.no_eligible_assignee:
        return NOBODY
    if who.via_deviating_approver:
        approver = subject.deviating_approver_id
        name = user_names.get(approver, "(onbekend)") if approver is not None else "(onbekend)"
        return f"Afwijkende goedkeurder {name}"
    managers = [
        m for m in staff.managers_of(subject.department_id) if m.person_id != subject.person_id
    ]
    return assignee_label(
        step,
        role_names=role_names,
        user_names=user_names,
        department_has_managers=bool(managers),
    )
