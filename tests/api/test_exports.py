"""The Excel download of the process overview (issue 5): the file holds the overview's rows and
headers, typed; large exports run in the background; only the owner can download, briefly."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import httpx
import openpyxl
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select, update

from app.db import models as m
from app.db.queries.process_overview import OverviewFilter, filter_to_json
from app.domain.overview import ProcessTab
from app.export import build
from app.schema.ids import from_global_id
from app.server import create_app
from app.workers.exports import ExportWorker
from tests.api.test_process_overview import OVERVIEW, rows, scenario
from tests.api.test_requests import PROCESS, claim
from tests.conftest import errors_of

AMSTERDAM = ZoneInfo("Europe/Amsterdam")  # the file's wall clock, whatever the machine's zone

EXPORT = """mutation ($input: ExportProcessOverviewInput!) { exportProcessOverview(input: $input) {
  export { id status rowCount rowsWritten progress url expiresAt fileName tab error }
  errors { code message field } } }"""
NODE = """query ($id: ID!) { node(id: $id) { ... on Export {
  status rowCount progress url error } } }"""


async def export(graphql, as_user, employer_id, tab="OPEN", **extra):
    variables = {"input": {"employerId": employer_id, "tab": tab, **extra}}
    result = await graphql(EXPORT, variables, as_user=as_user)
    return result["data"]["exportProcessOverview"] if result.get("data") else result


async def download(client, token, url, as_user):
    headers = {"Authorization": f"Bearer {token(as_user)}"} if as_user else {}
    return await client.get(url.replace("http://testserver", ""), headers=headers)


def workbook(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(response.content))


# The screen's rows with every field a column shows (see OverviewColumnInfo.column).
SCREEN = """query ($e: ID, $tab: ProcessTab!, $f: ProcessOverviewFilter,
  $sort: ProcessOverviewSort) {
  processOverview(employerId: $e, tab: $tab, filter: $f, sort: $sort, first: 100) {
    columns { column header } edges { node {
      employer { name } employee { name } submitter { displayName } submittedAt displayName
      statusLabel nextActionBy
      expenseClaim { component { name } value payrollPeriod effectivePayrollPeriod } } } } }"""


def amsterdam(iso: str) -> dt.datetime:
    """The screen's moment as the file's naive Dutch wall-clock time."""
    return dt.datetime.fromisoformat(iso).astimezone(AMSTERDAM).replace(tzinfo=None)


def screen_value(node: dict, column: str):
    """What the screen shows in `column` for a row, as the file should hold it."""
    claim_ = node["expenseClaim"] or {}
    return {
        "EMPLOYER": lambda: node["employer"]["name"],
        "EMPLOYEE": lambda: node["employee"]["name"],
        "SUBMITTER": lambda: node["submitter"] and node["submitter"]["displayName"],
        "SUBMITTED_AT": lambda: amsterdam(node["submittedAt"]),
        "PROCESS": lambda: node["displayName"],
        "STATUS": lambda: node["statusLabel"],
        "NEXT_ACTION_BY": lambda: node["nextActionBy"],
        "COMPONENT": lambda: claim_["component"]["name"],
        "VALUE": lambda: Decimal(claim_["value"]),
        "PAYROLL_PERIOD": lambda: claim_["effectivePayrollPeriod"],
    }[column]()


def same_cell(cell, expected) -> bool:
    # Excel holds a time to the millisecond and a number as a float: equal to what it can hold
    # (a wrong zone or offset is off by an hour, not a millisecond).
    if isinstance(expected, dt.datetime):
        return isinstance(cell, dt.datetime) and abs(cell - expected) < dt.timedelta(milliseconds=1)
    if isinstance(expected, Decimal):
        return isinstance(cell, (int, float)) and Decimal(str(cell)) == expected
    return cell == expected


async def screen_and_file(graphql, client, token, as_user, employer_id, tab, **extra):
    """The overview and its export for the same arguments: (screen, sheet rows as cells)."""
    variables = {"e": employer_id, "tab": tab, "f": extra.get("filter"), "sort": extra.get("sort")}
    screen = (await graphql(SCREEN, variables, as_user=as_user))["data"]["processOverview"]
    payload = await export(graphql, as_user, employer_id, tab, **extra)
    assert payload["errors"] == [], payload
    response = await download(client, token, payload["export"]["url"], as_user)
    return screen, list(workbook(response).active.iter_rows())


def assert_file_is_screen(screen: dict, sheet: list) -> None:
    """Same headers, same rows in the same order, cell for cell."""
    keys = [c["column"] for c in screen["columns"]]
    assert [c.value for c in sheet[0]] == [c["header"] for c in screen["columns"]]
    nodes = [e["node"] for e in screen["edges"]]
    assert len(sheet) - 1 == len(nodes)
    for node, cells in zip(nodes, sheet[1:], strict=True):
        expected = [screen_value(node, k) for k in keys]
        got = [c.value for c in cells]
        assert all(map(same_cell, got, expected)), (got, expected)


async def submitted_at(db, instance_id: str, moment: dt.datetime) -> None:
    async with db.writer() as s:
        await s.execute(
            update(m.WorkflowInstance)
            .where(m.WorkflowInstance.id == int(from_global_id(instance_id)[1]))
            .values(submitted_at=moment)
        )


async def test_the_file_holds_the_overview_rows_and_headers(graphql, db, client, token, ids):
    requests = await scenario(graphql, db)
    # Whole seconds in winter and summer time, two of them past midnight in Amsterdam only.
    await submitted_at(db, requests["wn005"], dt.datetime(2026, 11, 2, 23, 30, tzinfo=dt.UTC))
    await submitted_at(db, requests["wn003"], dt.datetime(2026, 7, 1, 22, 15, tzinfo=dt.UTC))
    await submitted_at(db, requests["address"], dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC))
    employer = await ids.employer()
    screen = await graphql(
        OVERVIEW, {"employerId": employer, "tab": "OPEN"}, as_user="werkgever.hr"
    )
    payload = await export(graphql, "werkgever.hr", employer)
    assert payload["errors"] == []
    made = payload["export"]
    assert made["status"] == "READY" and made["rowCount"] == 3 and made["progress"] == 1.0
    assert made["fileName"].startswith("procesbeheer-de-ideale-klant-b-v-openstaand-")
    assert made["url"].startswith("http://testserver/exports/")

    response = await download(client, token, made["url"], "werkgever.hr")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    book = workbook(response)
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    headers = [c["header"] for c in screen["data"]["processOverview"]["columns"]]
    assert list(values[0]) == headers
    on_screen = rows(screen)
    assert [r[0] for r in values[1:]] == [r["employee"]["name"] for r in on_screen]
    assert [r[3] for r in values[1:]] == [r["displayName"] for r in on_screen]
    assert [r[4] for r in values[1:]] == [r["statusLabel"] for r in on_screen]
    assert [r[5] for r in values[1:]] == [r["nextActionBy"] for r in on_screen]
    # A naive date-time in Dutch wall-clock time (Excel has no zones), shown to the minute.
    submitted = [r[2] for r in values[1:]]
    assert submitted == [
        dt.datetime(2026, 11, 3, 0, 30),  # CET, +1
        dt.datetime(2026, 7, 2, 0, 15),  # CEST, +2
        dt.datetime(2026, 3, 29, 3, 30),  # the first hour of summer time
    ]
    assert submitted == [amsterdam(r["submittedAt"]) for r in on_screen]
    assert {sheet.cell(row=n, column=3).number_format for n in (2, 3, 4)} == {"dd-mm-yyyy hh:mm"}
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:F{len(values)}"


async def test_declarations_add_typed_columns(graphql, db, client, token, ids):
    made = await scenario(graphql, db)
    employer = await ids.employer()
    claims = {"types": ["EXPENSE_CLAIM"]}
    screen, sheet = await screen_and_file(
        graphql, client, token, "werkgever.hr", employer, "OPEN", filter=claims
    )
    assert [c.value for c in sheet[0]][-3:] == ["Component", "Waarde", "Verloningsperiode"]
    assert_file_is_screen(screen, sheet)
    by_component = {row[-3].value: row for row in sheet[1:]}
    # The payroll name, as on screen (`component { name }`), not the label "Tankbonnetjes".
    fuel, km = by_component["Brandstofkosten"], by_component["Kilometers onbelast"]
    assert fuel[-2].value == 80 and isinstance(fuel[-2].value, (int, float))
    assert fuel[-2].number_format == '"€" #,##0.00'
    assert km[-2].value == 12.5 and km[-2].number_format == '#,##0.00 "km"'

    # A processed claim: the file's period is where it was booked, as effectivePayrollPeriod.
    booked = await graphql(
        PROCESS,
        {"input": {"instanceIds": [made["wn001"]], "payrollPeriod": "2026-12"}},
        as_user="werkgever.hr",
    )
    assert booked["data"]["processExpenseClaims"]["processedCount"] == 1
    for f in (claims, {**claims, "payrollPeriods": ["2026-12"]}):
        screen, sheet = await screen_and_file(
            graphql, client, token, "werkgever.hr", employer, "HISTORICAL", filter=f
        )
        assert_file_is_screen(screen, sheet)
        [processed] = [
            (e["node"]["expenseClaim"], row)
            for e, row in zip(screen["edges"], sheet[1:], strict=True)
            if row[-2].value == 42
        ]
        shown, row = processed
        assert (shown["payrollPeriod"], shown["effectivePayrollPeriod"]) == ("2026-11", "2026-12")
        assert row[-1].value == shown["effectivePayrollPeriod"]


async def test_the_office_wide_file_is_the_office_wide_screen(graphql, db, client, token):
    await scenario(graphql, db)
    for user in ("kantoor.admin", "kantoor.salaris"):
        for tab, f in (("OPEN", None), ("HISTORICAL", {"types": ["EXPENSE_CLAIM"]})):
            screen, sheet = await screen_and_file(graphql, client, token, user, None, tab, filter=f)
            assert sheet[0][0].value == "Werkgever"
            assert {r[0].value for r in sheet[1:]} == {"De Ideale Klant B.V."}
            assert len(sheet) > 2, (user, tab)
            assert_file_is_screen(screen, sheet)


async def test_a_sorted_file_keeps_the_screens_order(graphql, db, client, token, ids):
    made = await scenario(graphql, db)
    # More rows: a second request of one employee (ties on the name), and a withdrawn one.
    for user, value in (("wn001", "3"), ("wn008", "5")):
        assert (await claim(graphql, db, user, value=value))["errors"] == []
    withdrawn = await graphql(
        """mutation ($id: ID!) { withdrawRequest(input: {instanceId: $id}) { errors { code } } }""",
        {"id": made["wn005"]},
        as_user="wn005",
    )
    assert withdrawn["data"]["withdrawRequest"]["errors"] == []
    employer = await ids.employer()
    for sort in (
        {"by": "EMPLOYEE", "direction": "ASC"},
        {"by": "STATUS", "direction": "ASC"},
        {"by": "STATUS", "direction": "DESC"},
    ):
        for tab in ("OPEN", "HISTORICAL"):
            for who, e in (("werkgever.hr", employer), ("kantoor.salaris", None)):
                screen, sheet = await screen_and_file(
                    graphql, client, token, who, e, tab, sort=sort
                )
                assert len(sheet) > 3, (sort, tab)
                assert_file_is_screen(screen, sheet)
                if sort["by"] == "EMPLOYEE":  # and the screen really is in that order
                    names = [n["node"]["employee"]["name"] for n in screen["edges"]]
                    assert names == sorted(names)


async def test_the_submitter_column_is_the_screens_submitter(graphql, db, client, token, ids):
    await scenario(graphql, db)
    # A submitter named apart from its employee, so that the two columns cannot be confused.
    async with db.writer() as s:
        await s.execute(
            update(m.User).where(m.User.username == "wn005").values(display_name="Account vijf")
        )
    employer = await ids.employer()
    for who, e in (
        ("werkgever.hr", employer),
        ("kantoor.salaris", None),
        ("manager.verkoop", employer),
    ):
        for tab in ("OPEN", "HISTORICAL"):
            screen, sheet = await screen_and_file(graphql, client, token, who, e, tab)
            assert_file_is_screen(screen, sheet)
            column = [c["column"] for c in screen["columns"]].index("SUBMITTER")
            shown = [(n["node"]["submitter"] or {}).get("displayName") for n in screen["edges"]]
            assert [r[column].value for r in sheet[1:]] == shown
    screen, sheet = await screen_and_file(graphql, client, token, "werkgever.hr", employer, "OPEN")
    [row] = [r for r in sheet[1:] if r[1].value == "Account vijf"]
    assert row[0].value != "Account vijf"  # the employee's own name stays in its column


async def test_a_department_manager_exports_its_departments_only(graphql, db, client, token, ids):
    await scenario(graphql, db)
    employer = await ids.employer()
    for tab in ("OPEN", "HISTORICAL"):
        payload = await export(graphql, "manager.verkoop", employer, tab)
        response = await download(client, token, payload["export"]["url"], "manager.verkoop")
        names = [r[0] for r in workbook(response).active.iter_rows(min_row=2, values_only=True)]
        async with db.reader() as s:
            verkoop = set(
                await s.scalars(
                    select(m.Employee.name)
                    .join(m.Department, m.Department.id == m.Employee.department_id)
                    .where(m.Department.name == "Verkoop")
                )
            )
        assert len(names) == 1 and set(names) <= verkoop


async def test_only_the_owner_downloads_and_only_briefly(graphql, db, client, token, ids, settings):
    await scenario(graphql, db)
    employer = await ids.employer()
    made = (await export(graphql, "werkgever.hr", employer))["export"]
    url = made["url"]
    assert (await download(client, token, url, None)).status_code == 401
    # Someone else, even with every right: as if the link did not exist.
    assert (await download(client, token, url, "kantoor.admin")).status_code == 404
    assert (
        await download(client, token, "/exports/not-a-token", "werkgever.hr")
    ).status_code == 404
    # The owner loses the right: the file is no longer theirs to take.
    async with db.writer() as s:
        hr = await s.scalar(select(m.User.id).where(m.User.username == "werkgever.hr"))
        grant = await s.scalar(
            select(m.RightGrant).where(
                m.RightGrant.user_id == hr, m.RightGrant.right == m.Right.PROCESS_MANAGEMENT
            )
        )
        await s.delete(grant)
    assert (await download(client, token, url, "werkgever.hr")).status_code == 403
    async with db.writer() as s:
        s.add(
            m.RightGrant(
                user_id=hr, right=m.Right.PROCESS_MANAGEMENT, employer_id=grant.employer_id
            )
        )
    assert (await download(client, token, url, "werkgever.hr")).status_code == 200
    # After the link expires: gone, and the url is no longer shown.
    async with db.writer() as s:
        await s.execute(update(m.Export).values(expires_at=m.utcnow() - dt.timedelta(seconds=1)))
    assert (await download(client, token, url, "werkgever.hr")).status_code == 410
    node = await graphql(NODE, {"id": made["id"]}, as_user="werkgever.hr")
    assert node["data"]["node"]["url"] is None
    # The worker deletes the file some minutes after its link expired (a download that began
    # just before may still be running).
    await ExportWorker(db, settings).run_once()
    async with db.reader() as s:
        assert await s.scalar(select(func.count()).select_from(m.ExportPart)) > 0
    async with db.writer() as s:
        await s.execute(update(m.Export).values(expires_at=m.utcnow() - dt.timedelta(minutes=11)))
    await ExportWorker(db, settings).run_once()
    async with db.reader() as s:
        assert await s.scalar(select(func.count()).select_from(m.ExportPart)) == 0


async def test_refused_input_writes_nothing(graphql, db, ids):
    employer = await ids.employer()
    bad = await export(graphql, "werkgever.hr", employer, filter={"statuses": ["PROCESSED"]})
    assert [e["code"] for e in bad["errors"]] == ["INVALID_VALUE"]
    assert bad["errors"][0]["field"] == ["filter", "statuses"]
    assert bad["export"] is None
    forbidden = await export(graphql, "werkgever.directie", employer)
    assert errors_of(forbidden) == ["FORBIDDEN"]
    office = await export(graphql, "werkgever.hr", None)
    assert errors_of(office) == ["FORBIDDEN"]
    async with db.reader() as s:
        assert await s.scalar(select(func.count()).select_from(m.Export)) == 0


@pytest.fixture
async def background(settings, db):
    """An app whose exports always go to the background, with tiny sheets."""
    custom = settings.model_copy(
        update={"export_inline_rows": 0, "export_rows_per_sheet": 3, "export_poll_seconds": 0.1}
    )
    application = create_app(custom)
    async with LifespanManager(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


async def test_large_exports_run_in_the_background_across_sheets(
    background, graphql, db, token, ids
):
    await scenario(graphql, db)
    employer = await ids.employer()
    headers = {"Authorization": f"Bearer {token('kantoor.salaris')}"}
    variables = {"input": {"employerId": employer, "tab": "OPEN"}}
    posted = await background.post(
        "/graphql", json={"query": EXPORT, "variables": variables}, headers=headers
    )
    made = posted.json()["data"]["exportProcessOverview"]["export"]
    assert made["status"] in ("PENDING", "RUNNING", "READY")
    for _ in range(100):
        polled = await background.post(
            "/graphql", json={"query": NODE, "variables": {"id": made["id"]}}, headers=headers
        )
        state = polled.json()["data"]["node"]
        if state["status"] == "READY":
            break
        await asyncio.sleep(0.05)
    assert state["status"] == "READY" and state["progress"] == 1.0 and state["rowCount"] == 3
    response = await background.get(state["url"].replace("http://testserver", ""), headers=headers)
    book = workbook(response)
    # Three rows with a header per sheet of three: two data rows, then one on a second sheet.
    assert book.sheetnames == ["Procesbeheer", "Procesbeheer (2)"]
    first, second = (list(book[n].iter_rows(values_only=True)) for n in book.sheetnames)
    assert first[0] == second[0] and len(first) == 3 and len(second) == 2
    assert book["Procesbeheer (2)"].freeze_panes == "A2"


async def test_a_revoked_right_fails_the_background_export(background, graphql, db):
    await scenario(graphql, db)
    async with db.writer() as s:
        hr = await s.scalar(select(m.User.id).where(m.User.username == "werkgever.hr"))
        employer = await s.scalar(select(m.Employer.id))
        # Waiting for a worker when the right is revoked: built under the owner's rights as now.
        s.add(
            m.Export(
                user_id=hr,
                employer_id=employer,
                query=filter_to_json(OverviewFilter(tab=ProcessTab.OPEN)),
                token="x" * 43,
                file_name="x.xlsx",
            )
        )
        await s.execute(
            m.RightGrant.__table__.delete().where(
                m.RightGrant.user_id == hr, m.RightGrant.right == m.Right.PROCESS_MANAGEMENT
            )
        )
    for _ in range(100):
        async with db.reader() as s:
            row = await s.scalar(select(m.Export))
        if row.status is m.ExportStatus.FAILED:
            break
        await asyncio.sleep(0.05)
    assert row.status is m.ExportStatus.FAILED
    assert "Procesbeheer workflows" in row.error
    async with db.reader() as s:
        assert await s.scalar(select(func.count()).select_from(m.ExportPart)) == 0


async def test_a_builder_that_lost_its_lease_cannot_finish_the_export(graphql, db, settings):
    await scenario(graphql, db)
    async with db.writer() as s:
        hr = await s.scalar(select(m.User.id).where(m.User.username == "werkgever.hr"))
        row = m.Export(
            user_id=hr,
            employer_id=await s.scalar(select(m.Employer.id)),
            query=filter_to_json(OverviewFilter(tab=ProcessTab.OPEN)),
            token="y" * 43,
            file_name="y.xlsx",
        )
        s.add(row)
        await s.flush()
        export_id = row.id
    first = await build.claim(db, export_id, settings)
    async with db.writer() as s:  # the first builder's process stalls: its lease lapses
        await s.execute(update(m.Export).values(claimed_until=m.utcnow() - dt.timedelta(seconds=1)))
    second = await build.claim(db, export_id, settings)
    assert (first, second) == (1, 2)
    await build.run(db, settings, export_id, first)  # the stale builder wakes up: no effect
    async with db.reader() as s:
        row = await s.get(m.Export, export_id)
        assert (row.status, row.attempts) == (m.ExportStatus.RUNNING, 2)
        assert await s.scalar(select(func.count()).select_from(m.ExportPart)) == 0
    await build.run(db, settings, export_id, second)
    async with db.reader() as s:
        assert (await s.get(m.Export, export_id)).status is m.ExportStatus.READY


async def test_a_user_has_a_few_background_exports_at_a_time(background, graphql, db, token, ids):
    await scenario(graphql, db)
    async with db.writer() as s:
        salaris = await s.scalar(select(m.User.id).where(m.User.username == "kantoor.salaris"))
        for n in range(3):  # three still waiting for a worker
            s.add(
                m.Export(
                    user_id=salaris,
                    query={"tab": "OPEN"},
                    token=f"{n}" * 43,
                    file_name="z.xlsx",
                    status=m.ExportStatus.RUNNING,
                    claimed_until=m.utcnow() + dt.timedelta(hours=1),
                )
            )
    headers = {"Authorization": f"Bearer {token('kantoor.salaris')}"}
    variables = {"input": {"employerId": await ids.employer(), "tab": "OPEN"}}
    posted = await background.post(
        "/graphql", json={"query": EXPORT, "variables": variables}, headers=headers
    )
    payload = posted.json()["data"]["exportProcessOverview"]
    assert [e["code"] for e in payload["errors"]] == ["TOO_MANY_EXPORTS"]
    assert payload["export"] is None
