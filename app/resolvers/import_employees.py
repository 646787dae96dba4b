"""Import an employer's employees from an .xlsx file (issue 16 point 4).

Decisions (the columns and the cells: app/domain/employee_sheet.py; the record's rules:
app/domain/employee_record.py, the same as `upsertEmployee`):
- Right: MANAGE_EMPLOYEES at the employer; never department managers (as `upsertEmployee`).
- The upload (GraphQL multipart request specification) is taken only with a bearer token in
  the Authorization header (app/web/http.py: no cookies, no anonymous multipart: CSRF). The
  file is at most LOKETFLOW_IMPORT_MAX_BYTES (FILE_TOO_LARGE); it must be an .xlsx by its
  content, a zip (PK\\x03\\x04) that openpyxl opens (INVALID_FILE); its first sheet is read, in
  read-only mode, with at most 10,000 non-empty rows below the headers (TOO_MANY_ROWS).
- Every row is checked like one `upsertEmployee` (department by its name at this employer, case
  and spaces ignored; an unknown one is refused on the column Afdeling); an employee number
  that appears twice refuses its later rows (DUPLICATE_ROW).
- All or nothing: when any row is refused nothing is written (`applied: false`), so that a
  corrected file can simply be imported again. A dry run writes nothing either. Otherwise the
  created and updated rows are written in the mutation's one transaction (`applied: true`).
  The rows are read, checked and written 500 at a time, so that memory holds one chunk
  whatever the file's length; a row refused after earlier chunks were written rolls the
  transaction back (`Refused`), and the report still covers every row.
- The import runs in the request (10,000 rows: about 20 s on SQLite, holding its write lock).
- The administration log gets, per changed employee, what `upsertEmployee` logs (action
  `upsertEmployee`, `via: importEmployees`), and one `importEmployees` entry on the employer
  with the counts and the file name; an import that changes nothing logs nothing.
- The report lists refused rows first, then the others in sheet order, at most 1,000 rows; the
  counts always cover every row.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import strawberry
from openpyxl import load_workbook

from app.db import administration, employee_import, employees
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain import employee_record as rec
from app.domain import employee_sheet as sheet
from app.domain.authz import Principal, Right, refusal
from app.domain.employee_sheet import CellError, ImportOutcome, SheetRow
from app.domain.errors import DomainError, ErrorCode, Forbidden
from app.schema.ids import input_pk
from app.schema.inputs.employees import ImportEmployeesInput
from app.schema.payloads.employees import ImportCellError, ImportEmployeesPayload, ImportRow
from app.schema.runner import failed, write

NOT_FOR_MANAGERS = "Afdelingsmanagers kunnen geen werknemers importeren."
ZIP_MAGIC = b"PK\x03\x04"
MAX_COLUMNS = 60  # cells read per row: the template has 18 columns
CHUNK_ROWS = 500  # rows read, checked and written at a time
UNREADABLE = "Dit .xlsx-bestand kan niet worden gelezen."


@dataclass(frozen=True)
class ImportEmployees:
    employer_id: str
    # The .xlsx file's bytes, read in chunks by the use case; or, instead, its rows.
    data: bytes = b""
    file_name: str = ""
    dry_run: bool = False
    rows: tuple[SheetRow, ...] | None = None


@dataclass
class Line:
    row: int
    employee_number: int | None
    outcome: ImportOutcome
    errors: list[CellError] = field(default_factory=list)
    plan: rec.Plan | None = None


@dataclass(frozen=True)
class ImportReport:
    """The counts over every row, and at most REPORT_ROWS rows: refused first, then sheet
    order."""

    counts: dict[ImportOutcome, int]
    lines: tuple[Line, ...]
    applied: bool
    dry_run: bool

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count(self, outcome: ImportOutcome) -> int:
        return self.counts[outcome]


@dataclass
class Report:
    """The report while the rows come in: counts, and the rows it will show (bounded)."""

    dry_run: bool
    counts: dict[ImportOutcome, int] = field(
        default_factory=lambda: dict.fromkeys(ImportOutcome, 0)
    )
    refused: list[Line] = field(default_factory=list)
    others: list[Line] = field(default_factory=list)

    def add(self, line: Line) -> None:
        self.counts[line.outcome] += 1
        shown = self.refused if line.outcome is ImportOutcome.REFUSED else self.others
        if len(shown) < sheet.REPORT_ROWS:
            shown.append(Line(line.row, line.employee_number, line.outcome, line.errors))

    def done(self, *, applied: bool) -> ImportReport:
        lines = (self.refused + self.others)[: sheet.REPORT_ROWS]
        return ImportReport(dict(self.counts), tuple(lines), applied, self.dry_run)


class Refused(DomainError):
    """A row was refused: the transaction is rolled back; the report goes to the caller."""

    def __init__(self, report: ImportReport):
        super().__init__(ErrorCode.INVALID_VALUE, "Een of meer rijen zijn geweigerd.")
        self.report = report


def _file_error(code: ErrorCode, message: str) -> DomainError:
    return DomainError(code, message, ["input", "file"])


def open_sheet(data: bytes) -> Iterator[SheetRow]:
    """The rows of the first sheet of an .xlsx file, read lazily (one row in memory at a time;
    the workbook is closed at the end); the file and its headers are checked at once: a
    DomainError (INVALID_FILE). Iterating raises TOO_MANY_ROWS past 10,000 rows, INVALID_FILE
    on a broken sheet. Synchronous: run it, and each step of it, off the event loop."""
    if not data.startswith(ZIP_MAGIC):
        raise _file_error(ErrorCode.INVALID_FILE, "Dit is geen .xlsx-bestand.")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # not a workbook inside the zip, or a broken one
        raise _file_error(ErrorCode.INVALID_FILE, UNREADABLE) from error
    try:
        if not workbook.worksheets:
            raise _file_error(ErrorCode.INVALID_FILE, "Dit .xlsx-bestand heeft geen werkblad.")
        cells = workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header = next(cells, None)
        if header is None:
            raise _file_error(ErrorCode.INVALID_FILE, "Het werkblad is leeg.")
        try:
            columns = sheet.columns_of(header)
        except DomainError as error:
            raise _file_error(error.code, error.message) from error
    except DomainError:
        workbook.close()
        raise
    except Exception as error:
        workbook.close()
        raise _file_error(ErrorCode.INVALID_FILE, UNREADABLE) from error
    return _rows(workbook, cells, columns)


def _rows(
    workbook: Any, cells: Iterator[tuple[Any, ...]], columns: dict[int, str]
) -> Iterator[SheetRow]:
    try:
        count = 0
        for number, values in enumerate(cells, start=2):
            if sheet.is_empty(values):
                continue
            if count == sheet.MAX_ROWS:
                raise _file_error(
                    ErrorCode.TOO_MANY_ROWS,
                    f"Een import heeft ten hoogste {sheet.MAX_ROWS} werknemers; "
                    "splits het bestand.",
                )
            count += 1
            yield sheet.row_of(number, values, columns)
    except DomainError:
        raise
    except Exception as error:  # a broken sheet inside a valid zip
        raise _file_error(ErrorCode.INVALID_FILE, UNREADABLE) from error
    finally:
        workbook.close()


def read_sheet(data: bytes) -> list[SheetRow]:
    """Every row of the file at once (`open_sheet`, for tests and small files)."""
    return list(open_sheet(data))


def _take(rows: Iterator[SheetRow], count: int) -> list[SheetRow]:
    return list(itertools.islice(rows, count))


async def import_employees(
    session: Session, principal: Principal, command: ImportEmployees
) -> ImportReport:
    """The report; refuses with a `DomainError`, and with `Refused` (carrying the report) when
    a row was refused after earlier rows were written: nothing of them is kept."""
    pk = input_pk(command.employer_id, "Employer", "employerId")
    employer = await visible(session, principal, m.Employer, pk, "employerId")
    if principal.is_department_manager:
        raise Forbidden(NOT_FOR_MANAGERS)
    if not principal.has_right(Right.MANAGE_EMPLOYEES, employer.id):
        raise Forbidden(refusal(Right.MANAGE_EMPLOYEES))

    # Rows in chunks: each chunk read (off the event loop), checked and, unless this is a dry
    # run or a row was refused, written and flushed before the next is read, so that memory
    # holds one chunk whatever the file's length. A refused row stops the writing; the
    # transaction is then rolled back (all or nothing) once every row is checked.
    if command.rows is not None:
        rows: Iterator[SheetRow] = iter(command.rows)
    else:
        rows = await asyncio.to_thread(open_sheet, command.data)
    departments = await employee_import.departments_by_name(session, employer.id)
    today = dt.date.today()
    first_row: dict[int, int] = {}
    owners: dict[tuple[str, dt.date], int] = {}
    moved: set[int] = set()
    report = Report(dry_run=command.dry_run)
    while chunk := await asyncio.to_thread(_take, rows, CHUNK_ROWS):
        numbers = [r.employee_number for r in chunk if r.employee_number is not None]
        existing = await employee_import.employees_by_number(
            session, employer.id, numbers, lock=not command.dry_run
        )
        lines = [_check(row, departments, existing, first_row, today) for row in chunk]
        for line in lines:
            report.add(line)
        if command.dry_run or report.counts[ImportOutcome.REFUSED]:
            continue
        changed = [line for line in lines if line.outcome is not ImportOutcome.UNCHANGED]
        await _apply(session, principal, employer, changed, existing, owners, moved)
    if command.dry_run:
        return report.done(applied=False)
    if report.counts[ImportOutcome.REFUSED]:
        raise Refused(report.done(applied=False))
    await employee_import.departments_moved(session, employer.id, moved)
    done = report.done(applied=True)
    if done.count(ImportOutcome.CREATED) or done.count(ImportOutcome.UPDATED):
        administration.log(
            session,
            principal.user_id,
            "importEmployees",
            employer,
            provider_id=employer.provider_id,
            employer_id=employer.id,
            fileName=command.file_name[:200],
            rows=done.total,
            created=done.count(ImportOutcome.CREATED),
            updated=done.count(ImportOutcome.UPDATED),
            unchanged=done.count(ImportOutcome.UNCHANGED),
        )
    return done


def _check(
    row: SheetRow,
    departments: dict[str, int],
    existing: dict[int, tuple[m.Employee, m.Person]],
    first_row: dict[int, int],
    today: dt.date,
) -> Line:
    """One row checked as `upsertEmployee` checks a record."""
    errors = list(row.errors)
    raw = dict(row.raw)
    number = row.employee_number
    if number is not None:
        if number in first_row:
            message = f"Dit personeelsnummer staat ook in rij {first_row[number]}."
            errors.append(CellError(sheet.HEADERS[0], ErrorCode.DUPLICATE_ROW, message))
        else:
            first_row[number] = row.row
    department_refused = False
    name = raw.get(rec.DEPARTMENT)
    if isinstance(name, str):
        department = departments.get(" ".join(name.split()).lower())
        if department is None:
            message = "Deze werkgever heeft geen afdeling met deze naam."
            errors.append(
                CellError(sheet.column_of([rec.DEPARTMENT]), ErrorCode.NOT_FOUND, message)
            )
            department_refused = True
            del raw[rec.DEPARTMENT]
        else:
            raw[rec.DEPARTMENT] = department
    found = existing.get(number) if number is not None else None
    current = employees.record_of(*found) if found else None
    plan = rec.plan(raw, current, today)
    for error in plan.errors:
        if department_refused and error.field and error.field[0] == rec.DEPARTMENT:
            continue
        errors.append(CellError(sheet.column_of(error.field), error.code, error.message))
    if errors:
        outcome = ImportOutcome.REFUSED
    elif found is None:
        outcome = ImportOutcome.CREATED
    else:
        outcome = ImportOutcome.UPDATED if plan.changed else ImportOutcome.UNCHANGED
    return Line(row.row, number, outcome, errors, plan)


async def _apply(
    session: Session,
    principal: Principal,
    employer: m.Employer,
    lines: list[Line],
    existing: dict[int, tuple[m.Employee, m.Person]],
    owners: dict[tuple[str, dt.date], int],
    moved: set[int],
) -> None:
    """Write one chunk's created and updated rows, logged as `upsertEmployee` logs them."""
    done: list[tuple[m.Employee, Line]] = []
    new: list[tuple[int, dict[str, Any]]] = []
    for line in lines:
        assert line.plan is not None and line.employee_number is not None
        if line.outcome is ImportOutcome.UPDATED:
            employee, person = existing[line.employee_number]
            before = employee.department_id
            employees.write(employee, person, line.plan.values)
            if employee.department_id != before:
                moved |= {before, employee.department_id}
            done.append((employee, line))
        else:
            new.append((line.employee_number, line.plan.values))
    created = await employee_import.create_many(
        session, employer.id, employer.provider_id, new, owners
    )
    creations = [line for line in lines if line.outcome is ImportOutcome.CREATED]
    done += list(zip(created, creations, strict=True))
    await session.flush()
    for employee, line in sorted(done, key=lambda pair: pair[1].row):
        assert line.plan is not None
        administration.log(
            session,
            principal.user_id,
            "upsertEmployee",
            employee,
            provider_id=employer.provider_id,
            employer_id=employer.id,
            employeeNumber=line.employee_number,
            created=line.outcome is ImportOutcome.CREATED,
            fields=list(line.plan.changed),
            via="importEmployees",
        )
    await session.flush()


async def _read_upload(info: strawberry.Info, upload: Any) -> tuple[bytes, str]:
    limit = info.context.settings.import_max_bytes
    if not (hasattr(upload, "read") and hasattr(upload, "filename")):
        raise _file_error(
            ErrorCode.INVALID_FILE,
            "Stuur het bestand als upload (GraphQL multipart request, multipart/form-data).",
        )
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise _file_error(
            ErrorCode.FILE_TOO_LARGE, f"Het bestand is groter dan {limit // 1_048_576 or 1} MB."
        )
    if not data.startswith(ZIP_MAGIC):
        raise _file_error(ErrorCode.INVALID_FILE, "Dit is geen .xlsx-bestand.")
    return data, str(upload.filename or "")


def _payload(report: ImportReport) -> ImportEmployeesPayload:
    rows = [
        ImportRow(
            row=line.row,
            employee_number=line.employee_number,
            outcome=line.outcome,
            errors=[
                ImportCellError(column=e.column, code=e.code, message=e.message)
                for e in line.errors
            ],
        )
        for line in report.lines
    ]
    return ImportEmployeesPayload(
        applied=report.applied,
        dry_run=report.dry_run,
        created=report.count(ImportOutcome.CREATED),
        updated=report.count(ImportOutcome.UPDATED),
        unchanged=report.count(ImportOutcome.UNCHANGED),
        refused=report.count(ImportOutcome.REFUSED),
        rows=rows,
        rows_truncated=report.total > len(rows),
        errors=[],
    )


async def resolve_import_employees(
    info: strawberry.Info, input: ImportEmployeesInput
) -> ImportEmployeesPayload:
    """Create and update the employer's employees from an .xlsx file (template:
    `GET /templates/employees.xlsx`; a column left out keeps its field, an empty cell clears
    it). Send it as a GraphQL multipart request (`multipart/form-data`, with an `Authorization:
    Bearer` header). Every row is checked as `upsertEmployee` checks one employee; the report
    gives each row's outcome and every refused cell by its column. All or nothing: when a row
    is refused nothing is written (`applied: false`); `dryRun: true` writes nothing either."""
    try:
        data, file_name = await _read_upload(info, input.file)
        command = ImportEmployees(
            employer_id=input.employer_id,
            data=data,
            file_name=file_name,
            dry_run=bool(input.dry_run),
        )
        report = await write(
            info, lambda session, principal: import_employees(session, principal, command)
        )
    except Refused as refused:
        return _payload(refused.report)
    except DomainError as error:
        return failed(ImportEmployeesPayload, error)
    return _payload(report)
