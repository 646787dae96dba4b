"""The ONE place that narrows a query to what a principal may see.

Every read of a tenant-owned row goes through `restrict(select(Model)..., principal)`: lists,
`node(id)` look-ups, loaders, exports and subscriptions alike. The rules come from
`app/domain/authz.py`; this module only turns them into SQL conditions (subquery filters, never
checks after fetching). A model without a rule here cannot be read: `restrict` refuses it.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
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


def employers_where(principal: Principal, rights: Iterable[Right] | None = None):
    """A condition builder: `column` lies in the employers where one of `rights` holds
    (or, with no rights named, in the employers the principal can reach at all)."""

    rights = tuple(rights) if rights is not None else None

    def condition(column) -> ColumnElement[bool]:
        if rights is not None and principal.provider_rights() & set(rights):
            # A provider-level right covers the whole office: a subquery, not a list of ids.
            return column.in_(
                select(m.Employer.id).where(m.Employer.provider_id == principal.provider_id)
            )
        if rights is None:
            ids = principal.reachable_employer_ids
        else:
            ids = frozenset().union(*(principal.employers_with(r) for r in rights))
        return column.in_(sorted(ids)) if ids else false()

    return condition


def _own_employers(principal: Principal, column) -> ColumnElement[bool]:
    """The employers of the principal's own employments, wherever they are: a person may see
    where it works. They are NOT reachable employers (no rights hold there through this)."""
    if principal.person_id is None:
        return false()
    return column.in_(
        select(m.Employee.employer_id).where(m.Employee.person_id == principal.person_id)
    )


def _employee_condition(principal: Principal, rights: tuple[Right, ...]) -> ColumnElement[bool]:
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


def _user_condition(principal: Principal) -> ColumnElement[bool]:
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
                _employee_condition(principal, (Right.VIEW_EMPLOYEES, *USER_READER_RIGHTS))
            )
        ),
    )
    return or_(
        m.User.id == principal.user_id, staff_of_employer, office_colleagues, employee_accounts
    )


class _RequestSubjects:
    """Pass as `right` when reading employees: also those a visible request is about, so that
    whoever handles a request sees whose it is (issue 4: an approver without VIEW_EMPLOYEES)."""


REQUEST_SUBJECTS = _RequestSubjects()


def _instance_condition(principal: Principal, wi=m.WorkflowInstance) -> ColumnElement[bool]:
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
    acted = exists(
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


def managed_instance(principal: Principal, wi=m.WorkflowInstance) -> ColumnElement[bool]:
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


def _visible_instance(principal: Principal, column) -> ColumnElement[bool]:
    """`column` (an instance id) names a request the principal may see: a correlated EXISTS,
    so a page of 50 rows checks 50 requests, not the whole history."""
    wi = aliased(m.WorkflowInstance)
    return exists(select(wi.id).where(wi.id == column, _instance_condition(principal, wi)))


def _subject_of_visible_instance(principal: Principal) -> ColumnElement[bool]:
    """Employees a visible request is about. Process management's scope is decided on the
    employee row itself (its employer and department), so that following requests at a large
    office never means scanning their whole history; what remains (one's own, submitted, acted
    on, waiting on one) is a correlated EXISTS over that employee's requests."""
    wi = aliased(m.WorkflowInstance)
    entry = aliased(m.AuditEntry)
    acted = exists(
        select(entry.id).where(entry.instance_id == wi.id, entry.actor_id == principal.user_id)
    )
    if principal.is_department_manager:
        # As for the request itself (`_instance_condition`): a manager's past actions count
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
        _employee_condition(principal, (Right.PROCESS_MANAGEMENT,)),
        exists(select(wi.id).where(wi.employee_id == m.Employee.id, mine)),
    )


def visibility(
    model: type,
    principal: Principal | None,
    right: Right | tuple[Right, ...] | _RequestSubjects | None = None,
):
    """The condition under which `principal` may read rows of `model` (for employees: under
    `right`, or any of several rights; VIEW_EMPLOYEES by default)."""
    if principal is None:
        return false()
    staff = principal.user_type is not UserType.EMPLOYEE
    if model is m.Employer:
        return or_(
            employers_where(principal)(m.Employer.id), _own_employers(principal, m.Employer.id)
        )
    if model is m.Provider:
        return m.Provider.id == principal.provider_id if staff else false()
    if model is m.Department:
        return or_(
            employers_where(principal)(m.Department.employer_id),
            _own_employers(principal, m.Department.employer_id),
        )
    if model is m.Employee:
        if right is REQUEST_SUBJECTS:
            return or_(
                _employee_condition(principal, (Right.VIEW_EMPLOYEES,)),
                _subject_of_visible_instance(principal),
            )
        rights = right if isinstance(right, tuple) else (right or Right.VIEW_EMPLOYEES,)
        return _employee_condition(principal, rights)
    if model is m.WorkflowInstance:
        if right is Right.PROCESS_MANAGEMENT:
            return managed_instance(principal)
        return _instance_condition(principal)
    if model is m.InstanceStep:
        return _visible_instance(principal, m.InstanceStep.instance_id)
    if model is m.AuditEntry:
        return _visible_instance(principal, m.AuditEntry.instance_id)
    if model is m.ExpenseClaim:
        return _visible_instance(principal, m.ExpenseClaim.instance_id)
    if model in (m.Component, m.ComponentSet, m.ClosedPayrollPeriod):
        # Not personal: what can be declared at an employer, known to its staff and employees.
        return or_(
            employers_where(principal)(model.employer_id),
            _own_employers(principal, model.employer_id),
        )
    if model is m.OutboxEmail:
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
                        _employee_condition(
                            principal, (Right.VIEW_EMPLOYEES, Right.COLLECTIVE_ACTIONS)
                        )
                    )
                ),
            )
        )
        return and_(
            employers_where(principal, [Right.PROCESS_MANAGEMENT])(m.OutboxEmail.employer_id),
            or_(m.OutboxEmail.invitation_id.is_(None), person_visible),
        )
    if model is m.User:
        return _user_condition(principal)
    if model is m.CollectiveAction:
        # The message centre: whoever runs collective actions at the employer (never department
        # managers: an action covers every department).
        if principal.is_department_manager:
            return false()
        return employers_where(principal, [Right.COLLECTIVE_ACTIONS])(
            m.CollectiveAction.employer_id
        )
    if model in (m.CollectiveActionItem, m.ActionLogEntry):
        return model.action_id.in_(
            select(m.CollectiveAction.id).where(visibility(m.CollectiveAction, principal))
        )
    if model is m.Export:
        # A download holds what its owner could see when it was made: the owner's alone.
        return m.Export.user_id == principal.user_id
    if model is m.ExportPart:
        return m.ExportPart.export_id.in_(
            select(m.Export.id).where(m.Export.user_id == principal.user_id)
        )
    if model is m.Role:
        # Roles are the office's vocabulary, known to all of its staff.
        return m.Role.provider_id == principal.provider_id if staff else false()
    if model is m.RoleLink:
        return or_(
            m.RoleLink.user_id == principal.user_id,
            employers_where(principal, USER_ADMIN_RIGHTS)(m.RoleLink.employer_id),
        )
    if model is m.RightGrant:
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
    if model is m.ProductActivation:
        return employers_where(principal)(m.ProductActivation.employer_id)
    if model is m.ProductEvent:
        return employers_where(principal, [Right.MANAGE_PRODUCTS])(m.ProductEvent.employer_id)
    if model is m.WorkflowDefinition:
        return employers_where(principal, EDITOR_RIGHTS)(m.WorkflowDefinition.employer_id)
    if model is m.WorkflowDefinitionVersion:
        return m.WorkflowDefinitionVersion.definition_id.in_(
            select(m.WorkflowDefinition.id).where(visibility(m.WorkflowDefinition, principal))
        )
    if model is m.WorkflowStep:
        # The editor's readers. A request's steps are read through the request instead
        # (`steps_of_instances`: joined to a visible instance).
        return m.WorkflowStep.version_id.in_(
            select(m.WorkflowDefinitionVersion.id).where(
                visibility(m.WorkflowDefinitionVersion, principal)
            )
        )
    if model is m.WorkflowStepUser:
        return m.WorkflowStepUser.step_id.in_(
            select(m.WorkflowStep.id).where(visibility(m.WorkflowStep, principal))
        )
    raise LookupError(f"no visibility rule for {model.__name__}: add one before reading it")


def restrict(
    stmt: Select,
    principal: Principal | None,
    model: type,
    *,
    right: Right | tuple[Right, ...] | _RequestSubjects | None = None,
):
    """`stmt` narrowed to the rows of `model` that `principal` may read (under `right`)."""
    return stmt.where(visibility(model, principal, right))


def actionable_tasks(stmt: Select, principal: Principal | None) -> Select:
    """`stmt` (over open instance steps joined as `eligibility.open_steps_of` does) narrowed to
    the steps `principal` may act on now: the task centre."""
    return stmt.where(may_act(principal))
