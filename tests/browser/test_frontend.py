"""A browser frontend on its own origin (issue 15.7b and c), with the README's client
(tests/browser/pages/loketflow.js): from an origin in LOKETFLOW_CORS_ORIGINS it queries over
HTTP, follows the process overview over WebSocket, and after an outage of the service resumes
with `after` without a gap or a duplicate; from any other origin it is refused, and told why."""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

from sqlalchemy import select

from app.db import models as m
from app.schema.ids import decode_id
from tests.api.live import free_port, open_subscriptions, subscribe, until_subscribed
from tests.api.test_requests import claim
from tests.api.test_subscriptions import OVERVIEW, submit
from tests.api.test_websocket_session import short_token
from tests.browser.servers import frontend_app, listening, service

ORIGIN_REFUSED = "1008 FORBIDDEN: origin not allowed (LOKETFLOW_CORS_ORIGINS)"


@contextlib.asynccontextmanager
async def browser_page(browser, token):
    """A fresh browser tab whose pages sign in as werkgever.hr with `token(username)`."""
    context = await browser.new_context()
    # The page asks for a token on every request and (re)connect, as it would ask its sign-in
    # library: here a fresh one from the test.
    await context.expose_function("freshToken", lambda: token("werkgever.hr"))
    try:
        yield await context.new_page()
    finally:
        await context.close()


def frontend_url(site: str, base: str, employer: str) -> str:
    return f"{site}/?" + urlencode({"api": f"{base}/graphql", "employer": employer})


async def shown_events(page) -> list[tuple[int, str, str]]:
    items = page.locator("#events li")
    return [
        (int(await item.get_attribute("data-event-id")), await item.get_attribute("data-kind"),
         await item.get_attribute("data-instance"))
        for item in await items.all()
    ]  # fmt: skip


async def test_a_frontend_resumes_after_an_outage_without_gap_or_duplicate(
    browser, settings, db, token, ids, graphql
):
    from playwright.async_api import expect

    site_port, api_port = free_port(), free_port()
    site, base = f"http://127.0.0.1:{site_port}", f"http://127.0.0.1:{api_port}"
    live = settings.model_copy(update={"cors_origins": [site]})
    employer = await ids.employer()
    async with listening(frontend_app(), site_port), browser_page(browser, token) as page:
        events = page.locator("#events li")
        async with service(live, api_port):
            await page.goto(frontend_url(site, base, employer))
            await expect(page.locator("#viewer")).to_have_text("werkgever.hr")  # over CORS
            await until_subscribed(base)
            await expect(page.locator("#connection")).to_have_text("open")
            first = await submit(base, token, db, "wn001")
            await expect(events).to_have_count(1)

        # The service is down, and the page knows it; meanwhile two requests are submitted
        # (through another process on the same database).
        await expect(page.locator("#connection")).to_contain_text("closed")
        during = []
        for user in ("wn005", "wn003"):
            submitted = await claim(graphql, db, user)
            assert submitted["errors"] == []
            during.append(submitted["instance"]["id"])

        # Back up: the page reconnects and resubscribes with the last eventId it saw.
        async with service(live, api_port):
            await expect(events).to_have_count(3, timeout=30_000)
            last = await submit(base, token, db, "wn001")
            await expect(events).to_have_count(4)
            seen = await shown_events(page)
            subscribes = await page.locator("#subscribes li").all_inner_texts()
            assert await page.locator("#ended").inner_text() == ""

            # What the service itself replays from before the first: the same events.
            variables = {"employerId": employer, "after": seen[0][0] - 1}
            async with subscribe(base, token("werkgever.hr"), OVERVIEW, variables) as sub:
                replayed = []
                for _ in seen:
                    event = (await sub.next())["payload"]["data"]["processOverviewChanged"]
                    replayed.append((event["eventId"], event["kind"], event["instance"]["id"]))
                await sub.nothing(1.0)

    assert seen == replayed
    assert [(kind, instance) for _, kind, instance in seen] == [
        ("INSTANCE_SUBMITTED", instance) for instance in (first, *during, last)
    ]
    ids_seen = [event_id for event_id, _, _ in seen]
    assert ids_seen == sorted(set(ids_seen))  # increasing: no duplicate
    # Subscribed once without `after`, then (in one or more tries) after the first event.
    assert subscribes[0] == "null" and len(subscribes) >= 2
    assert set(subscribes[1:]) == {str(seen[0][0])}
    async with db.reader() as session:
        keys = [decode_id(i, "WorkflowInstance") for i in (first, *during, last)]
        stored = await session.scalars(
            select(m.WorkflowInstance.status).where(m.WorkflowInstance.id.in_(keys))
        )
        assert [s.value for s in stored] == ["IN_PROGRESS"] * 4


async def test_a_frontend_goes_on_with_a_fresh_token_when_its_token_expires(
    browser, settings, db, token, ids
):
    from playwright.async_api import expect

    site_port, api_port = free_port(), free_port()
    site, base = f"http://127.0.0.1:{site_port}", f"http://127.0.0.1:{api_port}"
    live = settings.model_copy(update={"cors_origins": [site], "jwt_leeway_seconds": 0})
    employer = await ids.employer()
    # Every token the page gets lasts 3 seconds: the service closes its connection each time.
    tokens = lambda username: short_token(settings, username, 3)  # noqa: E731
    async with (
        listening(frontend_app(), site_port),
        service(live, api_port),
        browser_page(browser, tokens) as page,
    ):
        await page.goto(frontend_url(site, base, employer))
        await until_subscribed(base)
        first = await submit(base, token, db, "wn001")
        await expect(page.locator("#events li")).to_have_count(1)
        expired = page.locator("#connections li", has_text="UNAUTHENTICATED: token expired")
        await expect(expired.first).to_have_text(
            "closed 4403 UNAUTHENTICATED: token expired", timeout=10_000
        )
        # Submitted while the page reconnects: delivered once, before or after it resubscribed.
        second = await submit(base, token, db, "wn005")
        await expect(page.locator("#events li")).to_have_count(2)
        seen = await shown_events(page)
        subscribes = await page.locator("#subscribes li").all_inner_texts()
        assert await page.locator("#ended").inner_text() == ""
    assert [instance for _, _, instance in seen] == [first, second]
    assert subscribes[:2] == ["null", str(seen[0][0])]


async def test_a_page_on_an_origin_not_allowed_is_refused_and_told_why(
    browser, settings, db, token, ids
):
    from playwright.async_api import expect

    allowed, other, api_port = free_port(), free_port(), free_port()
    live = settings.model_copy(update={"cors_origins": [f"http://127.0.0.1:{allowed}"]})
    site, base = f"http://127.0.0.1:{other}", f"http://127.0.0.1:{api_port}"
    employer = await ids.employer()
    async with (
        listening(frontend_app(), other),
        service(live, api_port),
        browser_page(browser, token) as page,
    ):
        await page.goto(frontend_url(site, base, employer))
        # HTTP: the preflight is refused, and the browser gives the page no answer at all.
        await expect(page.locator("#viewer")).to_have_text("refused: Failed to fetch")
        # WebSocket: closed before anything is read, with the reason; not retried.
        await expect(page.locator("#ended")).to_have_text(ORIGIN_REFUSED)
        assert await page.locator("#subscribes li").all_inner_texts() == ["null"]
        assert await page.locator("#events li").count() == 0
        assert await open_subscriptions(base) == 0
