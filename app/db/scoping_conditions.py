"""The SQL conditions `app/db/scoping.py`'s rules are made of: who may read employers, employees,
users and requests. The rules come from `app/domain/authz.py` (their in-memory mirror for the
live updates is `app/domain/visibility.py`); only `scoping.visibility` and `scoping.restrict`
should be called from elsewhere, plus the condition builders it re-exports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from app.db import models as m
from app.db.eligibility import may_act, open_steps_of
from app.domain.authz import Principal, Right, UserType, employee_scope

# Rights under which the users, role links and grants of an employer may be read: the people
# who administer users and the people who assign workflow steps to them.
USER_ADMIN_RIGHTS = (Right.MANAGE_USERS, Right.VIEW_WORKFLOW_EDITOR, Right.MANAGE_WORKFLOW_EDITOR)
# Rights under which workflow definitions are read (changing them needs MANAGE_WORKFLOW_EDITOR).
EDITOR_RIGHTS = (Right.VIEW_WORKFLOW_EDITOR, Right.MANAGE_WORKFLOW_EDITOR)
# Rights under which users are known by name: administrators, and process management, whose
# overview and detail show who submitted a request and who acted on each step.
USER_READER_RIGHTS = (*USER_ADMIN_RIGHTS, Right.PROCESS_MANAGEMENT)

# A column holding an id (an employer's, an instance's): a mapped attribute or an expression.
IdColumn = SQLColumnExpression[int | None]
# The condition builder `employers_where` returns.
EmployerCondition = Callable[[IdColumn], ColumnElement[bool]]


@dataclass(frozen=True)
class OnEmployee:
    """A request's employer and employee as columns of the employee row (its employer, and
    itself): `managed_instance` decided on employees."""

    employer_id: IdColumn
    employee_id: IdColumn


def employers_where(
    principal: Principal, rights: Iterable[Right] | None = None
) -> EmployerCondition:
    """A condition builder: `column` lies in the employers where one of `rights` holds
    (or, with no rights named, in the employers the principal can reach at all)."""

    wanted = tuple(rights) if rights is not None else None

    def condition(column: IdColumn) -> ColumnElement[bool]:
        if wanted is not None and principal.provider_rights() & set(wanted):
            # A provider-level right covers the whole office: a subquery, not a list of ids.
            return column.in_(
                select(m.Employer.id).where(m.Employer.provider_id == principal.provider_id)
            )
        if wanted is None:
            ids = principal.reachable_employer_ids
        else:
            ids = frozenset[int]().union(*(principal.employers_with(r) for r in wanted))
        return column.in_(sorted(ids)) if ids else false()

    return condition


def own_employers(principal: Principal, column: IdColumn) -> ColumnElement[bool]:
    """The employers of the principal's own employments, wherever they are: a person may see
    where it works. They are NOT reachable employers (no rights hold there through this)."""
    if principal.person_id is None:
        return false()
    return column.in_(
        select(m.Employee.employer_id).where(m.Employee.person_id == principal.person_id)
    )


def employee_condition(principal: Principal, rights: tuple[Right, ...]) -> ColumnElement[bool]:
    """Own employments, plus employees where one of `rights` holds (managers: their departments)."""
    scope = employee_scope(principal, rights[0])
    staff = employers_where(principal, rights)(m.Employee.employer_id)
    if scope.department_ids is not None:
        staff = and_(
            staff,
            m.Employee.department_id.in_(sorted(scope.department_ids))
            if scope.department_ids
            else false(),
        )
    if scope.own_person_id is not None:
        return or_(m.Employee.person_id == scope.own_person_id, staff)
    return staff


def user_condition(principal: Principal) -> ColumnElement[bool]:
    in_employer = employers_where(principal, USER_READER_RIGHTS)
    staff_of_employer = and_(
        m.User.user_type.in_([UserType.EMPLOYER, UserType.DEPARTMENT_MANAGER]),
        in_employer(m.User.employer_id),
    )
    # Provider users are colleagues at every employer of the office: visible to whoever may
    # administer users or workflow assignees, or follow requests (process management), at any
    # of its employers. Department managers with PROCESS_MANAGEMENT thus see the employer's
    # staff by name (who acted on a step), never employees outside their departments.
    office_colleagues = (
        and_(m.User.user_type == UserType.PROVIDER, m.User.provider_id == principal.provider_id)
        if principal.user_type is not UserType.EMPLOYEE
        and any(principal.employers_with(r) for r in USER_READER_RIGHTS)
        else false()
    )
    # MijnLoket accounts: visible with the employment behind them (so that administrators get
    # a clear refusal when they pick one, rather than "not found").
    employee_accounts = and_(
        m.User.user_type == UserType.EMPLOYEE,
        m.User.person_id.in_(
            select(m.Employee.person_id).where(
                employee_condition(principal, (Right.VIEW_EMPLOYEES, *USER_READER_RIGHTS))
            )
        ),
    )
    return or_(
        m.User.id == principal.user_id, staff_of_employer, office_colleagues, employee_accounts
    )


def instance_condition(
    principal: Principal, wi: type[m.WorkflowInstance] = m.WorkflowInstance
) -> ColumnElement[bool]:
    """Requests: one's own (submitted or about oneself), those in process management's scope
    (PROCESS_MANAGEMENT; managers: their departments), those waiting on one's action, and those
    one acted on. Over `wi` (the model or an alias); every inner query is either uncorrelated
    (`correlate(None)`) or over an alias of its own, so that it never binds to a table of the
    query it is embedded in."""
    own = (
        wi.employee_id.in_(
            select(m.Employee.id).where(m.Employee.person_id == principal.person_id).correlate(None)
        )
        if principal.person_id is not None
        else false()
    )
    managed = managed_instance(principal, wi)
    actionable = wi.id.in_(
        open_steps_of(select(m.WorkflowInstance.id))
        .where(m.WorkflowInstance.open_position.is_not(None), may_act(principal))
        .correlate(None)
    )
    entry = aliased(m.AuditEntry)
    acted: ColumnElement[bool] = exists(
        select(entry.id).where(entry.instance_id == wi.id, entry.actor_id == principal.user_id)
    )
    if principal.is_department_manager:
        # A manager's past actions stay visible only while the employee is in its departments.
        acted = and_(
            acted,
            wi.employee_id.in_(
                select(m.Employee.id)
                .where(m.Employee.department_id.in_(sorted(principal.department_ids)))
                .correlate(None)
            ),
        )
    submitted = wi.submitter_id == principal.user_id
    return or_(submitted, own, managed, actionable, acted)


def managed_instance(
    principal: Principal, wi: type[m.WorkflowInstance] | OnEmployee = m.WorkflowInstance
) -> ColumnElement[bool]:
    """Process management's scope (DOMAIN.md section 6): requests at employers where
    PROCESS_MANAGEMENT holds; a department manager's only for employees of its departments,
    whatever else a filter says. Written on the instance's own columns (employer first), so
    that the overview walks the (employer, ...) indexes instead of the employee table."""
    condition = employers_where(principal, [Right.PROCESS_MANAGEMENT])(wi.employer_id)
    if principal.is_department_manager:
        departments = sorted(principal.department_ids)
        condition = and_(
            condition,
            wi.employee_id.in_(
                select(m.Employee.id)
                .where(m.Employee.department_id.in_(departments))
                .correlate(None)
            )
            if departments
            else false(),
        )
    return condition


def visible_instance(principal: Principal, column: IdColumn) -> ColumnElement[bool]:
    """`column` (an instance id) names a request the principal may see: a correlated EXISTS,
    so a page of 50 rows checks 50 requests, not the whole history."""
    wi = aliased(m.WorkflowInstance)
    return exists(select(wi.id).where(wi.id == column, instance_condition(principal, wi)))


def subject_of_visible_instance(principal: Principal) -> ColumnElement[bool]:
    """Employees a visible request is about. Process management's scope is decided on the
    employee row itself (its employer and department), so that following requests at a large
    office never means scanning their whole history; what remains (one's own, submitted, acted
    on, waiting on one) is a correlated EXISTS over that employee's requests."""
    wi = aliased(m.WorkflowInstance)
    entry = aliased(m.AuditEntry)
    acted: ColumnElement[bool] = exists(
        select(entry.id).where(entry.instance_id == wi.id, entry.actor_id == principal.user_id)
    )
    if principal.is_department_manager:
        # As for the request itself (`instance_condition`): a manager's past actions count
        # only while the employee is in its departments.
        acted = and_(
            acted,
            m.Employee.department_id.in_(sorted(principal.department_ids))
            if principal.department_ids
            else false(),
        )
    mine = or_(
        wi.submitter_id == principal.user_id,
        wi.id.in_(
            open_steps_of(select(m.WorkflowInstance.id))
            .where(m.WorkflowInstance.open_position.is_not(None), may_act(principal))
            .correlate(None)
        ),
        acted,
    )
    return or_(
        employee_condition(principal, (Right.PROCESS_MANAGEMENT,)),
        exists(select(wi.id).where(wi.employee_id == m.Employee.id, mine)),
    )
