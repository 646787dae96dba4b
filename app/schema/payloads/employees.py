"""Payloads of the mutations that change an employee."""

from __future__ import annotations

import strawberry

from app.domain.employee_sheet import ImportOutcome as _ImportOutcome
from app.schema.enums import ErrorCode
from app.schema.errors import UserError
from app.schema.types.employee import Employee


@strawberry.type
class EmployeePayload:
    employee: Employee | None = None
    errors: list[UserError]


@strawberry.type
class UpsertEmployeePayload:
    employee: Employee | None = strawberry.field(
        default=None,
        description="As you may read it: null unless you may also view employees "
        "(VIEW_EMPLOYEES); IBAN and BSN follow their own rules.",
    )
    employee_id: strawberry.ID | None = strawberry.field(
        default=None, description="The employee's ID, also when `employee` is null."
    )
    created: bool | None = strawberry.field(
        default=None, description="True: a new employee; false: an existing one (updated or not)."
    )
    changed: bool | None = strawberry.field(
        default=None,
        description="False: the employee already had these values; nothing was written or logged.",
    )
    changed_fields: list[str] | None = strawberry.field(
        default=None,
        description="The input fields whose value changed (for a new employee: those it got), "
        'e.g. ["iban", "address"].',
    )
    errors: list[UserError]


ImportOutcome = strawberry.enum(
    _ImportOutcome, description="What the import did (or, in a dry run, would do) with a row."
)


@strawberry.type(description="A refused cell or field of an imported row.")
class ImportCellError:
    column: str = strawberry.field(description="The column's Dutch header, e.g. IBAN.")
    code: ErrorCode
    message: str


@strawberry.type(description="One row of the sheet in the import's report.")
class ImportRow:
    row: int = strawberry.field(description="The row number as Excel shows it (headers: 1).")
    employee_number: int | None = strawberry.field(
        description="Null when the cell holds no valid employee number."
    )
    outcome: ImportOutcome
    errors: list[ImportCellError]


@strawberry.type
class ImportEmployeesPayload:
    applied: bool | None = strawberry.field(
        default=None,
        description="True: the changes were written (one transaction). False: nothing was "
        "written, because of a dry run or because a row was refused.",
    )
    dry_run: bool | None = None
    created: int | None = None
    updated: int | None = None
    unchanged: int | None = None
    refused: int | None = None
    rows: list[ImportRow] | None = strawberry.field(
        default=None,
        description="Refused rows first, then the others in sheet order; at most 1,000 "
        "(`rowsTruncated` says when there were more).",
    )
    rows_truncated: bool | None = None
    errors: list[UserError]
