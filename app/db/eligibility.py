"""Which open steps a principal may act on, as SQL: the mirror of `app/domain/assignment.resolve`.

The task centre lists thousands of open steps, so eligibility cannot be decided row by row in
Python; this module states the same rules as one SQL condition over a workflow instance (`WI`), the
step configuration it waits on (`S`, from its pinned definition version) and its employee (`E`).
Acting on a step still asks the domain function, which is the authority; a test compares the two
for every demo user and open step so that they cannot drift apart.

The rules, for the signed-in user U (see assignment.py for the why):
- never a request about U's own person, nor one U submitted (a management action);
- a department manager only for employees of its own departments, whichever way the step
  reaches it (role link, specific users, deviating approver);
- the employee's deviating approver, when set (and active, and not the employee itself), takes
  over every step that is not assigned to specific users; for specific users it takes over only
  when none of them is left;
- otherwise the assignee decides: a role linked to U at this employer, U's user type (department
  managers for the employee's department), U named among specific users, or "all users": the
  department's managers if it has any, else the employer users; provider users may also approve
  such expense claims (decision in DOMAIN.md section 4).
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    exists,
    false,
    or_,
    select,
    true,
)
from sqlalchemy.orm import aliased

from app.db import models as m
from app.domain.authz import Principal, UserType
from app.domain.definitions import AssigneeKind, StepKind

WI, S, E = m.WorkflowInstance, m.WorkflowStep, m.Employee

_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


def _not_the_employee(user: type[m.User]) -> ColumnElement[bool]:
    return or_(user.person_id.is_(None), user.person_id != E.person_id)


def _may_handle(user: type[m.User]) -> ColumnElement[bool]:
    """The SQL of assignment.resolve's `may_handle` for another user than the viewer."""
    # The user's departments as a list the employee's department must be in: an EXISTS over
    # user_departments with `E.department_id` inside bound E to a fresh FROM two subqueries
    # down (any department counted), found by tests/test_request_visibility.py.
    ud = aliased(m.UserDepartment)
    managed = E.department_id.in_(select(ud.department_id).where(ud.user_id == user.id))
    return and_(
        _not_the_employee(user),
        user.id != WI.submitter_id,
        or_(user.user_type != UserType.DEPARTMENT_MANAGER, managed),
    )


def _deviating_approver_valid() -> ColumnElement[bool]:
    approver = aliased(m.User)
    # The IS NOT NULL guard first: PostgreSQL then skips the sub-plan for the many employees
    # without a deviating approver (bench/task_centre.py: 5 times faster on the first page).
    return E.deviating_approver_id.is_not(None) & exists(
        select(approver.id).where(
            approver.id == E.deviating_approver_id, approver.active, _may_handle(approver)
        )
    )


def _other_chosen_users() -> ColumnElement[bool]:
    """A specific user of the step, other than the employee itself, who can still act."""
    chosen = aliased(m.User)
    return exists(
        select(m.WorkflowStepUser.user_id)
        .join(chosen, chosen.id == m.WorkflowStepUser.user_id)
        .where(m.WorkflowStepUser.step_id == S.id, chosen.active, _may_handle(chosen))
    )


def _department_has_managers() -> ColumnElement[bool]:
    manager = aliased(m.User)
    return exists(
        select(m.UserDepartment.user_id)
        .join(manager, manager.id == m.UserDepartment.user_id)
        .where(
            m.UserDepartment.department_id == E.department_id,
            manager.user_type == UserType.DEPARTMENT_MANAGER,
            manager.active,
            manager.employer_id == WI.employer_id,
            _may_handle(manager),
        )
    )


def _by_assignee(p: Principal) -> ColumnElement[bool]:
    """U is among the candidates the step's assignee names (no deviating approver in play)."""
    in_my_departments: ColumnElement[bool] = (
        E.department_id.in_(sorted(p.department_ids)) if p.department_ids else false()
    )
    role = and_(
        S.assignee_kind == AssigneeKind.ROLE,
        exists(
            select(m.RoleLink.id).where(
                m.RoleLink.role_id == S.role_id,
                m.RoleLink.user_id == p.user_id,
                m.RoleLink.employer_id == WI.employer_id,
            )
        ),
    )
    user_type = and_(
        S.assignee_kind == AssigneeKind.USER_TYPE,
        S.user_type == p.user_type,
        in_my_departments if p.is_department_manager else true(),
    )
    chosen = and_(S.assignee_kind == AssigneeKind.USERS, _chosen(p))
    all_users: ColumnElement[bool]
    if p.is_department_manager:
        all_users = in_my_departments
    elif p.user_type is UserType.EMPLOYER:
        all_users = ~_department_has_managers()
    else:  # provider users: approvals of expense claims in all-users mode
        all_users = S.kind == StepKind.APPROVAL
    return or_(role, user_type, chosen, and_(S.assignee_kind == AssigneeKind.ALL_USERS, all_users))


def _chosen(p: Principal) -> ColumnElement[bool]:
    return exists(
        select(m.WorkflowStepUser.user_id).where(
            m.WorkflowStepUser.step_id == S.id, m.WorkflowStepUser.user_id == p.user_id
        )
    )


def may_act(p: Principal | None) -> ColumnElement[bool]:
    """U may act on the step S of WI (joined with S and E as described above); the caller
    makes sure S is the open step (`open_steps_of`, or an OPEN instance step)."""
    if p is None or p.user_type is UserType.EMPLOYEE or not p.reachable_employer_ids:
        return false()
    deviating = _deviating_approver_valid()
    is_deviating = E.deviating_approver_id == p.user_id
    not_own = E.person_id != p.person_id if p.person_id is not None else true()
    in_scope = (
        (E.department_id.in_(sorted(p.department_ids)) if p.department_ids else false())
        if p.is_department_manager
        else true()
    )
    return and_(
        WI.employer_id.in_(sorted(p.reachable_employer_ids)),
        not_own,
        WI.submitter_id != p.user_id,
        in_scope,
        or_(
            and_(deviating, S.assignee_kind != AssigneeKind.USERS, is_deviating),
            and_(
                deviating,
                S.assignee_kind == AssigneeKind.USERS,
                or_(_chosen(p), and_(is_deviating, ~_other_chosen_users())),
            ),
            and_(~deviating, _by_assignee(p)),
        ),
    )


def open_steps_of(stmt: _S, position: SQLColumnExpression[int | None] | None = None) -> _S:
    """Join `stmt` (selecting from WI) to a step's configuration and the employee: the step at
    `position` (a column; default the instance's open step)."""
    position = WI.open_position if position is None else position
    return stmt.join(
        S, and_(S.version_id == WI.definition_version_id, S.position == position)
    ).join(E, E.id == WI.employee_id)
