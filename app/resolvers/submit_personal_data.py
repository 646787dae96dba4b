"""The five MijnLoket requests that change the employee's personal data (DOMAIN.md section 3).
Each validates its input and stores the change; it lands on the employee record when the
workflow's last step is done (at once with 0 steps)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import strawberry

from app.db import submission
from app.db.session import Session
from app.domain import changes
from app.domain.authz import Principal
from app.domain.catalogue import WorkflowType
from app.domain.submission import Request
from app.schema.ids import input_pk
from app.schema.inputs.requests import (
    SubmitAddressUpdateInput,
    SubmitContactDetailsUpdateInput,
    SubmitEmergencyContactsUpdateInput,
    SubmitIbanUpdateInput,
    SubmitMaritalStatusUpdateInput,
)
from app.schema.payloads.requests import SubmitRequestPayload, request_fields
from app.schema.runner import mutate

# Each command has the fields of its input, named alike: a request's fingerprint (the
# idempotency check, app/domain/submission.py) is taken of them.


@dataclass(frozen=True)
class SubmitAddressUpdate:
    street: str
    house_number: str
    postcode: str
    city: str
    country: str | None = None
    employee_id: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class SubmitMaritalStatusUpdate:
    marital_status: changes.MaritalStatus
    since: dt.date | None = None
    employee_id: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class SubmitContactDetailsUpdate:
    phone: str | None = None
    mobile_phone: str | None = None
    private_email: str | None = None
    employee_id: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class SubmitEmergencyContactsUpdate:
    contacts: tuple[changes.ContactPerson, ...]
    employee_id: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class SubmitIbanUpdate:
    iban: str
    employee_id: str | None = None
    idempotency_key: str | None = None


def _submit(
    session: Session,
    principal: Principal,
    workflow: WorkflowType,
    command: Any,
    change: Callable[[], dict[str, Any]],
) -> Awaitable[int]:
    """Submit `command` for the signed-in employee's own employment, asking for `change()`."""

    async def build(_session, _employee) -> Request:
        return Request(change=change())

    def employee_pk() -> int | None:
        if command.employee_id is None:
            return None
        return input_pk(command.employee_id, "Employee", "employeeId")

    return submission.submit(
        session, principal, workflow, command, employee_pk=employee_pk, build=build
    )


async def submit_address_update(
    session: Session, principal: Principal, command: SubmitAddressUpdate
) -> int:
    return await _submit(
        session,
        principal,
        WorkflowType.ADDRESS_UPDATE,
        command,
        lambda: changes.address(
            command.street, command.house_number, command.postcode, command.city, command.country
        ),
    )


async def submit_marital_status_update(
    session: Session, principal: Principal, command: SubmitMaritalStatusUpdate
) -> int:
    return await _submit(
        session,
        principal,
        WorkflowType.MARITAL_STATUS_UPDATE,
        command,
        lambda: changes.marital_status(command.marital_status, command.since),
    )


async def submit_contact_details_update(
    session: Session, principal: Principal, command: SubmitContactDetailsUpdate
) -> int:
    return await _submit(
        session,
        principal,
        WorkflowType.CONTACT_DETAILS_UPDATE,
        command,
        lambda: changes.contact_details(command.phone, command.mobile_phone, command.private_email),
    )


async def submit_emergency_contacts_update(
    session: Session, principal: Principal, command: SubmitEmergencyContactsUpdate
) -> int:
    return await _submit(
        session,
        principal,
        WorkflowType.EMERGENCY_CONTACTS_UPDATE,
        command,
        lambda: changes.emergency_contacts(command.contacts),
    )


async def submit_iban_update(
    session: Session, principal: Principal, command: SubmitIbanUpdate
) -> int:
    return await _submit(
        session,
        principal,
        WorkflowType.IBAN_UPDATE,
        command,
        lambda: changes.iban_change(command.iban),
    )


async def resolve_submit_address_update(
    info: strawberry.Info, input: SubmitAddressUpdateInput
) -> SubmitRequestPayload:
    """Ask to change your address (Update adres medewerker)."""
    command = SubmitAddressUpdate(
        street=input.street,
        house_number=input.house_number,
        postcode=input.postcode,
        city=input.city,
        country=input.country,
        employee_id=input.employee_id,
        idempotency_key=input.idempotency_key,
    )
    return await mutate(
        info, submit_address_update, command, SubmitRequestPayload, request_fields(info)
    )


async def resolve_submit_marital_status_update(
    info: strawberry.Info, input: SubmitMaritalStatusUpdateInput
) -> SubmitRequestPayload:
    """Ask to change your marital status (Update burgerlijke staat medewerker)."""
    command = SubmitMaritalStatusUpdate(
        marital_status=input.marital_status,
        since=input.since,
        employee_id=input.employee_id,
        idempotency_key=input.idempotency_key,
    )
    return await mutate(
        info, submit_marital_status_update, command, SubmitRequestPayload, request_fields(info)
    )


async def resolve_submit_contact_details_update(
    info: strawberry.Info, input: SubmitContactDetailsUpdateInput
) -> SubmitRequestPayload:
    """Ask to change your phone numbers or private e-mail (Update contactgegevens medewerker)."""
    command = SubmitContactDetailsUpdate(
        phone=input.phone,
        mobile_phone=input.mobile_phone,
        private_email=input.private_email,
        employee_id=input.employee_id,
        idempotency_key=input.idempotency_key,
    )
    return await mutate(
        info, submit_contact_details_update, command, SubmitRequestPayload, request_fields(info)
    )


async def resolve_submit_emergency_contacts_update(
    info: strawberry.Info, input: SubmitEmergencyContactsUpdateInput
) -> SubmitRequestPayload:
    """Ask to replace your contact persons (Update contactpersonen medewerker)."""
    command = SubmitEmergencyContactsUpdate(
        contacts=tuple(changes.ContactPerson(c.name, c.relation, c.phone) for c in input.contacts),
        employee_id=input.employee_id,
        idempotency_key=input.idempotency_key,
    )
    return await mutate(
        info, submit_emergency_contacts_update, command, SubmitRequestPayload, request_fields(info)
    )


async def resolve_submit_iban_update(
    info: strawberry.Info, input: SubmitIbanUpdateInput
) -> SubmitRequestPayload:
    """Ask to change the account your salary is paid into (Update rekeningnummer)."""
    command = SubmitIbanUpdate(
        iban=input.iban, employee_id=input.employee_id, idempotency_key=input.idempotency_key
    )
    return await mutate(
        info, submit_iban_update, command, SubmitRequestPayload, request_fields(info)
    )
