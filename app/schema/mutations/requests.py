"""Requests and tasks: self-service, management actions, acting on tasks, booking claims,
the Excel export."""

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
from app.resolvers.export_process_overview import resolve_export_process_overview
from app.resolvers.process_expense_claims import resolve_process_expense_claims
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
from app.resolvers.withdraw_request import resolve_withdraw_request
from app.schema.mutations.common import (
    mutation_field,
    secured_field,
)
from app.schema.payloads.claims import ProcessExpenseClaimsPayload
from app.schema.payloads.exports import ExportPayload
from app.schema.payloads.requests import SubmitRequestPayload
from app.schema.payloads.tasks import ApproveTasksPayload, TaskActionPayload
from app.schema.permissions import (
    PROCESS_EACH_CLAIM,
    EmployeeAccount,
    RightHereOrOfficeWide,
    SignedIn,
    Staff,
    input_object,
)


def _self_service(resolver):
    return secured_field(
        resolver, EmployeeAccount(), note=" The workflow must be active at the employer."
    )


def _staff(resolver, note: str):
    return secured_field(resolver, Staff(), note=note)


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
    submit_contract_extension: SubmitRequestPayload = mutation_field(
        resolve_submit_contract_extension,
        R.VIEW_EMPLOYEES,
        at=_MANAGED_EMPLOYEE,
        also=(Staff(),),
        note=_MANAGEMENT_NOTE,
    )
    submit_employment_termination: SubmitRequestPayload = mutation_field(
        resolve_submit_employment_termination,
        R.VIEW_EMPLOYEES,
        at=_MANAGED_EMPLOYEE,
        also=(Staff(),),
        note=_MANAGEMENT_NOTE,
    )
    withdraw_request: SubmitRequestPayload = secured_field(
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
    export_process_overview: ExportPayload = secured_field(
        resolve_export_process_overview,
        RightHereOrOfficeWide(R.PROCESS_MANAGEMENT, lambda kwargs: kwargs["input"].employer_id),
        note=" Department managers export their departments only.",
    )
