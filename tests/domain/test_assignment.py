"""Who may act on a step and who gets its e-mail (DOMAIN.md section 4), without a database."""

from __future__ import annotations

import pytest

from app.domain.assignment import (
    EmployerStaff,
    RequestSubject,
    StaffMember,
    emails_per_request,
    resolve,
)
from app.domain.authz import UserType
from app.domain.catalogue import WorkflowType
from app.domain.definitions import (
    ApprovalMode,
    Assignee,
    StepConfig,
    StepKind,
    approval_mode,
)

# --- The staff of one employer ----------------------------------------------------------------

EMPLOYEE_PERSON = 50  # the employee the requests are about; also employer user 1

SELF_EMPLOYER = 1  # employer user who is the employee's own person
EMPLOYER = 2  # another employer user
MANAGER_1 = 3  # department manager of department 1
MANAGER_2 = 4  # department manager of department 2
PROVIDER = 5  # provider user with e-mail
PROVIDER_NO_MAIL = 6  # provider user without e-mail
NOT_STAFF = 99  # a user id that does not work at this employer

ROLE_HR = 7  # linked to SELF_EMPLOYER and PROVIDER
ROLE_EMPTY = 8  # linked to nobody

MEMBERS = (
    StaffMember(SELF_EMPLOYER, UserType.EMPLOYER, person_id=EMPLOYEE_PERSON),
    StaffMember(EMPLOYER, UserType.EMPLOYER, person_id=51),
    StaffMember(
        MANAGER_1, UserType.DEPARTMENT_MANAGER, person_id=52, department_ids=frozenset({1})
    ),
    StaffMember(
        MANAGER_2, UserType.DEPARTMENT_MANAGER, person_id=53, department_ids=frozenset({2})
    ),
    StaffMember(PROVIDER, UserType.PROVIDER, person_id=54),
    StaffMember(PROVIDER_NO_MAIL, UserType.PROVIDER, person_id=55, has_email=False),
)
LINKS = frozenset({(ROLE_HR, SELF_EMPLOYER), (ROLE_HR, PROVIDER)})
STAFF = EmployerStaff(MEMBERS, LINKS)

# The employee (person 50, also employer user 1) in department 1, which has a manager.
SELF_IN_DEPT_1 = RequestSubject(department_id=1, person_id=EMPLOYEE_PERSON)
# The same employee in department 3, which has no manager.
SELF_IN_DEPT_3 = RequestSubject(department_id=3, person_id=EMPLOYEE_PERSON)
# Another employee (no user of its own) in department 1 / department 3.
OTHER_IN_DEPT_1 = RequestSubject(department_id=1, person_id=60)
OTHER_IN_DEPT_2 = RequestSubject(department_id=2, person_id=60)
OTHER_IN_DEPT_3 = RequestSubject(department_id=3, person_id=60)


def step(kind, assignee, *, send_email=None, name="Stap"):
    if send_email is None:
        send_email = kind is StepKind.NOTIFICATION
    return StepConfig(kind, name, assignee, send_email)


def task(assignee, *, send_email=False):
    return step(StepKind.TASK, assignee, send_email=send_email)


def approval(assignee, *, send_email=False):
    return step(StepKind.APPROVAL, assignee, send_email=send_email)


def notification(assignee):
    return step(StepKind.NOTIFICATION, assignee, send_email=True)


ROLE_HR_TASK = task(Assignee.role(ROLE_HR), send_email=True)
ALL_USERS_APPROVAL = approval(Assignee.all_users(), send_email=True)


# --- Rule 1: the assignee names the candidates ------------------------------------------------


def test_role_resolves_to_its_holders_at_this_employer():
    a = resolve(task(Assignee.role(ROLE_HR)), STAFF, OTHER_IN_DEPT_1)
    assert a.actors == {SELF_EMPLOYER, PROVIDER}
    assert a.recipients == a.actors
    assert not a.no_eligible_assignee and not a.via_deviating_approver


def test_role_linked_at_another_employer_gives_nothing_here():
    # Same users, but at this (other) employer role 7 is linked to nobody.
    elsewhere = EmployerStaff(MEMBERS, frozenset())
    a = resolve(task(Assignee.role(ROLE_HR)), elsewhere, OTHER_IN_DEPT_1)
    assert a.actors == frozenset()
    assert a.no_eligible_assignee


def test_role_link_to_a_user_who_is_not_staff_is_ignored():
    staff = EmployerStaff(MEMBERS, LINKS | {(ROLE_HR, NOT_STAFF)})
    assert resolve(task(Assignee.role(ROLE_HR)), staff, OTHER_IN_DEPT_1).actors == {
        SELF_EMPLOYER,
        PROVIDER,
    }


@pytest.mark.parametrize("kind", [StepKind.TASK, StepKind.APPROVAL])
def test_role_with_nobody_linked_has_no_eligible_assignee(kind):
    a = resolve(step(kind, Assignee.role(ROLE_EMPTY), send_email=True), STAFF, OTHER_IN_DEPT_1)
    assert a.actors == a.recipients == a.email_to == frozenset()
    assert a.no_eligible_assignee


def test_notification_to_an_empty_role_informs_nobody_and_is_not_flagged():
    a = resolve(notification(Assignee.role(ROLE_EMPTY)), STAFF, OTHER_IN_DEPT_1)
    assert a.recipients == a.email_to == frozenset()
    assert not a.no_eligible_assignee


def test_user_type_employer_is_every_employer_user():
    a = resolve(task(Assignee.of_type(UserType.EMPLOYER)), STAFF, OTHER_IN_DEPT_1)
    assert a.actors == {SELF_EMPLOYER, EMPLOYER}


@pytest.mark.parametrize(
    ("subject", "managers"),
    [(OTHER_IN_DEPT_1, {MANAGER_1}), (OTHER_IN_DEPT_2, {MANAGER_2}), (OTHER_IN_DEPT_3, set())],
)
def test_user_type_department_manager_is_the_managers_of_the_employees_department(
    subject, managers
):
    a = resolve(task(Assignee.of_type(UserType.DEPARTMENT_MANAGER)), STAFF, subject)
    assert a.actors == managers
    assert a.no_eligible_assignee is (not managers)


def test_user_type_provider_is_the_offices_provider_users():
    a = resolve(task(Assignee.of_type(UserType.PROVIDER)), STAFF, OTHER_IN_DEPT_1)
    assert a.actors == {PROVIDER, PROVIDER_NO_MAIL}


def test_specific_users_ignore_ids_that_are_not_staff():
    a = resolve(approval(Assignee.users(EMPLOYER, MANAGER_1, NOT_STAFF)), STAFF, OTHER_IN_DEPT_1)
    assert a.actors == {EMPLOYER, MANAGER_1}


def test_department_managers_act_only_for_their_departments_whatever_the_route():
    # Chosen by name, linked to the role, or set as deviating approver: MANAGER_2 manages
    # department 2 only (DOMAIN.md section 1).
    chosen = resolve(approval(Assignee.users(EMPLOYER, MANAGER_2)), STAFF, OTHER_IN_DEPT_1)
    assert chosen.actors == {EMPLOYER}
    linked = EmployerStaff(MEMBERS, frozenset({(ROLE_HR, MANAGER_2)}))
    assert resolve(task(Assignee.role(ROLE_HR)), linked, OTHER_IN_DEPT_1).no_eligible_assignee
    assert resolve(task(Assignee.role(ROLE_HR)), linked, OTHER_IN_DEPT_2).actors == {MANAGER_2}
    deviating = with_deviating(OTHER_IN_DEPT_1, MANAGER_2)
    ignored = resolve(task(Assignee.role(ROLE_HR)), STAFF, deviating)
    assert ignored.actors == {SELF_EMPLOYER, PROVIDER} and not ignored.via_deviating_approver


def test_the_submitter_never_handles_its_own_request():
    subject = RequestSubject(department_id=3, person_id=60, submitter_id=EMPLOYER)
    a = resolve(approval(Assignee.of_type(UserType.EMPLOYER)), STAFF, subject)
    assert a.actors == {SELF_EMPLOYER} and EMPLOYER not in a.email_to


def test_specific_users_none_of_whom_is_staff_leave_nobody():
    a = resolve(approval(Assignee.users(NOT_STAFF)), STAFF, OTHER_IN_DEPT_1)
    assert a.actors == frozenset() and a.no_eligible_assignee


def test_all_users_prefers_the_managers_of_the_employees_department():
    a = resolve(task(Assignee.all_users()), STAFF, OTHER_IN_DEPT_1)
    assert a.actors == {MANAGER_1}
    a = resolve(task(Assignee.all_users()), STAFF, OTHER_IN_DEPT_2)
    assert a.actors == {MANAGER_2}


def test_all_users_falls_back_to_every_employer_user_without_department_managers():
    a = resolve(task(Assignee.all_users()), STAFF, OTHER_IN_DEPT_3)
    assert a.actors == {SELF_EMPLOYER, EMPLOYER}


# --- Expense claims: all-users versus restricted mode -----------------------------------------


def test_approval_mode_is_restricted_as_soon_as_one_step_names_users():
    expense = WorkflowType.EXPENSE_CLAIM
    assert approval_mode(expense, []) is ApprovalMode.ALL_USERS
    assert approval_mode(expense, [ALL_USERS_APPROVAL]) is ApprovalMode.ALL_USERS
    assert approval_mode(expense, [ROLE_HR_TASK, ALL_USERS_APPROVAL]) is ApprovalMode.ALL_USERS
    restricted = [ALL_USERS_APPROVAL, approval(Assignee.users(EMPLOYER))]
    assert approval_mode(expense, restricted) is ApprovalMode.RESTRICTED
    assert approval_mode(expense, [notification(Assignee.users(EMPLOYER))]) is (
        ApprovalMode.RESTRICTED
    )


@pytest.mark.parametrize(
    "workflow", [t for t in WorkflowType if t is not WorkflowType.EXPENSE_CLAIM]
)
def test_only_expense_claims_have_an_approval_mode(workflow):
    assert approval_mode(workflow, []) is None
    assert approval_mode(workflow, [approval(Assignee.of_type(UserType.EMPLOYER))]) is None


def test_all_users_mode_lets_provider_users_act_but_mails_only_the_employer_side():
    a = resolve(ALL_USERS_APPROVAL, STAFF, OTHER_IN_DEPT_1, mode=ApprovalMode.ALL_USERS)
    assert a.actors == {MANAGER_1, PROVIDER, PROVIDER_NO_MAIL}
    assert a.email_to == {MANAGER_1}
    assert not a.no_eligible_assignee and not a.via_deviating_approver


def test_all_users_mode_without_department_managers_mails_the_employer_users():
    a = resolve(ALL_USERS_APPROVAL, STAFF, OTHER_IN_DEPT_3, mode=ApprovalMode.ALL_USERS)
    assert a.actors == {SELF_EMPLOYER, EMPLOYER, PROVIDER, PROVIDER_NO_MAIL}
    assert a.email_to == {SELF_EMPLOYER, EMPLOYER}


def test_provider_users_are_added_only_to_an_approval_for_all_users_in_all_users_mode():
    mode = ApprovalMode.ALL_USERS
    # A task for all users: no provider users.
    assert resolve(task(Assignee.all_users()), STAFF, OTHER_IN_DEPT_1, mode=mode).actors == {
        MANAGER_1
    }
    # An approval for a role: only the role's holders.
    assert resolve(
        approval(Assignee.role(ROLE_EMPTY)), STAFF, OTHER_IN_DEPT_1, mode=mode
    ).actors == (frozenset())
    # No mode given (not an expense claim): no provider users.
    assert resolve(ALL_USERS_APPROVAL, STAFF, OTHER_IN_DEPT_1).actors == {MANAGER_1}


def test_restricted_mode_only_the_chosen_users_act_and_provider_users_do_not():
    steps = [approval(Assignee.users(EMPLOYER, NOT_STAFF), send_email=True)]
    mode = approval_mode(WorkflowType.EXPENSE_CLAIM, steps)
    assert mode is ApprovalMode.RESTRICTED
    a = resolve(steps[0], STAFF, OTHER_IN_DEPT_1, mode=mode)
    assert a.actors == a.recipients == {EMPLOYER}
    assert a.email_to == {EMPLOYER}
    assert not a.actors & {PROVIDER, PROVIDER_NO_MAIL, MANAGER_1}


def test_restricted_mode_all_users_approval_gets_no_provider_users():
    a = resolve(ALL_USERS_APPROVAL, STAFF, OTHER_IN_DEPT_1, mode=ApprovalMode.RESTRICTED)
    assert a.actors == {MANAGER_1}


def test_all_users_mode_never_lets_the_employee_act_as_a_provider_user():
    staff = EmployerStaff(
        (
            StaffMember(EMPLOYER, UserType.EMPLOYER, person_id=51),
            StaffMember(PROVIDER, UserType.PROVIDER, person_id=EMPLOYEE_PERSON),
        )
    )
    a = resolve(ALL_USERS_APPROVAL, staff, SELF_IN_DEPT_3, mode=ApprovalMode.ALL_USERS)
    assert a.actors == {EMPLOYER}


# --- Deviating approver -----------------------------------------------------------------------


def with_deviating(subject: RequestSubject, user_id: int) -> RequestSubject:
    return RequestSubject(subject.department_id, subject.person_id, user_id)


@pytest.mark.parametrize("kind", [StepKind.TASK, StepKind.APPROVAL])
def test_deviating_approver_replaces_the_candidates_of_action_steps(kind):
    subject = with_deviating(OTHER_IN_DEPT_1, MANAGER_1)
    a = resolve(step(kind, Assignee.role(ROLE_HR), send_email=True), STAFF, subject)
    assert a.actors == a.recipients == {MANAGER_1}
    assert a.email_to == {MANAGER_1}
    assert a.via_deviating_approver
    assert not a.no_eligible_assignee


def test_deviating_approver_stands_in_even_for_an_empty_role():
    subject = with_deviating(OTHER_IN_DEPT_1, EMPLOYER)
    a = resolve(task(Assignee.role(ROLE_EMPTY)), STAFF, subject)
    assert a.actors == {EMPLOYER} and a.via_deviating_approver and not a.no_eligible_assignee


def test_deviating_approver_does_not_change_notification_recipients():
    subject = with_deviating(OTHER_IN_DEPT_1, MANAGER_2)
    a = resolve(notification(Assignee.role(ROLE_HR)), STAFF, subject)
    assert a.recipients == {SELF_EMPLOYER, PROVIDER}
    assert a.email_to == {SELF_EMPLOYER, PROVIDER}
    assert a.actors == frozenset()
    assert not a.via_deviating_approver


def test_deviating_approver_who_is_the_employee_is_ignored():
    subject = with_deviating(SELF_IN_DEPT_1, SELF_EMPLOYER)
    a = resolve(task(Assignee.role(ROLE_HR)), STAFF, subject)
    assert not a.via_deviating_approver
    assert a.actors == {PROVIDER}  # the role's other holder; never the employee


def test_deviating_approver_who_is_not_staff_is_ignored():
    subject = with_deviating(OTHER_IN_DEPT_1, NOT_STAFF)
    a = resolve(task(Assignee.role(ROLE_HR)), STAFF, subject)
    assert not a.via_deviating_approver
    assert a.actors == {SELF_EMPLOYER, PROVIDER}


def test_deviating_approver_in_all_users_mode_adds_no_provider_users():
    subject = with_deviating(OTHER_IN_DEPT_1, EMPLOYER)
    a = resolve(ALL_USERS_APPROVAL, STAFF, subject, mode=ApprovalMode.ALL_USERS)
    assert a.actors == {EMPLOYER}
    assert a.email_to == {EMPLOYER}
    assert a.via_deviating_approver


# --- Self-approval is never allowed -----------------------------------------------------------


@pytest.mark.parametrize("kind", [StepKind.TASK, StepKind.APPROVAL])
def test_the_employee_never_acts_even_when_holding_the_role(kind):
    a = resolve(step(kind, Assignee.role(ROLE_HR), send_email=True), STAFF, SELF_IN_DEPT_1)
    assert SELF_EMPLOYER not in a.actors
    assert SELF_EMPLOYER not in a.email_to
    assert a.actors == {PROVIDER}


def test_the_employee_never_acts_as_one_of_all_employer_users():
    a = resolve(task(Assignee.of_type(UserType.EMPLOYER), send_email=True), STAFF, SELF_IN_DEPT_1)
    assert a.actors == a.email_to == {EMPLOYER}
    a = resolve(task(Assignee.all_users(), send_email=True), STAFF, SELF_IN_DEPT_3)
    assert a.actors == a.email_to == {EMPLOYER}


def test_the_employee_chosen_as_specific_user_is_removed():
    a = resolve(approval(Assignee.users(SELF_EMPLOYER)), STAFF, SELF_IN_DEPT_1)
    assert a.actors == frozenset() and a.no_eligible_assignee


ONLY_THE_EMPLOYEE = EmployerStaff(
    (
        StaffMember(SELF_EMPLOYER, UserType.EMPLOYER, person_id=EMPLOYEE_PERSON),
        StaffMember(PROVIDER, UserType.PROVIDER, person_id=54),
    ),
    frozenset({(ROLE_HR, SELF_EMPLOYER)}),
)


@pytest.mark.parametrize("kind", [StepKind.TASK, StepKind.APPROVAL])
@pytest.mark.parametrize(
    "assignee", [Assignee.of_type(UserType.EMPLOYER), Assignee.role(ROLE_HR)], ids=["type", "role"]
)
def test_nobody_left_but_the_employee_means_no_eligible_assignee(kind, assignee):
    a = resolve(step(kind, assignee, send_email=True), ONLY_THE_EMPLOYEE, SELF_IN_DEPT_1)
    assert a.actors == a.recipients == a.email_to == frozenset()
    assert a.no_eligible_assignee
    assert not a.via_deviating_approver


def test_the_employee_still_receives_a_notification_about_its_own_request():
    a = resolve(
        notification(Assignee.of_type(UserType.EMPLOYER)), ONLY_THE_EMPLOYEE, SELF_IN_DEPT_1
    )
    assert a.recipients == a.email_to == {SELF_EMPLOYER}
    assert a.actors == frozenset()
    assert not a.no_eligible_assignee


# --- E-mail -----------------------------------------------------------------------------------


def test_notification_mails_every_recipient_with_an_address():
    a = resolve(notification(Assignee.of_type(UserType.PROVIDER)), STAFF, OTHER_IN_DEPT_1)
    assert a.recipients == {PROVIDER, PROVIDER_NO_MAIL}
    assert a.email_to == {PROVIDER}


@pytest.mark.parametrize("kind", [StepKind.TASK, StepKind.APPROVAL])
def test_action_steps_mail_their_actors_only_with_the_switch_on(kind):
    assignee = Assignee.of_type(UserType.PROVIDER)
    off = resolve(step(kind, assignee, send_email=False), STAFF, OTHER_IN_DEPT_1)
    assert off.actors == {PROVIDER, PROVIDER_NO_MAIL}
    assert off.email_to == frozenset()
    on = resolve(step(kind, assignee, send_email=True), STAFF, OTHER_IN_DEPT_1)
    assert on.actors == {PROVIDER, PROVIDER_NO_MAIL}
    assert on.email_to == {PROVIDER}  # the user without an address is never mailed


def test_emails_per_request_counts_per_step():
    steps = [
        notification(Assignee.of_type(UserType.PROVIDER)),  # 1 of 2 has an address
        task(Assignee.of_type(UserType.EMPLOYER), send_email=False),  # switch off
        ROLE_HR_TASK,  # both holders
        approval(Assignee.role(ROLE_EMPTY), send_email=True),  # nobody
        approval(Assignee.of_type(UserType.DEPARTMENT_MANAGER), send_email=True),
    ]
    assert emails_per_request(steps, STAFF, OTHER_IN_DEPT_1) == [1, 0, 2, 0, 1]
    # For the employee's own request it is not mailed as an actor.
    assert emails_per_request(steps, STAFF, SELF_IN_DEPT_1) == [1, 0, 1, 0, 1]
    assert emails_per_request([], STAFF, OTHER_IN_DEPT_1) == []


def test_emails_per_request_follows_todays_role_links():
    steps = [ROLE_HR_TASK, approval(Assignee.role(ROLE_EMPTY), send_email=True)]
    assert emails_per_request(steps, STAFF, OTHER_IN_DEPT_1) == [2, 0]
    relinked = EmployerStaff(MEMBERS, LINKS | {(ROLE_HR, EMPLOYER), (ROLE_EMPTY, MANAGER_1)})
    assert emails_per_request(steps, relinked, OTHER_IN_DEPT_1) == [3, 1]
    # A link to a user without an address adds an actor but no e-mail.
    no_mail = EmployerStaff(MEMBERS, LINKS | {(ROLE_EMPTY, PROVIDER_NO_MAIL)})
    assert emails_per_request(steps, no_mail, OTHER_IN_DEPT_1) == [2, 0]
    assert resolve(steps[1], no_mail, OTHER_IN_DEPT_1).actors == {PROVIDER_NO_MAIL}


def test_a_relinked_role_hands_its_tasks_to_the_new_holder():
    before = resolve(ROLE_HR_TASK, STAFF, OTHER_IN_DEPT_1)
    after = resolve(ROLE_HR_TASK, EmployerStaff(MEMBERS, {(ROLE_HR, EMPLOYER)}), OTHER_IN_DEPT_1)
    assert before.actors == {SELF_EMPLOYER, PROVIDER}
    assert after.actors == {EMPLOYER}


def test_emails_per_request_in_all_users_mode_leaves_out_provider_users():
    steps = [ALL_USERS_APPROVAL]
    assert emails_per_request(steps, STAFF, OTHER_IN_DEPT_1, mode=ApprovalMode.ALL_USERS) == [1]
    assert emails_per_request(steps, STAFF, OTHER_IN_DEPT_3, mode=ApprovalMode.ALL_USERS) == [2]


# --- Counting for no request in particular ----------------------------------------------------


def test_without_a_subject_department_managers_of_every_department_count():
    a = resolve(task(Assignee.of_type(UserType.DEPARTMENT_MANAGER)), STAFF, None)
    assert a.actors == {MANAGER_1, MANAGER_2}
    a = resolve(task(Assignee.all_users()), STAFF, None)
    assert a.actors == {MANAGER_1, MANAGER_2}


def test_without_a_subject_nobody_is_excluded_as_the_employee():
    a = resolve(task(Assignee.of_type(UserType.EMPLOYER), send_email=True), STAFF, None)
    assert a.actors == a.email_to == {SELF_EMPLOYER, EMPLOYER}
    a = resolve(task(Assignee.role(ROLE_HR), send_email=True), STAFF, None)
    assert a.actors == a.email_to == {SELF_EMPLOYER, PROVIDER}
    assert not a.via_deviating_approver


def test_emails_per_request_without_a_subject():
    steps = [
        notification(Assignee.of_type(UserType.DEPARTMENT_MANAGER)),
        task(Assignee.of_type(UserType.EMPLOYER), send_email=True),
        ROLE_HR_TASK,
    ]
    assert emails_per_request(steps, STAFF) == [2, 2, 2]


def test_all_users_falls_back_when_the_only_manager_is_the_employee_itself():
    """The manager of the department submits: it cannot approve, so employer users do."""
    from app.domain.assignment import EmployerStaff, RequestSubject, StaffMember, resolve
    from app.domain.authz import UserType as T
    from app.domain.definitions import Assignee, StepConfig, StepKind

    staff = EmployerStaff(
        members=(
            StaffMember(1, T.DEPARTMENT_MANAGER, person_id=50, department_ids=frozenset({1})),
            StaffMember(2, T.EMPLOYER, person_id=60),
        )
    )
    step = StepConfig(StepKind.TASK, "Controleren", Assignee.all_users(), True)
    result = resolve(step, staff, RequestSubject(department_id=1, person_id=50))
    assert result.actors == {2} and not result.no_eligible_assignee


def test_restricted_mode_keeps_the_chosen_users_over_a_deviating_approver():
    """Decision: specific users keep their step; the deviating approver steps in only when the
    chosen users are all the employee itself."""
    from app.domain.assignment import EmployerStaff, RequestSubject, StaffMember, resolve
    from app.domain.authz import UserType as T
    from app.domain.definitions import ApprovalMode, Assignee, StepConfig, StepKind

    staff = EmployerStaff(
        members=(
            StaffMember(1, T.EMPLOYER, person_id=50),  # the employee itself
            StaffMember(2, T.EMPLOYER, person_id=60),
            StaffMember(9, T.EMPLOYER, person_id=90),  # the deviating approver
        )
    )
    subject = RequestSubject(department_id=1, person_id=50, deviating_approver_id=9)
    chosen = StepConfig(StepKind.APPROVAL, "Goedkeuren", Assignee.users(1, 2), True)
    kept = resolve(chosen, staff, subject, mode=ApprovalMode.RESTRICTED)
    assert kept.actors == {2} and not kept.via_deviating_approver
    only_self = StepConfig(StepKind.APPROVAL, "Goedkeuren", Assignee.users(1), True)
    taken_over = resolve(only_self, staff, subject, mode=ApprovalMode.RESTRICTED)
    assert taken_over.actors == {9} and taken_over.via_deviating_approver
