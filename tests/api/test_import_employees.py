"""importEmployees through HTTP, as a browser or script sends it: a GraphQL multipart request
(`multipart/form-data` with `operations`, `map` and the file) with a bearer token. The .xlsx
files are built here with openpyxl; what the report says is checked against what the database
and the administration log then hold."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import zipfile

import httpx
from asgi_lifespan import LifespanManager
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.db import models as m
from app.domain.employee_sheet import HEADERS
from app.server import create_app
from tests.conftest import errors_of

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT = """
mutation ($input: ImportEmployeesInput!) {
  importEmployees(input: $input) {
    applied dryRun created updated unchanged refused rowsTruncated
    rows { row employeeNumber outcome errors { column code message } }
    errors { code message field }
  }
}
"""


def valid_bsn(seed: int) -> str:
    """The first 11-proof BSN from 8 digits derived from `seed`."""
    for base in range(12_000_000 + seed * 100, 12_000_000 + seed * 100 + 100):
        digits = f"{base:08d}"
        total = sum(int(d) * w for d, w in zip(digits, range(9, 1, -1), strict=True))
        last = total % 11
        if last < 10:
            return digits + str(last)
    raise AssertionError(seed)


def employee_row(number: int, **changes) -> dict:
    row = {
        "Personeelsnummer": number,
        "Naam": f"Werknemer {number}",
        "Geboortedatum": dt.datetime(1980 + number % 20, 1 + number % 12, 1 + number % 28),
        "Afdeling": "verkoop" if number % 2 else "Logistiek",
        "Privé e-mail": f"w{number}@prive.example.nl",
        "Telefoon": "030 123 4567",
        "Mobiel": 612345678,  # a number cell: the leading 0 is lost in Excel
        "Straat": "Kerkstraat",
        "Huisnummer": number % 90 + 1,
        "Postcode": "3511ab",
        "Plaats": "Utrecht",
        "Land": None,
        "IBAN": "NL91 ABNA 0417 1643 00",
        "BSN": valid_bsn(number),
        "Datum in dienst": "01-02-2024",
        "Datum uit dienst": None,
        "Einde contract": "2027-01-31",
        "Oproepkracht": "ja" if number % 3 == 0 else "nee",
    }
    row.update(changes)
    return row


def xlsx(rows: list[dict], headers: tuple[str, ...] = HEADERS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


async def upload(
    client,
    token: str | None,
    employer: str,
    data: bytes,
    *,
    dry_run: bool | None = None,
    name: str = "werknemers.xlsx",
) -> httpx.Response:
    variables = {"input": {"employerId": employer, "file": None}}
    if dry_run is not None:
        variables["input"]["dryRun"] = dry_run
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post(
        "/graphql",
        data={
            "operations": json.dumps({"query": IMPORT, "variables": variables}),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": (name, data, XLSX)},
        headers=headers,
    )


async def imported(client, token, employer, data, **options) -> dict:
    response = await upload(client, token, employer, data, **options)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]["importEmployees"]


async def employees_numbered(db, numbers) -> list[m.Employee]:
    async with db.reader() as s:
        stmt = select(m.Employee).where(m.Employee.employee_number.in_(list(numbers)))
        return list(await s.scalars(stmt.order_by(m.Employee.employee_number)))


async def log_count(db) -> int:
    async with db.reader() as s:
        return await s.scalar(select(func.count()).select_from(m.AdministrationEntry))


async def import_log(db) -> list[m.AdministrationEntry]:
    async with db.reader() as s:
        stmt = select(m.AdministrationEntry).where(
            m.AdministrationEntry.action == "importEmployees"
        )
        return list(await s.scalars(stmt))


NUMBERS = range(5001, 5051)


async def test_fifty_employees_created_then_the_same_file_changes_nothing(client, db, token, ids):
    employer = await ids.employer()
    admin = token("kantoor.admin")
    data = xlsx([employee_row(n) for n in NUMBERS])

    report = await imported(client, admin, employer, data)
    assert report["errors"] == []
    assert (report["applied"], report["dryRun"]) == (True, False)
    assert (report["created"], report["updated"], report["unchanged"], report["refused"]) == (
        50,
        0,
        0,
        0,
    )
    assert [r["row"] for r in report["rows"]] == list(range(2, 52))
    assert {r["outcome"] for r in report["rows"]} == {"CREATED"}
    assert report["rowsTruncated"] is False

    stored = await employees_numbered(db, NUMBERS)
    assert [e.employee_number for e in stored] == list(NUMBERS)
    first = stored[0]
    assert (first.name, first.iban, first.mobile_phone, first.postcode, first.city) == (
        "Werknemer 5001",
        "NL91ABNA0417164300",
        "+31612345678",
        "3511 AB",
        "Utrecht",
    )
    assert (first.employment_start, first.contract_end) == (
        dt.date(2024, 2, 1),
        dt.date(2027, 1, 31),
    )
    assert first.bsn == valid_bsn(5001)
    assert [e.is_on_call for e in stored[:3]] == [True, False, False]  # 5001 % 3 == 0
    async with db.reader() as s:
        departments = dict((await s.execute(select(m.Department.id, m.Department.name))).all())
        person = await s.get(m.Person, first.person_id)
    assert departments[first.department_id] == "Verkoop"  # "verkoop" in the sheet
    assert departments[stored[1].department_id] == "Logistiek"
    assert person.name == "Werknemer 5001"

    entries = await import_log(db)
    assert len(entries) == 1
    assert entries[0].details == {
        "fileName": "werknemers.xlsx",
        "rows": 50,
        "created": 50,
        "updated": 0,
        "unchanged": 0,
    }
    async with db.reader() as s:
        per_employee = list(
            await s.scalars(
                select(m.AdministrationEntry).where(
                    m.AdministrationEntry.action == "upsertEmployee"
                )
            )
        )
    assert len(per_employee) == 50
    assert per_employee[0].details["via"] == "importEmployees"
    assert "iban" in per_employee[0].details["fields"]
    assert "NL91" not in json.dumps([e.details for e in per_employee + entries])

    logged = await log_count(db)
    again = await imported(client, admin, employer, data)
    assert (again["applied"], again["created"], again["updated"], again["unchanged"]) == (
        True,
        0,
        0,
        50,
    )
    assert {r["outcome"] for r in again["rows"]} == {"UNCHANGED"}
    assert await log_count(db) == logged

    # One changed cell: one update, logged.
    changed = xlsx(
        [employee_row(n, Plaats="Amersfoort" if n == 5007 else "Utrecht") for n in NUMBERS]
    )
    third = await imported(client, admin, employer, changed)
    assert (third["updated"], third["unchanged"]) == (1, 49)
    assert [r["employeeNumber"] for r in third["rows"] if r["outcome"] == "UPDATED"] == [5007]
    assert (await employees_numbered(db, [5007]))[0].city == "Amersfoort"
    assert await log_count(db) == logged + 2


async def test_one_bad_row_changes_nothing_and_names_row_and_column(client, db, token, ids):
    employer = await ids.employer()
    rows = [employee_row(n) for n in (6001, 6002, 6003)]
    rows[1]["IBAN"] = "NL00 ABNA 0000 0000 00"
    logged = await log_count(db)
    report = await imported(client, token("kantoor.admin"), employer, xlsx(rows))
    assert report["applied"] is False
    assert (report["created"], report["refused"]) == (2, 1)
    assert report["rows"][0] == {
        "row": 3,
        "employeeNumber": 6002,
        "outcome": "REFUSED",
        "errors": [
            {
                "column": "IBAN",
                "code": "INVALID_IBAN",
                "message": report["rows"][0]["errors"][0]["message"],
            }
        ],
    }
    assert "NL00" not in report["rows"][0]["errors"][0]["message"]
    assert [r["row"] for r in report["rows"]] == [3, 2, 4]
    assert await employees_numbered(db, (6001, 6002, 6003)) == []
    assert await log_count(db) == logged


async def test_row_refusals_name_their_columns(client, db, token, ids):
    employer = await ids.employer()
    rows = [
        employee_row(6101, Afdeling="Onbekend"),
        employee_row(6102, Geboortedatum="31-02-1980", BSN=123456789),
        employee_row(6101),  # the same number again
        employee_row(6104, Naam=None, Postcode="12345"),
    ]
    report = await imported(client, token("kantoor.admin"), employer, xlsx(rows))
    assert report["refused"] == 4 and report["applied"] is False
    errors = {r["row"]: [(e["column"], e["code"]) for e in r["errors"]] for r in report["rows"]}
    assert errors == {
        2: [("Afdeling", "NOT_FOUND")],
        3: [("Geboortedatum", "INVALID_VALUE"), ("BSN", "INVALID_VALUE")],
        4: [("Personeelsnummer", "DUPLICATE_ROW")],
        5: [("Naam", "INVALID_VALUE"), ("Postcode", "INVALID_POSTCODE")],
    }


async def test_dry_run_changes_nothing(client, db, token, ids):
    employer = await ids.employer()
    logged = await log_count(db)
    report = await imported(
        client, token("kantoor.admin"), employer, xlsx([employee_row(6201)]), dry_run=True
    )
    assert (report["applied"], report["dryRun"], report["created"]) == (False, True, 1)
    assert await employees_numbered(db, [6201]) == []
    assert await log_count(db) == logged


async def test_a_column_left_out_keeps_its_field(client, db, token, ids):
    employer = await ids.employer()
    admin = token("kantoor.admin")
    await imported(client, admin, employer, xlsx([employee_row(6301)]))
    only_city = xlsx(
        [{"Personeelsnummer": 6301, "Naam": "Nieuwe Naam"}], headers=("Personeelsnummer", "Naam")
    )
    report = await imported(client, admin, employer, only_city)
    assert report["updated"] == 1
    stored = (await employees_numbered(db, [6301]))[0]
    assert (stored.name, stored.city, stored.iban) == (
        "Nieuwe Naam",
        "Utrecht",
        "NL91ABNA0417164300",
    )


async def test_uploads_need_a_bearer_token(client, db, ids):
    employer = await ids.employer()
    response = await upload(client, None, employer, xlsx([employee_row(6401)]))
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "BEARER_REQUIRED"
    # Cookies are no credentials for an upload either.
    response = await client.post(
        "/graphql",
        data={"operations": "{}", "map": "{}"},
        files={"0": ("x.xlsx", b"PK", XLSX)},
        headers={"Cookie": "session=abc"},
    )
    assert response.status_code == 401
    assert await employees_numbered(db, [6401]) == []


async def test_the_operations_part_is_held_to_the_json_rules(client, token, ids):
    """An upload's `operations` is checked as a JSON body is: valid, not nested too deep, one
    operation with a query; nothing runs otherwise."""
    bearer = {"Authorization": f"Bearer {token('kantoor.admin')}"}
    for operations in ("{", "[" * 5_000 + "]" * 5_000, "[]", '{"variables": {}}'):
        response = await client.post(
            "/graphql",
            data={"operations": operations, "map": "{}"},
            files={"0": ("x.xlsx", b"PK", XLSX)},
            headers=bearer,
        )
        assert response.status_code == 400, (operations[:20], response.text)
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_only_xlsx_files_are_taken(client, token, ids):
    employer = await ids.employer()
    admin = token("kantoor.admin")
    for data in (b"Personeelsnummer;Naam\n1;Jan\n", b"%PDF-1.4", b""):
        report = await imported(client, admin, employer, data, name="werknemers.xlsx")
        assert [e["code"] for e in report["errors"]] == ["INVALID_FILE"], data
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    report = await imported(client, admin, employer, archive.getvalue())
    assert [e["code"] for e in report["errors"]] == ["INVALID_FILE"]
    wrong_header = xlsx([{"Personeelsnummer": 1}], headers=("Personeelsnummer", "Salaris"))
    report = await imported(client, admin, employer, wrong_header)
    assert [(e["code"], e["field"]) for e in report["errors"]] == [
        ("INVALID_FILE", ["input", "file"])
    ]
    assert "Salaris" in report["errors"][0]["message"]
    # Over JSON there is no file to read.
    response = await client.post(
        "/graphql",
        json={"query": IMPORT, "variables": {"input": {"employerId": employer, "file": "x"}}},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert [e["code"] for e in response.json()["data"]["importEmployees"]["errors"]] == [
        "INVALID_FILE"
    ]


@contextlib.asynccontextmanager
async def _client(settings, **update):
    application = create_app(settings.model_copy(update=update))
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


async def test_too_large_files_and_too_many_rows_are_refused(settings, db, token, ids):
    employer = await ids.employer()
    admin = token("kantoor.admin")
    data = xlsx([employee_row(n) for n in range(7001, 7041)])
    async with _client(settings, import_max_bytes=len(data) - 1) as client:
        report = await imported(client, admin, employer, data)
        assert [e["code"] for e in report["errors"]] == ["FILE_TOO_LARGE"]
        # Far over the limit: refused before the body is read.
        huge = data + b"\0" * (settings.max_body_bytes + len(data))
        response = await upload(client, admin, employer, huge)
        assert response.status_code == 413
        assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert await employees_numbered(db, range(7001, 7041)) == []

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Personeelsnummer"])
    for n in range(10_001):
        sheet.append([n + 1])
    out = io.BytesIO()
    workbook.save(out)
    async with _client(settings) as client:
        report = await imported(client, admin, employer, out.getvalue())
    assert [e["code"] for e in report["errors"]] == ["TOO_MANY_ROWS"]


async def test_who_may_import(client, db, token, ids):
    employer = await ids.employer()
    data = xlsx([employee_row(6501)])
    for user in ("manager.verkoop", "werkgever.hr"):
        response = await upload(client, token(user), employer, data)
        assert errors_of(response.json()) == ["FORBIDDEN"], (user, response.text)
    assert await employees_numbered(db, [6501]) == []


async def test_the_template_downloads_and_imports(client, db, token, ids):
    refused = await client.get("/templates/employees.xlsx")
    assert refused.status_code == 401
    admin = token("kantoor.admin")
    response = await client.get(
        "/templates/employees.xlsx", headers={"Authorization": f"Bearer {admin}"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert response.headers["content-disposition"].startswith("attachment;")
    assert response.headers["x-content-type-options"] == "nosniff"
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["Werknemers", "Uitleg"]
    assert next(workbook["Werknemers"].iter_rows(values_only=True)) == HEADERS

    report = await imported(client, admin, await ids.employer(), response.content)
    assert (report["applied"], report["created"], report["refused"]) == (True, 1, 0), report
    stored = (await employees_numbered(db, [1001]))[0]
    assert (stored.name, stored.bsn, stored.phone) == ("Jan Jansen", "111222333", "+31301234567")
