"""The Mutation root. Each mutation declares the right it needs and where that right must
hold; the check runs before the resolver, which then does its work in one transaction."""

from __future__ import annotations

import strawberry

from app.db import models as m
from app.domain.authz import Right as R
from app.resolvers.act_on_task import (
    resolve_approve_task,
    resolve_approve_tasks,
    resolve_comment_on_task,
    resolve_complete_task,
    resolve_reject_task,
)
from app.resolvers.activate_mijnloket import resolve_activate_mijn_loket
from app.resolvers.add_component import resolve_add_component
from app.resolvers.archive_component import resolve_archive_component
from app.resolvers.create_component_set import resolve_create_component_set
from app.resolvers.create_department import resolve_create_department
from app.resolvers.create_employer import resolve_create_employer
from app.resolvers.create_role import resolve_create_role
from app.resolvers.create_user import resolve_create_user
from app.resolvers.deactivate_user import resolve_deactivate_user
from app.resolvers.delete_role import resolve_delete_role
from app.resolvers.export_process_overview import resolve_export_process_overview
from app.resolvers.grant_right import resolve_grant_right
from app.resolvers.link_role import resolve_link_role
from app.resolvers.manage_components import (
    resolve_set_component_label,
    resolve_set_employee_component_set,
)
from app.resolvers.mijnloket_migration import resolve_start_mijn_loket_migration
from app.resolvers.process_expense_claims import resolve_process_expense_claims
from app.resolvers.rename_department import resolve_rename_department
from app.resolvers.rename_role import resolve_rename_role
from app.resolvers.revoke_right import resolve_revoke_right
from app.resolvers.set_default_component_set import resolve_set_default_component_set
from app.resolvers.set_department_managers import resolve_set_department_managers
from app.resolvers.set_deviating_approver import resolve_set_deviating_approver
from app.resolvers.set_mijn_loket_addendum import resolve_set_mijn_loket_addendum
from app.resolvers.set_product_active import resolve_set_product_active
from app.resolvers.set_workflow_active import resolve_set_workflow_active
from app.resolvers.submit_expense_claim import resolve_submit_expense_claim
from app.resolvers.submit_management_action import (
    resolve_submit_contract_extension,
    resolve_submit_employment_termination,
)
from app.resolvers.submit_personal_data import (
    resolve_submit_address_update,
    resolve_submit_contact_details_update,
    resolve_submit_emergency_contacts_update,
    resolve_submit_iban_update,
    resolve_submit_marital_status_update,
)
from app.resolvers.unlink_role import resolve_unlink_role
from app.resolvers.update_component import resolve_update_component
from app.resolvers.update_component_set import resolve_update_component_set
from app.resolvers.update_employer import resolve_update_employer
from app.resolvers.update_user import resolve_update_user
from app.resolvers.update_workflow_steps import resolve_update_workflow_steps
from app.resolvers.upsert_employee import NOT_FOR_MANAGERS, resolve_upsert_employee
from app.resolvers.withdraw_request import resolve_withdraw_request
from app.schema.payloads.claims import ProcessExpenseClaimsPayload
from app.schema.payloads.components import ComponentPayload, ComponentSetPayload
from app.schema.payloads.employees import EmployeePayload, UpsertEmployeePayload
from app.schema.payloads.exports import ExportPayload
from app.schema.payloads.mijnloket import ActivateMijnLoketPayload, StartMijnLoketMigrationPayload
from app.schema.payloads.office import (
    DepartmentPayload,
    EmployerPayload,
    SetMijnLoketAddendumPayload,
)
from app.schema.payloads.products import SetProductActivePayload
from app.schema.payloads.requests import SubmitRequestPayload
from app.schema.payloads.rights import UserPayload
from app.schema.payloads.roles import (
    DeleteRolePayload,
    RoleLinkPayload,
    RolePayload,
    UnlinkRolePayload,
)
from app.schema.payloads.tasks import ApproveTasksPayload, TaskActionPayload
from app.schema.payloads.workflows import WorkflowDefinitionPayload
from app.schema.permissions import (
    PROCESS_EACH_CLAIM,
    PROVIDER_LEVEL,
    EmployeeAccount,
    NotDepartmentManager,
    RightHereOrOfficeWide,
    SignedIn,
    Staff,
    described,
    input_definition_employer,
    input_employer,
    input_employer_or_provider,
    input_object,
    mutation_right,
    secured,
)
from app.schema.user_at import input_user


def _mutation(resolver, *rights: R, at, also=(), note: str = ""):
    permissions = mutation_right(*rights, at=at, also=also)
    return _secured(resolver, *permissions, note=note)


def _secured(resolver, *permissions, note: str = ""):
    """The mutation, checked by `permissions` and described by their own sentences."""
    return strawberry.mutation(
        resolver=resolver,
        extensions=secured(*permissions),
        description=described(resolver.__doc__, permissions, note),
    )


_EDITORS_ONLY = (NotDepartmentManager("Afdelingsmanagers kunnen workflows niet wijzigen."),)
# The employee a workflow-editor mutation is about: editors find it even without VIEW_EMPLOYEES.
_EMPLOYEE_FOR_EDITORS = input_object(
    m.Employee,
    "Employee",
    "employee_id",
    "Werknemer",
    right=(R.VIEW_EMPLOYEES, R.MANAGE_WORKFLOW_EDITOR),
)


@strawberry.type
class AdminMutation:
    set_product_active: SetProductActivePayload = _mutation(
        resolve_set_product_active, R.MANAGE_PRODUCTS, at=input_employer()
    )
    create_role: RolePayload = _mutation(resolve_create_role, R.MANAGE_ROLES, at=PROVIDER_LEVEL)
    rename_role: RolePayload = _mutation(resolve_rename_role, R.MANAGE_ROLES, at=PROVIDER_LEVEL)
    delete_role: DeleteRolePayload = _mutation(
        resolve_delete_role, R.MANAGE_ROLES, at=PROVIDER_LEVEL
    )
    link_role: RoleLinkPayload = _mutation(resolve_link_role, R.MANAGE_USERS, at=input_employer())
    unlink_role: UnlinkRolePayload = _mutation(
        resolve_unlink_role,
        R.MANAGE_USERS,
        at=input_object(m.RoleLink, "RoleLink", "role_link_id", "Rolkoppeling"),
    )
    grant_right: UserPayload = _mutation(
        resolve_grant_right,
        R.MANAGE_USERS,
        at=input_employer_or_provider(),
    )
    revoke_right: UserPayload = _mutation(
        resolve_revoke_right,
        R.MANAGE_USERS,
        at=input_employer_or_provider(),
    )
    set_deviating_approver: EmployeePayload = _mutation(
        resolve_set_deviating_approver,
        R.MANAGE_WORKFLOW_EDITOR,
        at=_EMPLOYEE_FOR_EDITORS,
        also=_EDITORS_ONLY,
    )
    set_workflow_active: WorkflowDefinitionPayload = _mutation(
        resolve_set_workflow_active,
        R.MANAGE_WORKFLOW_EDITOR,
        at=input_employer(),
        also=_EDITORS_ONLY,
    )
    set_employee_component_set: EmployeePayload = _mutation(
        resolve_set_employee_component_set,
        R.MANAGE_WORKFLOW_EDITOR,
        at=_EMPLOYEE_FOR_EDITORS,
        also=_EDITORS_ONLY,
    )
    set_component_label: ComponentPayload = _mutation(
        resolve_set_component_label,
        R.MANAGE_WORKFLOW_EDITOR,
        at=input_object(m.Component, "Component", "component_id", "Component"),
        also=_EDITORS_ONLY,
    )
    start_mijn_loket_migration: StartMijnLoketMigrationPayload = _mutation(
        resolve_start_mijn_loket_migration,
        R.COLLECTIVE_ACTIONS,
        at=input_employer(),
        also=(NotDepartmentManager("Collectieve acties zijn er niet voor afdelingsmanagers."),),
    )
    activate_mijn_loket: ActivateMijnLoketPayload = strawberry.mutation(
        resolver=resolve_activate_mijn_loket,
        description=f"{resolve_activate_mijn_loket.__doc__.strip()}\n\nNo sign-in needed to "
        "register (the link is the key); linking needs the existing MijnLoket account signed in.",
    )
    update_workflow_steps: WorkflowDefinitionPayload = _mutation(
        resolve_update_workflow_steps,
        R.MANAGE_WORKFLOW_EDITOR,
        at=input_definition_employer(),
        also=_EDITORS_ONLY,
    )


def _self_service(resolver):
    return _secured(
        resolver, EmployeeAccount(), note=" The workflow must be active at the employer."
    )


def _staff(resolver, note: str):
    return _secured(resolver, Staff(), note=note)


# The employee of a management action, under VIEW_EMPLOYEES (managers: their departments): one
# out of reach is NOT_FOUND, like any object the caller cannot see.
_MANAGED_EMPLOYEE = input_object(
    m.Employee, "Employee", "employee_id", "Werknemer", right=R.VIEW_EMPLOYEES
)
_MANAGEMENT_NOTE = " Department managers: for their departments; never for your own employment."
_ACTORS = "For whoever the step is assigned to now (see `taskCentre`); never on your own request."


@strawberry.type
class RequestMutation:
    submit_expense_claim: SubmitRequestPayload = _self_service(resolve_submit_expense_claim)
    submit_address_update: SubmitRequestPayload = _self_service(resolve_submit_address_update)
    submit_marital_status_update: SubmitRequestPayload = _self_service(
        resolve_submit_marital_status_update
    )
    submit_contact_details_update: SubmitRequestPayload = _self_service(
        resolve_submit_contact_details_update
    )
    submit_emergency_contacts_update: SubmitRequestPayload = _self_service(
        resolve_submit_emergency_contacts_update
    )
    submit_iban_update: SubmitRequestPayload = _self_service(resolve_submit_iban_update)
    submit_contract_extension: SubmitRequestPayload = _mutation(
        resolve_submit_contract_extension,
        R.VIEW_EMPLOYEES,
        at=_MANAGED_EMPLOYEE,
        also=(Staff(),),
        note=_MANAGEMENT_NOTE,
    )
    submit_employment_termination: SubmitRequestPayload = _mutation(
        resolve_submit_employment_termination,
        R.VIEW_EMPLOYEES,
        at=_MANAGED_EMPLOYEE,
        also=(Staff(),),
        note=_MANAGEMENT_NOTE,
    )
    withdraw_request: SubmitRequestPayload = _secured(
        resolve_withdraw_request, SignedIn(), note="Only the submitter."
    )
    complete_task: TaskActionPayload = _staff(resolve_complete_task, _ACTORS)
    approve_task: TaskActionPayload = _staff(resolve_approve_task, _ACTORS)
    reject_task: TaskActionPayload = _staff(resolve_reject_task, _ACTORS)
    comment_on_task: TaskActionPayload = _staff(resolve_comment_on_task, _ACTORS)
    approve_tasks: ApproveTasksPayload = _staff(resolve_approve_tasks, _ACTORS)
    process_expense_claims: ProcessExpenseClaimsPayload = _staff(
        resolve_process_expense_claims, PROCESS_EACH_CLAIM.description
    )
    export_process_overview: ExportPayload = _secured(
        resolve_export_process_overview,
        RightHereOrOfficeWide(R.PROCESS_MANAGEMENT, lambda kwargs: kwargs["input"].employer_id),
        note=" Department managers export their departments only.",
    )


_WHERE_THE_USER_BELONGS = (
    " Where the user belongs: at its employer for employer users and department managers, at"
    " provider level for provider users."
)


@strawberry.type
class UserMutation:
    create_user: UserPayload = _mutation(
        resolve_create_user,
        R.MANAGE_USERS,
        at=input_employer_or_provider(),
    )
    update_user: UserPayload = _mutation(
        resolve_update_user, R.MANAGE_USERS, at=input_user(), note=_WHERE_THE_USER_BELONGS
    )
    deactivate_user: UserPayload = _mutation(
        resolve_deactivate_user, R.MANAGE_USERS, at=input_user(), note=_WHERE_THE_USER_BELONGS
    )


# Component sets and their components: part of configuring the expense-claim workflow, like
# `setComponentLabel` (MANAGE_WORKFLOW_EDITOR at the employer, never department managers).
_COMPONENT_SET = input_object(m.ComponentSet, "ComponentSet", "component_set_id", "Componentenset")
_COMPONENT = input_object(m.Component, "Component", "component_id", "Component")


@strawberry.type
class ComponentSetMutation:
    create_component_set: ComponentSetPayload = _mutation(
        resolve_create_component_set,
        R.MANAGE_WORKFLOW_EDITOR,
        at=input_employer(),
        also=_EDITORS_ONLY,
    )
    update_component_set: ComponentSetPayload = _mutation(
        resolve_update_component_set,
        R.MANAGE_WORKFLOW_EDITOR,
        at=_COMPONENT_SET,
        also=_EDITORS_ONLY,
    )
    set_default_component_set: ComponentSetPayload = _mutation(
        resolve_set_default_component_set,
        R.MANAGE_WORKFLOW_EDITOR,
        at=_COMPONENT_SET,
        also=_EDITORS_ONLY,
    )
    add_component: ComponentPayload = _mutation(
        resolve_add_component, R.MANAGE_WORKFLOW_EDITOR, at=_COMPONENT_SET, also=_EDITORS_ONLY
    )
    update_component: ComponentPayload = _mutation(
        resolve_update_component, R.MANAGE_WORKFLOW_EDITOR, at=_COMPONENT, also=_EDITORS_ONLY
    )
    archive_component: ComponentPayload = _mutation(
        resolve_archive_component, R.MANAGE_WORKFLOW_EDITOR, at=_COMPONENT, also=_EDITORS_ONLY
    )


@strawberry.type
class OfficeMutation:
    """The office's set-up (issue 16): its employers, their departments and department
    managers, and the signed MijnLoket addendum."""

    create_employer: EmployerPayload = _mutation(
        resolve_create_employer, R.MANAGE_EMPLOYERS, at=PROVIDER_LEVEL
    )
    update_employer: EmployerPayload = _mutation(
        resolve_update_employer, R.MANAGE_EMPLOYERS, at=PROVIDER_LEVEL
    )
    create_department: DepartmentPayload = _mutation(
        resolve_create_department, R.MANAGE_EMPLOYERS, at=PROVIDER_LEVEL
    )
    rename_department: DepartmentPayload = _mutation(
        resolve_rename_department, R.MANAGE_EMPLOYERS, at=PROVIDER_LEVEL
    )
    set_department_managers: DepartmentPayload = _mutation(
        resolve_set_department_managers,
        R.MANAGE_USERS,
        at=input_object(m.Department, "Department", "department_id", "Afdeling"),
        also=(NotDepartmentManager("Afdelingsmanagers wijzigen geen afdelingsmanagers."),),
    )
    set_mijn_loket_addendum: SetMijnLoketAddendumPayload = _mutation(
        resolve_set_mijn_loket_addendum, R.MANAGE_EMPLOYERS, at=PROVIDER_LEVEL
    )


@strawberry.type
class EmployeeMutation:
    """An employer's employees (issue 16): one by one here."""

    upsert_employee: UpsertEmployeePayload = _mutation(
        resolve_upsert_employee,
        R.MANAGE_EMPLOYEES,
        at=input_employer(),
        also=(NotDepartmentManager(NOT_FOR_MANAGERS),),
    )


@strawberry.type
class Mutation(
    AdminMutation,
    OfficeMutation,
    UserMutation,
    EmployeeMutation,
    ComponentSetMutation,
    RequestMutation,
):
    """Administration first, then requests and tasks."""
