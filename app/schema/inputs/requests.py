"""Inputs of the request mutations: the MijnLoket requests that change personal data, the
management actions started in Loket, and withdrawing a request."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.schema.enums import MaritalStatus

_EMPLOYEE = strawberry.field(
    default=None, description="Only needed when you have several employments."
)
_KEY = strawberry.field(
    default=None,
    description="Retrying with the same key returns the first request, creating nothing new.",
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


@strawberry.input
class SubmitMaritalStatusUpdateInput:
    marital_status: MaritalStatus
    since: dt.date | None = None
    employee_id: strawberry.ID | None = _EMPLOYEE
    idempotency_key: str | None = _KEY


@strawberry.input
class SubmitContactDetailsUpdateInput:
    phone: str | None = strawberry.field(default=None, description="Empty clears; null keeps.")
    mobile_phone: str | None = strawberry.field(default=None, description="Empty clears.")
    private_email: str | None = strawberry.field(default=None, description="Empty clears.")
    employee_id: strawberry.ID | None = _EMPLOYEE
    idempotency_key: str | None = _KEY


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


@strawberry.input
class SubmitIbanUpdateInput:
    iban: str = strawberry.field(description="ISO 13616, spaces allowed.")
    employee_id: strawberry.ID | None = _EMPLOYEE
    idempotency_key: str | None = _KEY


@strawberry.input
class SubmitContractExtensionInput:
    employee_id: strawberry.ID
    new_contract_end: dt.date = strawberry.field(description="After the current end date.")
    idempotency_key: str | None = _KEY


@strawberry.input
class SubmitEmploymentTerminationInput:
    employee_id: strawberry.ID
    end_date: dt.date = strawberry.field(description="Not before the employment started.")
    reason: str | None = None
    idempotency_key: str | None = _KEY


@strawberry.input
class WithdrawRequestInput:
    instance_id: strawberry.ID
