"""The five MijnLoket requests that change the employee's personal data (DOMAIN.md section 3).
Each validates its input and stores the change; it lands on the employee record when the
workflow's last step is done (at once with 0 steps)."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.domain import changes
from app.domain.catalogue import WorkflowType
from app.resolvers.submit_request import Request, SubmitRequestPayload, submit
from app.schema.enums import MaritalStatus

_EMPLOYEE = strawberry.field(
    default=None, description="Only needed when you have several employments."
)
_KEY = strawberry.field(
    default=None,
    description="Retrying with the same key returns the first request, creating nothing new.",
)


def _submit(info, workflow: WorkflowType, input, make_change) -> SubmitRequestPayload:
    async def build(session, employee) -> Request:
        return Request(change=make_change())

    return submit(
        info,
        workflow,
        input=input,
        build=build,
    )


@strawberry.input
class SubmitAddressUpdateInput:
    street: str
    house_number: str
    postcode: str = strawberry.field(description="Dutch postcode, `1234 AB`.")
    city: str
    country: str | None = strawberry.field(default=None, description="`NL` (the default).")
    employee_id: strawberry.ID | None = _EMPLOYEE
    idempotency_key: str | None = _KEY


async def submit_address_update(
    info: strawberry.Info, input: SubmitAddressUpdateInput
) -> SubmitRequestPayload:
    """Ask to change your address (Update adres medewerker)."""
    return await _submit(
        info,
        WorkflowType.ADDRESS_UPDATE,
        input,
        lambda: changes.address(
            input.street, input.house_number, input.postcode, input.city, input.country
        ),
    )


@strawberry.input
class SubmitMaritalStatusUpdateInput:
    marital_status: MaritalStatus
    since: dt.date | None = None
    employee_id: strawberry.ID | None = _EMPLOYEE
    idempotency_key: str | None = _KEY


async def submit_marital_status_update(
    info: strawberry.Info, input: SubmitMaritalStatusUpdateInput
) -> SubmitRequestPayload:
    """Ask to change your marital status (Update burgerlijke staat medewerker)."""
    return await _submit(
        info,
        WorkflowType.MARITAL_STATUS_UPDATE,
        input,
        lambda: changes.marital_status(input.marital_status, input.since),
    )


@strawberry.input
class SubmitContactDetailsUpdateInput:
    phone: str | None = strawberry.field(default=None, description="Empty clears; null keeps.")
    mobile_phone: str | None = strawberry.field(default=None, description="Empty clears.")
    private_email: str | None = strawberry.field(default=None, description="Empty clears.")
    employee_id: strawberry.ID | None = _EMPLOYEE
    idempotency_key: str | None = _KEY


async def submit_contact_details_update(
    info: strawberry.Info, input: SubmitContactDetailsUpdateInput
) -> SubmitRequestPayload:
    """Ask to change your phone numbers or private e-mail (Update contactgegevens medewerker)."""
    return await _submit(
        info,
        WorkflowType.CONTACT_DETAILS_UPDATE,
        input,
        lambda: changes.contact_details(input.phone, input.mobile_phone, input.private_email),
    )


@strawberry.input
class ContactPersonInput:
    name: str
    relation: str
    phone: str


@strawberry.input
class SubmitEmergencyContactsUpdateInput:
    contacts: list[ContactPersonInput] = strawberry.field(
        description="0 to 3 contact persons; they replace the current ones."
    )
    employee_id: strawberry.ID | None = _EMPLOYEE
    idempotency_key: str | None = _KEY


async def submit_emergency_contacts_update(
    info: strawberry.Info, input: SubmitEmergencyContactsUpdateInput
) -> SubmitRequestPayload:
    """Ask to replace your contact persons (Update contactpersonen medewerker)."""
    return await _submit(
        info,
        WorkflowType.EMERGENCY_CONTACTS_UPDATE,
        input,
        lambda: changes.emergency_contacts(
            [changes.ContactPerson(c.name, c.relation, c.phone) for c in input.contacts]
        ),
    )


@strawberry.input
class SubmitIbanUpdateInput:
    iban: str = strawberry.field(description="ISO 13616, spaces allowed.")
    employee_id: strawberry.ID | None = _EMPLOYEE
    idempotency_key: str | None = _KEY


async def submit_iban_update(
    info: strawberry.Info, input: SubmitIbanUpdateInput
) -> SubmitRequestPayload:
    """Ask to change the account your salary is paid into (Update rekeningnummer)."""
    return await _submit(
        info, WorkflowType.IBAN_UPDATE, input, lambda: changes.iban_change(input.iban)
    )
