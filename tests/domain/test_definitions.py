"""Workflow definitions, their checks and defaults, and the workflow catalogue (DOMAIN.md 3-4)."""

from __future__ import annotations

import pytest

from app.domain.authz import UserType
from app.domain.catalogue import (
    PRODUCT_NAMES,
    WORKFLOW_TYPES,
    Product,
    WorkflowOrigin,
    WorkflowType,
    missing_products,
    products_missing_error,
)
from app.domain.definitions import (
    MAX_STEPS,
    ApprovalMode,
    Assignee,
    AssigneeKind,
    StepConfig,
    StepKind,
    approval_mode,
    check_steps,
    default_steps,
)
from app.domain.errors import DomainError, ErrorCode

W = WorkflowType
UPDATE_TYPES = [
    W.ADDRESS_UPDATE,
    W.MARITAL_STATUS_UPDATE,
    W.CONTACT_DETAILS_UPDATE,
    W.EMERGENCY_CONTACTS_UPDATE,
    W.IBAN_UPDATE,
]
MANAGEMENT_ACTIONS = [W.CONTRACT_EXTENSION, W.EMPLOYMENT_TERMINATION]
NON_EXPENSE = [*UPDATE_TYPES, *MANAGEMENT_ACTIONS]


def task(name="Controleren", assignee=None, send_email=False):
    return StepConfig(
        StepKind.TASK, name, assignee or Assignee.of_type(UserType.EMPLOYER), send_email
    )


def refused(workflow, steps) -> DomainError:
    with pytest.raises(DomainError) as info:
        check_steps(workflow, steps)
    return info.value


# --- Default configurations (decision) --------------------------------------------------------


def test_expense_claim_default_is_one_approval_for_all_users_with_email():
    (only,) = default_steps(W.EXPENSE_CLAIM)
    assert only.kind is StepKind.APPROVAL
    assert only.assignee.kind is AssigneeKind.ALL_USERS
    assert only.send_email is True
    assert approval_mode(W.EXPENSE_CLAIM, default_steps(W.EXPENSE_CLAIM)) is ApprovalMode.ALL_USERS


@pytest.mark.parametrize("workflow", UPDATE_TYPES)
def test_update_default_is_one_check_task_for_employer_users_without_email(workflow):
    (only,) = default_steps(workflow)
    assert only.kind is StepKind.TASK
    assert only.name == "Controleren"
    assert only.assignee == Assignee.of_type(UserType.EMPLOYER)
    assert only.send_email is False


@pytest.mark.parametrize("workflow", MANAGEMENT_ACTIONS)
def test_management_action_default_is_one_approval_for_employer_users_with_email(workflow):
    (only,) = default_steps(workflow)
    assert only.kind is StepKind.APPROVAL
    assert only.assignee == Assignee.of_type(UserType.EMPLOYER)
    assert only.send_email is True


@pytest.mark.parametrize("workflow", list(WorkflowType))
def test_every_default_passes_the_checks_unchanged(workflow):
    steps = default_steps(workflow)
    assert len(steps) == 1
    assert check_steps(workflow, steps) == steps


# --- check_steps ------------------------------------------------------------------------------


@pytest.mark.parametrize("workflow", list(WorkflowType))
def test_zero_steps_is_a_working_workflow(workflow):
    assert check_steps(workflow, []) == ()


def test_six_steps_are_fine_seven_are_refused():
    six = [task(f"Stap {i}") for i in range(1, 7)]
    assert MAX_STEPS == 6
    assert len(check_steps(W.ADDRESS_UPDATE, six)) == 6
    error = refused(W.ADDRESS_UPDATE, [*six, task("Stap 7")])
    assert error.code is ErrorCode.TOO_MANY_STEPS
    assert error.field == ["steps"]
    assert error.message and "6" in error.message


def test_names_are_whitespace_normalised():
    (checked,) = check_steps(W.ADDRESS_UPDATE, [task("  Controleren \t door\n  HR  ")])
    assert checked.name == "Controleren door HR"


def test_name_length_counts_after_normalising():
    exactly = "a" * 50 + "     " + "b" * 49  # 100 characters once tidied
    (checked,) = check_steps(W.ADDRESS_UPDATE, [task(exactly)])
    assert len(checked.name) == 100
    assert check_steps(W.ADDRESS_UPDATE, [task("x" * 100)])[0].name == "x" * 100


@pytest.mark.parametrize("name", ["", "   ", "\t\n", "x" * 101])
def test_empty_or_too_long_name_is_refused_at_its_index(name):
    error = refused(W.ADDRESS_UPDATE, [task("Eerst"), task("Dan"), task(name)])
    assert error.code is ErrorCode.INVALID_VALUE
    assert error.field == ["steps", "2", "name"]
    assert "stap 3" in error.message.lower()


@pytest.mark.parametrize("workflow", NON_EXPENSE)
@pytest.mark.parametrize(
    ("assignee", "leaf"),
    [(Assignee.users(7), "userIds"), (Assignee.all_users(), "allUsers")],
    ids=["users", "all-users"],
)
def test_users_and_all_users_only_for_expense_claims(workflow, assignee, leaf):
    steps = [task("Eerst"), StepConfig(StepKind.APPROVAL, "Goedkeuren", assignee, True)]
    error = refused(workflow, steps)
    assert error.code is ErrorCode.INVALID_ASSIGNEE
    assert error.field == ["steps", "1", leaf]
    assert "stap 2" in error.message.lower()


def test_users_and_all_users_are_fine_for_expense_claims_but_not_mixed():
    all_users = [StepConfig(StepKind.APPROVAL, "Manager", Assignee.all_users(), True)]
    chosen = [
        StepConfig(StepKind.APPROVAL, "Directie", Assignee.users(3, 4), True),
        StepConfig(StepKind.NOTIFICATION, "Melden", Assignee.users(4), True),
    ]
    assert check_steps(W.EXPENSE_CLAIM, all_users) == tuple(all_users)
    assert check_steps(W.EXPENSE_CLAIM, chosen) == tuple(chosen)
    # Restricted mode: "only those users approve, nobody else is involved".
    error = refused(W.EXPENSE_CLAIM, [chosen[0], all_users[0]])
    assert (error.code, error.field) == (ErrorCode.INVALID_ASSIGNEE, ["steps", "1"])


def test_users_without_any_id_is_refused():
    error = refused(W.EXPENSE_CLAIM, [StepConfig(StepKind.APPROVAL, "Kies", Assignee.users())])
    assert error.code is ErrorCode.INVALID_ASSIGNEE
    assert error.field == ["steps", "0", "userIds"]
    assert "stap 1" in error.message.lower()


@pytest.mark.parametrize("workflow", list(WorkflowType))
def test_employees_cannot_be_assigned(workflow):
    employee = Assignee.of_type(UserType.EMPLOYEE)
    error = refused(workflow, [task(assignee=employee)])
    assert error.code is ErrorCode.INVALID_ASSIGNEE
    assert error.field == ["steps", "0", "userType"]
    assert "stap 1" in error.message.lower()


@pytest.mark.parametrize(
    "user_type", [UserType.EMPLOYER, UserType.DEPARTMENT_MANAGER, UserType.PROVIDER]
)
def test_staff_user_types_and_roles_are_assignable(user_type):
    steps = [task(assignee=Assignee.of_type(user_type)), task(assignee=Assignee.role(7))]
    assert check_steps(W.IBAN_UPDATE, steps) == tuple(steps)


def test_notification_without_email_is_refused():
    steps = [
        StepConfig(StepKind.NOTIFICATION, "Ter info", Assignee.role(7), True),
        StepConfig(StepKind.NOTIFICATION, "Ter info", Assignee.role(7), False),
    ]
    error = refused(W.ADDRESS_UPDATE, steps)
    assert error.code is ErrorCode.INVALID_VALUE
    assert error.field == ["steps", "1", "sendEmail"]
    assert "stap 2" in error.message.lower()


@pytest.mark.parametrize("kind", [StepKind.TASK, StepKind.APPROVAL])
def test_email_is_a_switch_for_tasks_and_approvals(kind):
    for send_email in (True, False):
        step = StepConfig(kind, "Doen", Assignee.role(7), send_email)
        assert check_steps(W.ADDRESS_UPDATE, [step]) == (step,)


def test_the_first_offending_step_is_reported():
    steps = [task("Goed"), task(""), task(assignee=Assignee.of_type(UserType.EMPLOYEE))]
    assert refused(W.ADDRESS_UPDATE, steps).field == ["steps", "1", "name"]


def test_assignee_users_sorts_and_deduplicates():
    assert Assignee.users(5, 3, 5).user_ids == (3, 5)


# --- Catalogue (DOMAIN.md section 3) ----------------------------------------------------------

DUTCH_NAMES = {
    W.EXPENSE_CLAIM: "Declaratie medewerker",
    W.ADDRESS_UPDATE: "Update adres medewerker",
    W.MARITAL_STATUS_UPDATE: "Update burgerlijke staat medewerker",
    W.CONTACT_DETAILS_UPDATE: "Update contactgegevens medewerker",
    W.EMERGENCY_CONTACTS_UPDATE: "Update contactpersonen medewerker",
    W.IBAN_UPDATE: "Update rekeningnummer (IBAN)",
    W.CONTRACT_EXTENSION: "Contract verlengen",
    W.EMPLOYMENT_TERMINATION: "Dienstverband beëindigen",
}


def test_exactly_the_eight_workflow_types_exist():
    assert len(WorkflowType) == 8
    assert set(WORKFLOW_TYPES) == set(WorkflowType) == set(DUTCH_NAMES)


@pytest.mark.parametrize("workflow", list(WorkflowType))
def test_dutch_display_names(workflow):
    info = WORKFLOW_TYPES[workflow]
    assert info.type is workflow
    assert info.display_name == DUTCH_NAMES[workflow]


@pytest.mark.parametrize("workflow", list(WorkflowType))
def test_origins(workflow):
    expected = (
        WorkflowOrigin.MANAGEMENT_ACTION
        if workflow in MANAGEMENT_ACTIONS
        else WorkflowOrigin.MIJNLOKET
    )
    assert WORKFLOW_TYPES[workflow].origin is expected


def test_six_self_service_and_two_management_actions():
    origins = [i.origin for i in WORKFLOW_TYPES.values()]
    assert origins.count(WorkflowOrigin.MIJNLOKET) == 6
    assert origins.count(WorkflowOrigin.MANAGEMENT_ACTION) == 2


def test_missing_products_for_expense_claims():
    expense = W.EXPENSE_CLAIM
    assert missing_products(expense, []) == [
        Product.WORKFLOW_EDITOR,
        Product.MIJNLOKET_EXPENSE_CLAIMS,
    ]
    assert missing_products(expense, [Product.WORKFLOW_EDITOR]) == [
        Product.MIJNLOKET_EXPENSE_CLAIMS
    ]
    assert missing_products(expense, [Product.MIJNLOKET_EXPENSE_CLAIMS]) == [
        Product.WORKFLOW_EDITOR
    ]
    both = {Product.WORKFLOW_EDITOR, Product.MIJNLOKET_EXPENSE_CLAIMS}
    assert missing_products(expense, both) == []


@pytest.mark.parametrize("workflow", UPDATE_TYPES)
def test_update_workflows_need_change_personal_data(workflow):
    assert missing_products(workflow, [Product.WORKFLOW_EDITOR]) == [
        Product.MIJNLOKET_CHANGE_PERSONAL_DATA
    ]
    active = [Product.WORKFLOW_EDITOR, Product.MIJNLOKET_CHANGE_PERSONAL_DATA]
    assert missing_products(workflow, active) == []


@pytest.mark.parametrize("workflow", MANAGEMENT_ACTIONS)
def test_management_actions_need_management_self_service(workflow):
    assert missing_products(workflow, [Product.WORKFLOW_EDITOR]) == [
        Product.MANAGEMENT_SELF_SERVICE
    ]
    active = [Product.WORKFLOW_EDITOR, Product.MANAGEMENT_SELF_SERVICE]
    assert missing_products(workflow, active) == []


def test_products_missing_error_names_the_missing_product_in_dutch():
    missing = missing_products(W.EXPENSE_CLAIM, [Product.WORKFLOW_EDITOR])
    error = products_missing_error(W.EXPENSE_CLAIM, missing)
    assert error.code is ErrorCode.PRODUCT_REQUIRED
    assert error.field == ["type"]
    assert "MijnLoket - Declaraties" in error.message
    assert "Declaratie medewerker" in error.message
    assert PRODUCT_NAMES[Product.WORKFLOW_EDITOR] not in error.message


def test_products_missing_error_names_every_missing_product():
    error = products_missing_error(W.EXPENSE_CLAIM, missing_products(W.EXPENSE_CLAIM, []))
    assert "Workflow Editor" in error.message
    assert "MijnLoket - Declaraties" in error.message
