"""The request use cases without HTTP: submitting (the shared core in app/db/submission.py)
and withdrawing; what they return, what they refuse, what the database holds."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.db import models as m
from app.domain.catalogue import WorkflowType
from app.domain.changes import ContactPerson, MaritalStatus
from app.domain.errors import DomainError, ErrorCode
from app.domain.submission import fingerprint
from app.resolvers.set_workflow_active import SetWorkflowActive, set_workflow_active
from app.resolvers.submit_management_action import (
    SubmitContractExtension,
    SubmitEmploymentTermination,
    submit_contract_extension,
    submit_employment_termination,
)
from app.resolvers.submit_personal_data import (
    SubmitAddressUpdate,
    SubmitContactDetailsUpdate,
    SubmitEmergencyContactsUpdate,
    SubmitIbanUpdate,
    SubmitMaritalStatusUpdate,
    submit_address_update,
    submit_contact_details_update,
)
from app.resolvers.withdraw_request import WithdrawRequest, withdraw_request
from app.schema.ids import to_global_id
from app.schema.inputs import requests as inputs

ADDRESS = SubmitAddressUpdate(
    street="Dorpsstraat", house_number="12a", postcode="1234ab", city="Ede"
)


async def instance(db, pk: int) -> m.WorkflowInstance:
    async with db.reader() as session:
        return await session.get(m.WorkflowInstance, pk)


async def employee(db, number: int) -> m.Employee:
    async with db.reader() as session:
        return await session.scalar(select(m.Employee).where(m.Employee.employee_number == number))


async def requests(db) -> int:
    async with db.reader() as session:
        return await session.scalar(select(func.count()).select_from(m.WorkflowInstance))


def test_a_command_is_fingerprinted_as_its_input_was():
    """Fingerprints are stored: a retry after this change must still match the first request,
    so each command must hash exactly as its strawberry input did."""
    day = dt.date(2027, 6, 30)
    pairs = [
        (WorkflowType.ADDRESS_UPDATE, inputs.SubmitAddressUpdateInput(
            street="S", house_number="1", postcode="1234 AB", city="C", idempotency_key="k"
        ), SubmitAddressUpdate("S", "1", "1234 AB", "C", idempotency_key="k")),
        (WorkflowType.MARITAL_STATUS_UPDATE, inputs.SubmitMaritalStatusUpdateInput(
            marital_status=MaritalStatus.MARRIED, since=day, employee_id="e"
        ), SubmitMaritalStatusUpdate(MaritalStatus.MARRIED, day, employee_id="e")),
        (WorkflowType.CONTACT_DETAILS_UPDATE, inputs.SubmitContactDetailsUpdateInput(
            phone="", private_email="a@b.nl"
        ), SubmitContactDetailsUpdate(phone="", private_email="a@b.nl")),
        (WorkflowType.EMERGENCY_CONTACTS_UPDATE, inputs.SubmitEmergencyContactsUpdateInput(
            contacts=[inputs.ContactPersonInput(name="A", relation="B", phone="06")]
        ), SubmitEmergencyContactsUpdate((ContactPerson("A", "B", "06"),))),
        (WorkflowType.IBAN_UPDATE, inputs.SubmitIbanUpdateInput(iban="NL91"),
         SubmitIbanUpdate("NL91")),
        (WorkflowType.CONTRACT_EXTENSION, inputs.SubmitContractExtensionInput(
            employee_id="e", new_contract_end=day
        ), SubmitContractExtension("e", day)),
        (WorkflowType.EMPLOYMENT_TERMINATION, inputs.SubmitEmploymentTerminationInput(
            employee_id="e", end_date=day, reason="r"
        ), SubmitEmploymentTermination("e", day, "r")),
    ]  # fmt: skip
    for workflow, given, command in pairs:
        assert fingerprint(workflow, command) == fingerprint(workflow, given), workflow


async def test_an_address_update_waits_for_its_task(use_case, db):
    pk = await use_case("wn001", submit_address_update, ADDRESS)
    row = await instance(db, pk)
    assert (row.type, row.status, row.change["postcode"]) == (
        WorkflowType.ADDRESS_UPDATE, "IN_PROGRESS", "1234 AB"
    )  # fmt: skip
    assert (await employee(db, 1)).street != "Dorpsstraat"  # not before the task is done


async def test_a_contact_update_with_no_steps_is_applied_at_once(use_case, db):
    command = SubmitContactDetailsUpdate(mobile_phone="06 12345678")
    pk = await use_case("wn001", submit_contact_details_update, command)
    assert (await instance(db, pk)).status == "PROCESSED"
    assert (await employee(db, 1)).mobile_phone == "+31612345678"


async def test_an_idempotency_key_returns_the_first_request(use_case, db):
    command = SubmitContactDetailsUpdate(phone="010 1234567", idempotency_key="phone-1")
    first = await use_case("wn001", submit_contact_details_update, command)
    assert await use_case("wn001", submit_contact_details_update, command) == first
    before = await requests(db)
    other = SubmitContactDetailsUpdate(phone="010 7654321", idempotency_key="phone-1")
    with pytest.raises(DomainError) as refused:
        await use_case("wn001", submit_contact_details_update, other)
    assert (refused.value.code, refused.value.field) == (
        ErrorCode.INVALID_VALUE, ["idempotencyKey"]
    )  # fmt: skip
    assert await requests(db) == before


async def test_a_bad_change_is_refused_and_nothing_is_written(use_case, db):
    bad = SubmitAddressUpdate(street="Dorpsstraat", house_number="1", postcode="12", city="Ede")
    with pytest.raises(DomainError) as refused:
        await use_case("wn001", submit_address_update, bad)
    assert refused.value.code is ErrorCode.INVALID_POSTCODE
    assert await requests(db) == 0


async def test_staff_have_no_own_employment_to_submit_for(use_case):
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", submit_address_update, ADDRESS)
    assert (refused.value.code, refused.value.field) == (ErrorCode.NOT_FOUND, ["employeeId"])


async def test_a_management_action_never_for_ones_own_employment(use_case, db):
    own = to_global_id("Employee", (await employee(db, 2)).id)  # werkgever.hr is wn002
    with pytest.raises(DomainError) as refused:
        await use_case(
            "werkgever.hr",
            submit_employment_termination,
            SubmitEmploymentTermination(own, dt.date(2027, 1, 31)),
        )
    assert refused.value.code is ErrorCode.SELF_APPROVAL


async def test_a_management_action_needs_its_workflow_on(use_case, db):
    other = to_global_id("Employee", (await employee(db, 10)).id)
    command = SubmitContractExtension(other, dt.date(2027, 6, 30))
    with pytest.raises(DomainError) as refused:
        await use_case("werkgever.hr", submit_contract_extension, command)
    assert refused.value.code is ErrorCode.WORKFLOW_NOT_ACTIVE
    assert await requests(db) == 0


async def test_a_management_action_is_started_for_a_managed_employee(use_case, db):
    async with db.reader() as session:
        employer = to_global_id("Employer", await session.scalar(select(m.Employer.id)))
    switch_on = SetWorkflowActive(employer, WorkflowType.EMPLOYMENT_TERMINATION, True)
    await use_case("werkgever.hr", set_workflow_active, switch_on)
    target = await employee(db, 10)
    command = SubmitEmploymentTermination(
        to_global_id("Employee", target.id), dt.date(2027, 1, 31), "Eigen verzoek"
    )
    pk = await use_case("werkgever.hr", submit_employment_termination, command)
    row = await instance(db, pk)
    assert (row.employee_id, row.type, row.status) == (
        target.id, WorkflowType.EMPLOYMENT_TERMINATION, "IN_PROGRESS"
    )  # fmt: skip


async def test_the_submitter_withdraws_and_nobody_else(use_case, db):
    pk = await use_case("wn001", submit_address_update, ADDRESS)
    command = WithdrawRequest(to_global_id("WorkflowInstance", pk))
    with pytest.raises(DomainError) as refused:
        await use_case("wn003", withdraw_request, command)
    assert (refused.value.code, refused.value.field) == (ErrorCode.NOT_FOUND, ["instanceId"])
    assert await use_case("wn001", withdraw_request, command) == pk
    assert (await instance(db, pk)).status == "WITHDRAWN"


async def test_a_bad_id_is_invalid_id(use_case):
    with pytest.raises(DomainError) as refused:
        await use_case("wn001", withdraw_request, WithdrawRequest("nope"))
    assert (refused.value.code, refused.value.field) == (ErrorCode.INVALID_ID, ["instanceId"])
