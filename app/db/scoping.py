"""The ONE place that narrows a query to what a principal may see.

Every read of a tenant-owned row goes through `restrict(select(Model)..., principal)`: lists,
`node(id)` look-ups, loaders, exports and subscriptions alike. The rules come from
`app/domain/authz.py`; this module only turns them into SQL conditions (subquery filters, never
checks after fetching), one rule per model in `RULES` (the conditions they are made of are in
`app/db/scoping_conditions.py`). A model without a rule cannot be read: `restrict` refuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from app.db import models as m
from app.db.eligibility import may_act
from app.db.scoping_conditions import (
    EDITOR_RIGHTS,
    USER_ADMIN_RIGHTS,
    USER_READER_RIGHTS,
    IdColumn,
    employee_condition,
    employers_where,
    instance_condition,
    managed_instance,
    own_employers,
    subject_of_visible_instance,
    user_condition,
    visible_instance,
)
from app.domain.authz import Principal, Right, UserType

__all__ = [
    "EDITOR_RIGHTS",
    "REQUEST_SUBJECTS",
    "RULES",
    "USER_ADMIN_RIGHTS",
    "USER_READER_RIGHTS",
    "actionable_tasks",
    "employers_where",
    "managed_instance",
    "restrict",
    "visibility",
]


class _RequestSubjects:
    """Pass as `right` when reading employees: also those a visible request is about, so that
    whoever handles a request sees whose it is (issue 4: an approver without VIEW_EMPLOYEES)."""


REQUEST_SUBJECTS = _RequestSubjects()

# What `right` may name: one right, any of several, REQUEST_SUBJECTS (employees), or nothing.
RightArg = Right | tuple[Right, ...] | _RequestSubjects | None
# A model's rule: the condition under which `principal` (never None here) reads its rows.
Rule = Callable[[Principal, RightArg], ColumnElement[bool]]

_S = TypeVar("_S", bound=Select[*tuple[Any, ...]])


def _is_staff(principal: Principal) -> bool:
    return principal.user_type is not UserType.EMPLOYEE


def _at_employer_or_own(column: IdColumn) -> Rule:
    """Rows at an employer the principal can reach, or at the employer of its own employment."""

    def rule(principal: Principal, right: RightArg) -> ColumnElement[bool]:
        return or_(employers_where(principal)(column), own_employers(principal, column))

    return rule


def _of_visible_instance(column: IdColumn) -> Rule:
    """Rows belonging to a request the principal may see (`column`: its instance id)."""

    def rule(principal: Principal, right: RightArg) -> ColumnElement[bool]:
        return visible_instance(principal, column)

    return rule


def _employees(principal: Principal, right: RightArg) -> ColumnElement[bool]:
    if isinstance(right, _RequestSubjects):
        return or_(
            employee_condition(principal, (Right.VIEW_EMPLOYEES,)),
            subject_of_visible_instance(principal),
        )
    if isinstance(right, tuple):
        return employee_condition(principal, right)
    return employee_condition(principal, (right or Right.VIEW_EMPLOYEES,))


def _instances(principal: Principal, right: RightArg) -> ColumnElement[bool]:
    if right is Right.PROCESS_MANAGEMENT:
        return managed_instance(principal)
    return instance_condition(principal)


def _outbox_emails(principal: Principal, right: RightArg) -> ColumnElement[bool]:
    # The e-mails an employer's requests sent, for whoever follows them in process
    # management (not department managers: the e-mails cover every department); that right
    # shows every request there. An invitation to MijnLoket is about a person: only for
    # whoever may see that employee (running collective actions, or viewing employees).
    if principal.is_department_manager:
        return false()
    invitation = aliased(m.Invitation)
    person_visible = exists(
        select(invitation.id).where(
            invitation.id == m.OutboxEmail.invitation_id,
            invitation.employee_id.in_(
                select(m.Employee.id).where(
                    employee_condition(principal, (Right.VIEW_EMPLOYEES, Right.COLLECTIVE_ACTIONS))
                )
            ),
        )
    )
    return and_(
        employers_where(principal, [Right.PROCESS_MANAGEMENT])(m.OutboxEmail.employer_id),
        or_(m.OutboxEmail.invitation_id.is_(None), person_visible),
    )


def _collective_actions(principal: Principal, right: RightArg) -> ColumnElement[bool]:
    # The message centre: whoever runs collective actions at the employer (never department
    # managers: an action covers every department).
    if principal.is_department_manager:
        return false()
    return employers_where(principal, [Right.COLLECTIVE_ACTIONS])(m.CollectiveAction.employer_id)


def _right_grants(principal: Principal, right: RightArg) -> ColumnElement[bool]:
    office_users = select(m.User.id).where(
        m.User.user_type == UserType.PROVIDER, m.User.provider_id == principal.provider_id
    )
    return or_(
        m.RightGrant.user_id == principal.user_id,
        employers_where(principal, [Right.MANAGE_USERS])(m.RightGrant.employer_id),
        and_(m.RightGrant.employer_id.is_(None), m.RightGrant.user_id.in_(office_users))
        # The office's grants hold at every employer, so whoever administers users at one of
        # its employers sees them (they are part of the rights that hold there).
        if principal.employers_with(Right.MANAGE_USERS)
        else false(),
    )


def _within(column: IdColumn, parent: type, parent_id: IdColumn) -> Rule:
    """Rows whose `column` names a row of `parent` (by `parent_id`) the principal may read."""

    def rule(principal: Principal, right: RightArg) -> ColumnElement[bool]:
        return column.in_(select(parent_id).where(visibility(parent, principal)))

    return rule


# One rule per model: adding a model that users may read means adding a row here.
RULES: dict[type, Rule] = {
    m.Employer: _at_employer_or_own(m.Employer.id),
    m.Provider: lambda p, right: m.Provider.id == p.provider_id if _is_staff(p) else false(),
    m.Department: _at_employer_or_own(m.Department.employer_id),
    # Employees under `right`, or any of several rights; VIEW_EMPLOYEES by default.
    m.Employee: _employees,
    m.WorkflowInstance: _instances,
    m.InstanceStep: _of_visible_instance(m.InstanceStep.instance_id),
    m.AuditEntry: _of_visible_instance(m.AuditEntry.instance_id),
    m.ExpenseClaim: _of_visible_instance(m.ExpenseClaim.instance_id),
    # Not personal: what can be declared at an employer, known to its staff and employees.
    m.Component: _at_employer_or_own(m.Component.employer_id),
    m.ComponentSet: _at_employer_or_own(m.ComponentSet.employer_id),
    m.ClosedPayrollPeriod: _at_employer_or_own(m.ClosedPayrollPeriod.employer_id),
    m.OutboxEmail: _outbox_emails,
    m.User: lambda p, right: user_condition(p),
    m.CollectiveAction: _collective_actions,
    m.CollectiveActionItem: _within(
        m.CollectiveActionItem.action_id, m.CollectiveAction, m.CollectiveAction.id
    ),
    m.ActionLogEntry: _within(
        m.ActionLogEntry.action_id, m.CollectiveAction, m.CollectiveAction.id
    ),
    # A download holds what its owner could see when it was made: the owner's alone.
    m.Export: lambda p, right: m.Export.user_id == p.user_id,
    m.ExportPart: lambda p, right: m.ExportPart.export_id.in_(
        select(m.Export.id).where(m.Export.user_id == p.user_id)
    ),
    # Roles are the office's vocabulary, known to all of its staff.
    m.Role: lambda p, right: m.Role.provider_id == p.provider_id if _is_staff(p) else false(),
    m.RoleLink: lambda p, right: or_(
        m.RoleLink.user_id == p.user_id,
        employers_where(p, USER_ADMIN_RIGHTS)(m.RoleLink.employer_id),
    ),
    m.RightGrant: _right_grants,
    m.ProductActivation: lambda p, right: employers_where(p)(m.ProductActivation.employer_id),
    m.ProductEvent: lambda p, right: employers_where(p, [Right.MANAGE_PRODUCTS])(
        m.ProductEvent.employer_id
    ),
    m.WorkflowDefinition: lambda p, right: employers_where(p, EDITOR_RIGHTS)(
        m.WorkflowDefinition.employer_id
    ),
    m.WorkflowDefinitionVersion: _within(
        m.WorkflowDefinitionVersion.definition_id, m.WorkflowDefinition, m.WorkflowDefinition.id
    ),
    # The editor's readers. A request's steps are read through the request instead
    # (`steps_of_instances`: joined to a visible instance).
    m.WorkflowStep: _within(
        m.WorkflowStep.version_id, m.WorkflowDefinitionVersion, m.WorkflowDefinitionVersion.id
    ),
    m.WorkflowStepUser: _within(m.WorkflowStepUser.step_id, m.WorkflowStep, m.WorkflowStep.id),
}


def visibility(
    model: type, principal: Principal | None, right: RightArg = None
) -> ColumnElement[bool]:
    """The condition under which `principal` may read rows of `model` (for employees: under
    `right`, or any of several rights; VIEW_EMPLOYEES by default)."""
    if principal is None:
        return false()
    rule = RULES.get(model)
    if rule is None:
        raise LookupError(f"no visibility rule for {model.__name__}: add one before reading it")
    return rule(principal, right)


def restrict(stmt: _S, principal: Principal | None, model: type, *, right: RightArg = None) -> _S:
    """`stmt` narrowed to the rows of `model` that `principal` may read (under `right`)."""
    return stmt.where(visibility(model, principal, right))


def actionable_tasks(stmt: _S, principal: Principal | None) -> _S:
    """`stmt` (over open instance steps joined as `eligibility.open_steps_of` does) narrowed to
    the steps `principal` may act on now: the task centre."""
    return stmt.where(may_act(principal))
