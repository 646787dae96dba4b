"""GraphiQL in a real browser (issue 15.7a): it renders with every request that is not to the
service blocked, runs a query with a bearer header and shows the result, runs a subscription
that shows an event, and shows why a connection with a bad token was refused."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.db import models as m
from app.schema.ids import decode_id
from tests.api.live import free_port, until_subscribed
from tests.api.test_subscriptions import submit
from tests.browser.servers import service

OVERVIEW = """subscription {
  processOverviewChanged(employerId: "EMPLOYER") { eventId kind instance { id employee { name } } }
}"""


async def edit(page, editor, text: str) -> None:
    """Replace what a GraphiQL editor holds, as a user pasting would."""
    await editor.click()
    await page.keyboard.press("Control+a")
    await page.keyboard.insert_text(text)


async def test_graphiql_works_offline_with_a_token_over_http_and_websocket(
    browser, settings, db, token, ids
):
    from playwright.async_api import expect

    port = free_port()
    async with service(settings, port) as base:
        context = await browser.new_context()
        outside: list[str] = []

        async def only_the_service(route):
            if route.request.url.startswith(f"{base}/"):
                await route.continue_()
            else:  # a CDN, fonts, anything: as if there were no internet
                outside.append(route.request.url)
                await route.abort()

        await context.route("**/*", only_the_service)
        page = await context.new_page()
        sockets: list[str] = []
        page.on("websocket", lambda socket: sockets.append(socket.url))
        await page.goto(f"{base}/graphql")
        run = page.locator(".graphiql-execute-button")
        await expect(run).to_be_visible(timeout=15_000)

        # A query, signed in with the Headers tab.
        await page.get_by_text("Headers", exact=True).click()
        headers = page.locator(".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror")
        await edit(page, headers, json.dumps({"Authorization": f"Bearer {token('werkgever.hr')}"}))
        query = page.locator(".graphiql-query-editor .CodeMirror")
        await edit(page, query, "{ viewer { username userType } }")
        await run.click()
        result = page.locator(".result-window")
        await expect(result).to_contain_text('"username": "werkgever.hr"')
        await expect(result).to_contain_text('"userType": "EMPLOYER"')

        # A subscription over WebSocket, with the same header; an event shows up.
        await edit(page, query, OVERVIEW.replace("EMPLOYER", await ids.employer()))
        await run.click()
        await until_subscribed(base)
        claim = await submit(base, token, db, "wn001")
        await expect(result).to_contain_text('"kind": "INSTANCE_SUBMITTED"')
        await expect(result).to_contain_text(claim)
        await run.click()  # stop it

        # A bad token: GraphiQL shows why the connection was refused, at once.
        await edit(page, headers, json.dumps({"Authorization": "Bearer nonsense"}))
        await run.click()
        await expect(result).to_contain_text(
            "WebSocket closed (4403): UNAUTHENTICATED: invalid token"
        )
        await context.close()

    assert outside == []
    assert sockets and all(url == base.replace("http", "ws") + "/graphql" for url in sockets)
    async with db.reader() as session:
        instance = await session.get(m.WorkflowInstance, decode_id(claim, "WorkflowInstance"))
        employee = await session.scalar(
            select(m.Employee.employee_number).where(m.Employee.id == instance.employee_id)
        )
    assert (instance.status.value, employee) == ("IN_PROGRESS", 1)
