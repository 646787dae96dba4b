"""Inputs of the mutations that change one employee: its workflow settings, its record."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.file_uploads import Upload


@strawberry.input
class SetDeviatingApproverInput:
    employee_id: strawberry.ID
    user_id: strawberry.ID | None = strawberry.field(
        default=None, description="Null removes the deviating approver."
    )


@strawberry.input(
    description="An address; it replaces the whole stored address. NL (the default) takes a "
    "Dutch postcode such as 1234 AB."
)
class EmployeeAddressInput:
    street: str
    house_number: str
    postcode: str
    city: str
    country: str | None = strawberry.field(
        default="NL", description="ISO 3166 two-letter code, e.g. NL or BE; null: NL."
    )


_KEEP_OR_CLEAR = "Left out: kept; null: cleared."
_KEEP = "Left out: kept; cannot be null."


@strawberry.input(
    description="One employee, keyed by employer and employee number. A field left out keeps "
    "its value; a field given as null clears it (name, department, employment start and onCall "
    "cannot be cleared). A new employee needs name, departmentId and employmentStart."
)
class UpsertEmployeeInput:
    employer_id: strawberry.ID
    employee_number: int = strawberry.field(description="Personeelsnummer: 1 or more.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description=_KEEP)
    date_of_birth: dt.date | None = strawberry.field(
        default=strawberry.UNSET, description=_KEEP_OR_CLEAR
    )
    department_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description=f"A department of the employer. {_KEEP}"
    )
    private_email: str | None = strawberry.field(
        default=strawberry.UNSET, description=_KEEP_OR_CLEAR
    )
    phone: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"Dutch unless it starts with +; stored as E.164 (+31...). {_KEEP_OR_CLEAR}",
    )
    mobile_phone: str | None = strawberry.field(
        default=strawberry.UNSET, description=_KEEP_OR_CLEAR
    )
    address: EmployeeAddressInput | None = strawberry.field(
        default=strawberry.UNSET, description=f"Replaced as a whole. {_KEEP_OR_CLEAR}"
    )
    iban: str | None = strawberry.field(
        default=strawberry.UNSET, description=f"ISO 13616, stored compact. {_KEEP_OR_CLEAR}"
    )
    bsn: str | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"Burgerservicenummer: 9 digits, 11-proof. {_KEEP_OR_CLEAR}",
    )
    employment_start: dt.date | None = strawberry.field(default=strawberry.UNSET, description=_KEEP)
    employment_end: dt.date | None = strawberry.field(
        default=strawberry.UNSET, description=f"Not before employmentStart. {_KEEP_OR_CLEAR}"
    )
    contract_end: dt.date | None = strawberry.field(
        default=strawberry.UNSET,
        description=f"Not before employmentStart; null: an indefinite contract. {_KEEP_OR_CLEAR}",
    )
    on_call: bool | None = strawberry.field(
        default=strawberry.UNSET, description=f"An on-call worker (oproepkracht). {_KEEP}"
    )


@strawberry.input(
    description="An .xlsx file of employees (the template: GET /templates/employees.xlsx), sent "
    "as the GraphQL multipart request specification says, with a bearer token."
)
class ImportEmployeesInput:
    employer_id: strawberry.ID
    file: Upload = strawberry.field(
        description="The .xlsx file (multipart upload). At most LOKETFLOW_IMPORT_MAX_BYTES "
        "(10 MB by default) and 10,000 rows."
    )
    dry_run: bool | None = strawberry.field(
        default=False, description="True: check every row and report, change nothing."
    )
