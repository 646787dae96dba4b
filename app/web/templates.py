"""`GET /templates/employees.xlsx`: the template of `importEmployees` (issue 16 point 4).

The template holds no data of anyone: one example row and a second sheet that explains the
columns. It is still served only with a bearer token (as export downloads), to any signed-in
user; no cookies.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.domain import employee_sheet as sheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_NAME = "werknemers-sjabloon.xlsx"
DATE_COLUMNS = {"Geboortedatum", "Datum in dienst", "Datum uit dienst", "Einde contract"}


def employees_template() -> bytes:
    """The .xlsx: sheet "Werknemers" (headers and the example row), sheet "Uitleg"."""
    workbook = Workbook()
    rows = workbook.active
    assert rows is not None
    rows.title = "Werknemers"
    rows.append(list(sheet.HEADERS))
    rows.append(list(sheet.EXAMPLE))
    for index, header in enumerate(sheet.HEADERS, start=1):
        cell = rows.cell(row=1, column=index)
        cell.font = Font(bold=True)
        letter = cell.column_letter
        rows.column_dimensions[letter].width = max(14, len(header) + 4)
        if header in DATE_COLUMNS:
            rows.cell(row=2, column=index).number_format = "DD-MM-YYYY"
        elif header in ("BSN", "Huisnummer", "Postcode", "Telefoon", "Mobiel"):
            rows.cell(row=2, column=index).number_format = "@"  # text: keeps leading zeros
    rows.freeze_panes = "A2"
    explained = workbook.create_sheet("Uitleg")
    explained.append(["Kolom", "Uitleg"])
    explained["A1"].font = explained["B1"].font = Font(bold=True)
    for header in sheet.HEADERS:
        explained.append([header, sheet.EXPLAINED[header]])
    explained.append([])
    explained.append(
        [
            "Let op",
            "Alleen het eerste werkblad wordt gelezen. Een kolom die ontbreekt laat dat gegeven "
            "zoals het is; een lege cel maakt het leeg. Vervang de voorbeeldrij door uw eigen "
            "werknemers.",
        ]
    )
    explained.column_dimensions["A"].width = 20
    explained.column_dimensions["B"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def download_template(graphql):
    async def endpoint(request: Request) -> Response:
        principal, error, _expires = await graphql.sign_in(request.headers.get("authorization"))
        if principal is None:
            message = error.message if error else "Log in om dit bestand te downloaden."
            return JSONResponse(
                {"error": {"code": "UNAUTHENTICATED", "message": message}},
                status_code=401,
                headers={"Cache-Control": "no-store", "WWW-Authenticate": "Bearer"},
            )
        return Response(
            employees_template(),
            media_type=XLSX,
            headers={
                "Content-Disposition": f'attachment; filename="{FILE_NAME}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return endpoint
