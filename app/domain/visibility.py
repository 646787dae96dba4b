"""Who may see a request (workflow instance) or an employee, decided in memory.

The live-update fan-out reads each changed request once per event and must then decide, for
every subscriber, whether that subscriber may see it: asking the database once per subscriber
would cost a query per subscriber per event. These predicates are the in-memory mirror of the
SQL in `app/db/scoping.py` (`instance_condition` and `employee_condition` of
`app/db/scoping_conditions.py`, and the REQUEST_SUBJECTS rule); `tests/test_request_visibility.py`
compares them for every demo user, every request and every employee, and for random principals,
so that the two cannot drift apart.

Who may act on an open step is not decided here again: `RequestFacts.actors` holds the outcome
of the domain's assignment rules (`app/domain/assignment.resolve`), which the task centre's SQL
(`app/db/eligibility.may_act`) mirrors in turn. The guards the SQL applies on the principal's
own fields (its reachable employers, its departments, its person) are repeated here, so that a
principal loaded a while ago is judged exactly as the SQL would judge it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.authz import Principal, Right, UserType, employee_scope, is_own_employment


@dataclass(frozen=True)
class RequestFacts:
    """What the visibility rule needs to know about one request, read once for everybody."""

    instance_id: int
    employer_id: int
    # The office of the request's employer: a provider-level right covers every employer of
    # the office, also one created after the subscriber's principal was loaded.
    employer_provider_id: int
    submitter_id: int
    employee_id: int
    employee_person_id: int
    employee_department_id: int
    actors: frozenset[int]  # who may act on the open step now; empty when none is open
    audit_actors: frozenset[int]  # who has an entry in its audit trail


def right_holds_at(
    principal: Principal, right: Right, employer_id: int, employer_provider_id: int | None
) -> bool:
    """`right` holds at this employer, as `scoping.employers_where` decides it: a provider-level
    right at every employer of the principal's office (not only those it could reach when it
    was loaded), an employer-level right where it was granted and can be reached."""
    if right in principal.provider_rights():
        return principal.provider_id is not None and employer_provider_id == principal.provider_id
    return employer_id in principal.employers_with(right)


def _in_own_departments(principal: Principal, department_id: int | None) -> bool:
    """A department manager sees an employee only in its departments; other users everywhere."""
    return not principal.is_department_manager or department_id in principal.department_ids


def may_see_employee(
    principal: Principal,
    employer_id: int,
    department_id: int | None,
    person_id: int | None,
    right: Right = Right.VIEW_EMPLOYEES,
    *,
    employer_provider_id: int,
) -> bool:
    """An employee is visible under `right`: one's own employment, or an employee at an
    employer where `right` holds (department managers: only in their departments)."""
    if person_id is not None and is_own_employment(principal, person_id):
        return True
    scope = employee_scope(principal, right)
    in_scope = scope.department_ids is None or department_id in scope.department_ids
    return in_scope and right_holds_at(principal, right, employer_id, employer_provider_id)


def may_act_now(principal: Principal, facts: RequestFacts) -> bool:
    """The principal may act on the request's open step: it is among the actors the assignment
    rules name, and passes the checks the task centre's SQL makes on the principal itself."""
    return (
        principal.user_id in facts.actors
        and principal.user_type is not UserType.EMPLOYEE
        and facts.employer_id in principal.reachable_employer_ids
        and not is_own_employment(principal, facts.employee_person_id)
        and facts.submitter_id != principal.user_id
        and _in_own_departments(principal, facts.employee_department_id)
    )


def is_managed_request(principal: Principal, facts: RequestFacts) -> bool:
    """Process management's scope: PROCESS_MANAGEMENT at the request's employer; a department
    manager's only for employees of its departments."""
    return right_holds_at(
        principal, Right.PROCESS_MANAGEMENT, facts.employer_id, facts.employer_provider_id
    ) and _in_own_departments(principal, facts.employee_department_id)


def may_see_request(principal: Principal, facts: RequestFacts) -> bool:
    """One's own requests (submitted, or about one's own person), those in process management's
    scope, those waiting on one's action, and those one acted on: a department manager's past
    actions only while the employee is in its departments (a transfer takes them out of sight).
    """
    if facts.submitter_id == principal.user_id:
        return True
    if is_own_employment(principal, facts.employee_person_id):
        return True
    if is_managed_request(principal, facts) or may_act_now(principal, facts):
        return True
    return principal.user_id in facts.audit_actors and _in_own_departments(
        principal, facts.employee_department_id
    )


def may_see_request_subject(
    principal: Principal,
    employer_id: int,
    department_id: int | None,
    person_id: int | None,
    *,
    employer_provider_id: int,
    visible_request: bool,
) -> bool | None:
    """Whether the employee a request is about may be read (REQUEST_SUBJECTS: whoever handles a
    request sees whose it is, also without VIEW_EMPLOYEES). `visible_request`: the caller knows
    a request about this employee that the principal may see.

    True when the employee is visible under VIEW_EMPLOYEES or PROCESS_MANAGEMENT, or is the
    subject of that visible request. None when these facts cannot decide it: another request
    about the employee may make it visible (the SQL also counts requests a department manager
    acted on before the employee left its departments), so the caller asks the database."""
    for right in (Right.VIEW_EMPLOYEES, Right.PROCESS_MANAGEMENT):
        if may_see_employee(
            principal,
            employer_id,
            department_id,
            person_id,
            right,
            employer_provider_id=employer_provider_id,
        ):
            return True
    return True if visible_request else None


# Rights under which users are known by name (app/db/scoping.USER_READER_RIGHTS, repeated here
# so the domain needs no database module; a test keeps the two equal).
USER_READER_RIGHTS = (
    Right.MANAGE_USERS,
    Right.VIEW_WORKFLOW_EDITOR,
    Right.MANAGE_WORKFLOW_EDITOR,
    Right.PROCESS_MANAGEMENT,
)


def may_see_user(
    principal: Principal,
    user_id: int,
    user_type: UserType,
    employer_id: int | None,
    provider_id: int | None,
    *,
    employer_provider_id: int | None,
) -> bool | None:
    """A user is known by name (the submitter of a request, who acted on a step): oneself;
    the staff of an employer where one of USER_READER_RIGHTS holds; the office's users for
    whoever holds one of them at any employer. None for MijnLoket accounts: whether their
    employment may be seen is the SQL's to decide (`scoping_conditions.user_condition`)."""
    if user_id == principal.user_id:
        return True
    if user_type in (UserType.EMPLOYER, UserType.DEPARTMENT_MANAGER):
        return employer_id is not None and any(
            right_holds_at(principal, right, employer_id, employer_provider_id)
            for right in USER_READER_RIGHTS
        )
    if user_type is UserType.PROVIDER:
        return (
            principal.user_type is not UserType.EMPLOYEE
            and provider_id == principal.provider_id
            and any(principal.employers_with(right) for right in USER_READER_RIGHTS)
        )
    return None
