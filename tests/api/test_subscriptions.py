"""Live updates over WebSocket (issue 6), against a real server: the task centre and the process
overview follow changes as they commit, scoped to what each subscriber may see, with catch-up."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest
from sqlalchemy import func, select
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from app.db import instances
from app.db import models as m
from app.schema.ids import decode_id, from_global_id, to_global_id
from tests.api.live import post, serve, serve_app, subscribe, until_subscribed
from tests.api.test_requests import ADDRESS, APPROVE, CLAIM, component_id

TASKS = """subscription ($after: Int) { taskCentreChanged(after: $after) {
  eventId kind instance { id employee { name } } openCount } }"""
OVERVIEW = """subscription ($employerId: ID!, $after: Int) {
  processOverviewChanged(employerId: $employerId, after: $after) {
  eventId kind status previousStatus instance { id employee { name } } } }"""
TASK_IDS = "{ taskCentre { edges { node { id instance { id } } } } }"


@pytest.fixture
async def live(settings, db):
    async with serve(settings) as base:
        yield base


async def submit(base, token, db, user, value="10"):
    variables = {"input": {"componentId": await component_id(db, "Kilometers onbelast"),
                           "value": value}}  # fmt: skip
    result = await post(base, token(user), CLAIM, variables)
    assert result["data"]["submitExpenseClaim"]["errors"] == [], result
    return result["data"]["submitExpenseClaim"]["instance"]["id"]


async def employee_name(db, number: int) -> str:
    async with db.reader() as s:
        return await s.scalar(select(m.Employee.name).where(m.Employee.employee_number == number))


async def test_a_manager_hears_of_its_departments_new_task_at_once(live, db, token):
    async with subscribe(live, token("manager.verkoop"), TASKS, {"after": 0}) as sub:
        other = await submit(live, token, db, "wn005")  # Magazijn: not for manager.verkoop
        mine = await submit(live, token, db, "wn001")  # Verkoop
        # Within the second: the first (and only) event is Verkoop's.
        message = await sub.next(within=1.0)
        event = message["payload"]["data"]["taskCentreChanged"]
        assert event["kind"] == "TASK_OPENED"
        assert event["instance"]["id"] == mine != other
        assert event["instance"]["employee"]["name"] == await employee_name(db, 1)
        assert event["openCount"] == 1
        await sub.nothing(0.5)


async def test_a_task_taken_by_a_colleague_disappears(live, db, token):
    claim = await submit(live, token, db, "wn001")
    # The office may act on claims in all-users mode too: kantoor.salaris has it as well.
    async with subscribe(live, token("kantoor.salaris"), TASKS) as office:
        await until_subscribed(live)  # subscribed without `after`: from now on
        tasks = await post(live, token("manager.verkoop"), TASK_IDS)
        [task] = [
            e["node"]["id"]
            for e in tasks["data"]["taskCentre"]["edges"]
            if e["node"]["instance"]["id"] == claim
        ]
        done = await post(live, token("manager.verkoop"), APPROVE, {"input": {"taskId": task}})
        assert done["data"]["approveTask"]["errors"] == []
        event = (await office.next())["payload"]["data"]["taskCentreChanged"]
        assert (event["kind"], event["instance"]["id"]) == ("TASK_TAKEN", claim)
        assert event["openCount"] == 0


async def test_the_overview_follows_within_the_managers_scope(live, db, token, ids):
    employer = await ids.employer()
    variables = {"employerId": employer, "after": 0}
    async with (
        subscribe(live, token("manager.verkoop"), OVERVIEW, variables) as manager,
        subscribe(live, token("werkgever.hr"), OVERVIEW, variables) as hr,
    ):
        other = await submit(live, token, db, "wn005")
        mine = await submit(live, token, db, "wn001")
        seen_by_hr = [(await hr.next())["payload"]["data"]["processOverviewChanged"]
                      for _ in range(2)]  # fmt: skip
        assert [e["instance"]["id"] for e in seen_by_hr] == [other, mine]
        event = (await manager.next())["payload"]["data"]["processOverviewChanged"]
        assert (event["kind"], event["status"], event["instance"]["id"]) == (
            "INSTANCE_SUBMITTED",
            "IN_PROGRESS",
            mine,
        )
        await manager.nothing(0.5)
        # HR sees every event of the employer here: consecutive ids. The manager saw only the
        # second: the ids each subscriber sees skip the events that do not concern it.
        assert seen_by_hr[1]["eventId"] == seen_by_hr[0]["eventId"] + 1 == event["eventId"]


async def test_after_replays_what_was_missed_then_continues(live, db, token, ids):
    employer = await ids.employer()
    first = await submit(live, token, db, "wn001")
    second = await submit(live, token, db, "wn005")
    async with subscribe(
        live, token("werkgever.hr"), OVERVIEW, {"employerId": employer, "after": 0}
    ) as sub:
        events = [(await sub.next())["payload"]["data"]["processOverviewChanged"]
                  for _ in range(2)]  # fmt: skip
    assert [e["instance"]["id"] for e in events] == [first, second]
    # Reconnect after the first: the second comes once, then the live third.
    async with subscribe(
        live,
        token("werkgever.hr"),
        OVERVIEW,
        {"employerId": employer, "after": events[0]["eventId"]},
    ) as sub:
        replayed = (await sub.next())["payload"]["data"]["processOverviewChanged"]
        assert replayed["instance"]["id"] == second
        third = await submit(live, token, db, "wn006")
        live_event = (await sub.next())["payload"]["data"]["processOverviewChanged"]
        assert live_event["instance"]["id"] == third
        assert live_event["eventId"] == replayed["eventId"] + 1
        await sub.nothing(0.5)


REVOKE = (
    """mutation ($input: GrantRightInput!) { revokeRight(input: $input) { errors { code } } }"""
)


async def test_revoking_the_right_ends_the_subscription(live, db, token, ids):
    employer = await ids.employer()
    async with subscribe(
        live, token("werkgever.hr"), OVERVIEW, {"employerId": employer, "after": 0}
    ) as sub:
        await submit(live, token, db, "wn005")
        assert (await sub.next())["type"] == "next"
        revoke = {
            "userId": await ids.user("werkgever.hr"),
            "right": "PROCESS_MANAGEMENT",
            "employerId": employer,
        }
        result = await post(live, token("kantoor.admin"), REVOKE, {"input": revoke})
        assert result["data"]["revokeRight"]["errors"] == []
        await submit(live, token, db, "wn006")
        message = await sub.next()
        # The event after the revocation is not delivered: the subscription ends instead.
        assert message["type"] in ("next", "error")
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"
        assert message["type"] == "error" or message["payload"]["data"] is None


async def test_subscriptions_need_a_user_and_the_right(live, token, ids):
    employer = await ids.employer()
    for user in (None, "werkgever.directie", "wn001"):
        async with subscribe(
            live, token(user) if user else None, OVERVIEW, {"employerId": employer}
        ) as sub:
            message = await sub.next()
            errors = (
                message["payload"] if message["type"] == "error" else message["payload"]["errors"]
            )
            expected = "UNAUTHENTICATED" if user is None else "FORBIDDEN"
            assert errors[0]["extensions"]["code"] == expected, user
    async with subscribe(live, token("wn001"), TASKS) as sub:
        message = await sub.next()
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"


@pytest.fixture
async def strict(settings, db):
    custom = settings.model_copy(
        update={"ws_init_timeout_seconds": 0.3, "ws_max_subscriptions": 2, "ws_ping_seconds": 1.0}
    )
    async with serve(custom) as base:
        yield base


async def test_connection_limits_and_keep_alive(strict, token):
    url = strict.replace("http://", "ws://") + "/graphql"
    # No connection_init in time: closed.
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 3)
        assert closed.value.rcvd.code == 4408
    async with connect(url, subprotocols=["graphql-transport-ws"]) as ws:
        init = {"Authorization": f"Bearer {token('werkgever.hr')}"}
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        # The server pings; we answer.
        ping = json.loads(await asyncio.wait_for(ws.recv(), 3))
        assert ping == {"type": "ping"}
        await ws.send(json.dumps({"type": "pong"}))
        # Two subscriptions at most on one connection.
        for n in ("1", "2", "3"):
            payload = {"query": TASKS, "variables": {}}
            await ws.send(json.dumps({"id": n, "type": "subscribe", "payload": payload}))
        while True:
            message = json.loads(await asyncio.wait_for(ws.recv(), 3))
            if message["type"] == "ping":
                await ws.send(json.dumps({"type": "pong"}))
                continue
            break
        assert message["id"] == "3" and message["type"] == "error"
        assert "limit" in message["payload"][0]["message"]
    # A client that stops answering pings is closed (after three silent intervals).
    async with connect(url, subprotocols=["graphql-transport-ws"], ping_interval=None) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": init}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        pings = 0
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 3))
                assert message == {"type": "ping"}  # never answered
                pings += 1
        assert closed.value.rcvd.code == 4408 and pings >= 2


EXPORT = """mutation ($input: ExportProcessOverviewInput!) { exportProcessOverview(input: $input) {
  export { id status } errors { code } } }"""
PROGRESS = """subscription ($id: ID!) { exportProgress(exportId: $id) {
  status progress rowCount url } }"""


@pytest.fixture
async def background_exports(settings, db):
    async with serve(settings.model_copy(update={"export_inline_rows": 0})) as base:
        yield base


async def test_export_progress_follows_a_background_export(background_exports, db, token, ids):
    base = background_exports
    await submit(base, token, db, "wn001")
    variables = {"input": {"employerId": await ids.employer(), "tab": "OPEN"}}
    made = (await post(base, token("werkgever.hr"), EXPORT, variables))["data"]
    export_id = made["exportProcessOverview"]["export"]["id"]
    # Only its owner can follow it.
    async with subscribe(base, token("kantoor.admin"), PROGRESS, {"id": export_id}) as other:
        message = await other.next()
        assert message["type"] == "error" or message["payload"]["errors"]
    async with subscribe(base, token("werkgever.hr"), PROGRESS, {"id": export_id}) as sub:
        states = []
        while True:
            message = await sub.next(within=10)
            if message["type"] == "complete":
                break
            states.append(message["payload"]["data"]["exportProgress"])
    assert states[-1]["status"] == "READY" and states[-1]["url"]
    assert states[-1]["progress"] == 1.0 and states[-1]["rowCount"] == 1
    assert all(s["status"] in ("PENDING", "RUNNING", "READY") for s in states)


CENTRE_EVENTS = """subscription ($employerId: ID!, $after: Int) {
  messageCentreChanged(employerId: $employerId, after: $after) {
  eventId resync action { status counts { processed failed } } } }"""
START = """mutation ($input: StartMijnLoketMigrationInput!) {
  startMijnLoketMigration(input: $input) { errors { code } } }"""


async def test_the_message_centre_follows_a_migration_live(live, db, token, ids):
    employer = await ids.employer()
    async with db.reader() as s:
        people = list(
            await s.scalars(select(m.Employee.id).where(m.Employee.employee_number.in_([41, 45])))
        )
    from app.schema.ids import to_global_id

    variables = {"employerId": employer, "after": 0}
    async with (
        subscribe(live, token("kantoor.admin"), CENTRE_EVENTS, variables) as admin,
        subscribe(live, token("werkgever.hr"), CENTRE_EVENTS, variables) as hr,
    ):
        started = await post(
            live,
            token("kantoor.admin"),
            START,
            {"input": {"employerId": employer,
                       "employeeIds": [to_global_id("Employee", p) for p in people]}},
        )  # fmt: skip
        assert started["data"]["startMijnLoketMigration"]["errors"] == []
        while True:
            event = (await admin.next())["payload"]["data"]["messageCentreChanged"]
            if event["action"]["status"] == "DONE":
                break
        assert event["action"]["counts"] == {"processed": 1, "failed": 1}
        # Without COLLECTIVE_ACTIONS: refused, nothing delivered.
        message = await hr.next()
        errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
        assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_idle_subscriptions_hold_no_database_connection(live, db, token, ids):
    """More subscribers than the read pool has connections, each reading the request of every
    event: all are served, and HTTP reads still get a connection meanwhile."""
    employer = await ids.employer()
    variables = {"employerId": employer, "after": 0}
    async with contextlib.AsyncExitStack() as stack:
        subs = [
            await stack.enter_async_context(
                subscribe(live, token("werkgever.hr"), OVERVIEW, variables)
            )
            for _ in range(20)
        ]
        for user in ("wn001", "wn005"):
            made = await submit(live, token, db, user)
            for sub in subs:
                event = (await sub.next(within=10))["payload"]["data"]["processOverviewChanged"]
                assert event["instance"]["id"] == made
        viewer = await post(live, token("werkgever.hr"), "{ viewer { username } }")
        assert viewer["data"]["viewer"]["username"] == "werkgever.hr"


async def test_query_limits_refuse_a_subscription_with_an_error(settings, db, token, caplog):
    """A document over a limit gets the operation's `error` message with the code HTTP gives,
    and the server logs no exception (the refusal is the client's doing, not a bug)."""
    tight = settings.model_copy(update={"max_query_depth": 3, "max_query_tokens": 20})
    deep = "subscription { taskCentreChanged { instance { employee { name } } } }"  # 4 levels
    async with serve(tight) as base:
        for query, code in ((TASKS, "TOO_MANY_TOKENS"), (deep, "QUERY_TOO_DEEP")):  # 29 tokens
            async with subscribe(base, token("werkgever.hr"), query) as sub:
                message = await sub.next()
                assert message["type"] == "error", message
                assert [e["extensions"]["code"] for e in message["payload"]] == [code]
                await sub.nothing(0.3)  # no `complete` after the `error`
            over_http = await post(base, token("werkgever.hr"), query)
            # Over HTTP a subscription is refused (issue 15.3), after the limits checked when
            # parsing (size, tokens), before those checked with validation (depth, cost).
            expected = code if code == "TOO_MANY_TOKENS" else "WEBSOCKET_REQUIRED"
            assert [e["extensions"]["code"] for e in over_http["errors"]] == [expected]
        within = "subscription { taskCentreChanged { openCount } }"
        async with subscribe(base, token("werkgever.hr"), within) as fine:
            await fine.nothing(0.3)
    assert not [r for r in caplog.records if r.exc_info], caplog.text


def _data(message: dict, field: str) -> dict:
    assert message["type"] == "next" and not message["payload"].get("errors"), message
    return message["payload"]["data"][field]


async def _task_of(base, token, user: str, instance: str) -> str:
    tasks = (await post(base, token(user), TASK_IDS))["data"]["taskCentre"]["edges"]
    [task] = [e["node"]["id"] for e in tasks if e["node"]["instance"]["id"] == instance]
    return task


STEPS = """mutation ($input: UpdateWorkflowStepsInput!) { updateWorkflowSteps(input: $input) {
  errors { code } } }"""


async def test_approvals_close_tasks_move_the_step_and_change_the_status(live, db, token, ids):
    """Two approvals (the Verkoop manager, then the Directie role): each approver sees its task
    open and close; the overview sees the request submitted, its step move, its status change."""
    employer = await ids.employer()
    definition = to_global_id("WorkflowDefinition", f"{from_global_id(employer)[1]}.EXPENSE_CLAIM")
    quiet = {"kind": "APPROVAL", "sendEmail": False}
    steps = [
        {**quiet, "name": "Manager", "userType": "DEPARTMENT_MANAGER"},
        {**quiet, "name": "Directie", "roleId": await ids.role("Directie")},
    ]
    changed = await post(
        live, token("werkgever.hr"), STEPS, {"input": {"definitionId": definition, "steps": steps}}
    )
    assert changed["data"]["updateWorkflowSteps"]["errors"] == []
    tasks, overview = "taskCentreChanged", "processOverviewChanged"
    async with (
        subscribe(live, token("manager.verkoop"), TASKS, {"after": 0}) as manager,
        subscribe(live, token("werkgever.directie"), TASKS, {"after": 0}) as directie,
        subscribe(
            live, token("werkgever.hr"), OVERVIEW, {"employerId": employer, "after": 0}
        ) as hr,
    ):
        claim = await submit(live, token, db, "wn001")
        event = _data(await hr.next(), overview)
        assert (event["kind"], event["status"], event["previousStatus"]) == (
            "INSTANCE_SUBMITTED", "IN_PROGRESS", None,
        )  # fmt: skip
        event = _data(await manager.next(), tasks)
        assert (event["kind"], event["instance"]["id"], event["openCount"]) == (
            "TASK_OPENED", claim, 1,
        )  # fmt: skip

        task = await _task_of(live, token, "manager.verkoop", claim)
        done = await post(live, token("manager.verkoop"), APPROVE, {"input": {"taskId": task}})
        assert done["data"]["approveTask"]["errors"] == []
        event = _data(await manager.next(), tasks)  # it acted itself: closed, not taken
        assert (event["kind"], event["instance"]["id"], event["openCount"]) == (
            "TASK_CLOSED", claim, 0,
        )  # fmt: skip
        event = _data(await directie.next(), tasks)
        assert (event["kind"], event["instance"]["id"]) == ("TASK_OPENED", claim)
        event = _data(await hr.next(), overview)
        assert (event["kind"], event["status"], event["previousStatus"]) == (
            "STEP_MOVED", "IN_PROGRESS", "IN_PROGRESS",
        )  # fmt: skip

        task = await _task_of(live, token, "werkgever.directie", claim)
        done = await post(live, token("werkgever.directie"), APPROVE, {"input": {"taskId": task}})
        assert done["data"]["approveTask"]["errors"] == []
        event = _data(await directie.next(), tasks)
        assert (event["kind"], event["openCount"]) == ("TASK_CLOSED", 0)
        event = _data(await hr.next(), overview)
        assert (event["kind"], event["status"], event["previousStatus"]) == (
            "STATUS_CHANGED", "COMPLETED", "IN_PROGRESS",
        )  # fmt: skip
        assert event["instance"]["id"] == claim
        for sub in (manager, directie, hr):
            await sub.nothing(0.3)


UNLINK = """mutation ($id: ID!) { unlinkRole(input: {roleLinkId: $id}) { errors { code } } }"""
ADDRESS_CHANGE = {"street": "Dorpsstraat", "houseNumber": "12a", "postcode": "1234ab",
                  "city": "Ede"}  # fmt: skip


async def test_unlinking_a_role_takes_its_tasks_out_of_a_live_task_centre(live, db, token, ids):
    """The office's Salarisprofessional checks address changes. Once its role link is gone, its
    task centre is told to reload (the task went with the link) and hears of no new ones."""
    async with subscribe(live, token("kantoor.salaris"), TASKS, {"after": 0}) as office:
        made = await post(live, token("wn001"), ADDRESS, {"input": ADDRESS_CHANGE})
        assert made["data"]["submitAddressUpdate"]["errors"] == []
        event = _data(await office.next(), "taskCentreChanged")
        assert (event["kind"], event["openCount"]) == ("TASK_OPENED", 1)
        assert event["instance"]["id"] == made["data"]["submitAddressUpdate"]["instance"]["id"]

        async with db.reader() as s:
            link = await s.scalar(
                select(m.RoleLink.id).where(
                    m.RoleLink.role_id == decode_id(await ids.role("Salarisprofessional"), "Role"),
                    m.RoleLink.user_id == decode_id(await ids.user("kantoor.salaris"), "User"),
                )
            )
        unlinked = await post(
            live, token("kantoor.admin"), UNLINK, {"id": to_global_id("RoleLink", link)}
        )
        assert unlinked["data"]["unlinkRole"]["errors"] == []
        event = _data(await office.next(), "taskCentreChanged")
        assert (event["kind"], event["openCount"], event["instance"]) == ("RESYNC", 0, None)

        again = await post(live, token("wn005"), ADDRESS, {"input": ADDRESS_CHANGE})
        assert again["data"]["submitAddressUpdate"]["errors"] == []
        await office.nothing(1.0)  # nobody holds the role now: no task for kantoor.salaris


@pytest.fixture
async def short_queues(settings, db):
    """Queues of one event; the publisher polls rarely, so that a test can hold it back."""
    tight = settings.model_copy(update={"subscriber_queue_size": 1, "events_poll_seconds": 60})
    async with serve_app(tight) as served:
        yield served


def _transport_of(app, username: str):
    """The server side of `username`'s one WebSocket subscription: uvicorn's protocol, whose
    transport says when its buffer is full (pause_writing) and has room again."""
    [subscriber] = [
        s
        for g in app.state.events.fanout.groups.values()
        if g.principal.username == username
        for s in g.subscribers
    ]
    send = subscriber.delivery._send_text.__closure__[0].cell_contents  # uvicorn's own send
    [protocol] = [
        c for c in app.state.uvicorn.server_state.connections if getattr(c, "send", None) == send
    ]
    return protocol


async def test_a_slow_subscriber_delays_nobody_and_is_told_to_resync(short_queues, db, token, ids):
    base, app = short_queues
    variables = {"employerId": await ids.employer()}
    async with (
        subscribe(base, token("werkgever.hr"), OVERVIEW, variables) as slow,
        subscribe(base, token("kantoor.admin"), OVERVIEW, variables) as fast,
    ):
        await until_subscribed(base, 2)
        # The slow client's connection is backed up (its transport's buffer is full).
        transport = _transport_of(app, "werkgever.hr")
        transport.pause_writing()
        submitted = [await submit(base, token, db, user) for user in ("wn001", "wn005", "wn006")]
        app.state.events.publisher.wake()
        # The others get every event at once, whatever the slow one does.
        seen = [_data(await fast.next(), "processOverviewChanged") for _ in submitted]
        assert [e["instance"]["id"] for e in seen] == submitted
        await slow.nothing(0.3)
        transport.resume_writing()
        # The frame being written when it stalled, then (the backlog outgrew its queue of one)
        # RESYNC at the last event, then live again.
        first = _data(await slow.next(), "processOverviewChanged")
        assert (first["kind"], first["eventId"]) == ("INSTANCE_SUBMITTED", 1)
        event = _data(await slow.next(), "processOverviewChanged")
        assert (event["kind"], event["eventId"], event["instance"]) == ("RESYNC", 3, None)
        fourth = await submit(base, token, db, "wn007")
        app.state.events.publisher.wake()
        event = _data(await slow.next(), "processOverviewChanged")
        assert (event["kind"], event["eventId"]) == ("INSTANCE_SUBMITTED", 4)
        assert event["instance"]["id"] == fourth
        assert _data(await fast.next(), "processOverviewChanged")["eventId"] == 4


@pytest.fixture
async def short_replay(settings, db):
    async with serve(settings.model_copy(update={"events_replay_max": 1})) as base:
        yield base


async def test_after_further_back_than_the_replay_limit_resyncs(short_replay, db, token, ids):
    base = short_replay
    for user in ("wn001", "wn005"):  # events 1 and 2
        await submit(base, token, db, user)
    variables = {"employerId": await ids.employer(), "after": 0}
    async with subscribe(base, token("werkgever.hr"), OVERVIEW, variables) as sub:
        event = _data(await sub.next(), "processOverviewChanged")
        assert (event["kind"], event["eventId"]) == ("RESYNC", 2)
        third = await submit(base, token, db, "wn006")
        event = _data(await sub.next(), "processOverviewChanged")
        assert (event["kind"], event["eventId"], event["instance"]["id"]) == (
            "INSTANCE_SUBMITTED", 3, third,
        )  # fmt: skip
    # One missed event is within the limit: replayed, not RESYNC.
    variables["after"] = 2
    async with subscribe(base, token("werkgever.hr"), OVERVIEW, variables) as sub:
        event = _data(await sub.next(), "processOverviewChanged")
        assert (event["kind"], event["eventId"]) == ("INSTANCE_SUBMITTED", 3)


async def test_a_mutation_that_fails_after_writing_its_event_publishes_nothing(
    live, db, token, ids, monkeypatch
):
    """The event row is written and flushed in the mutation's transaction, then the mutation
    fails: the row is rolled back with the rest, and no subscriber hears of it."""
    write_outcome = instances.write_outcome  # records the event and flushes

    async def then_fail(session, *args, **kwargs):
        await write_outcome(session, *args, **kwargs)
        raise RuntimeError("the mutation fails after writing its event")

    variables = {"employerId": await ids.employer(), "after": 0}
    async with subscribe(live, token("werkgever.hr"), OVERVIEW, variables) as sub:
        monkeypatch.setattr(instances, "write_outcome", then_fail)
        claim = {"componentId": await component_id(db, "Kilometers onbelast"), "value": "10"}
        failed = await post(live, token("wn001"), CLAIM, {"input": claim})
        assert failed["errors"] and not (failed.get("data") or {}).get("submitExpenseClaim")
        monkeypatch.undo()
        async with db.reader() as s:
            assert await s.scalar(select(func.count()).select_from(m.OutboxEvent)) == 0
            assert await s.scalar(select(func.count()).select_from(m.WorkflowInstance)) == 0
        await sub.nothing(1.0)
        made = await submit(live, token, db, "wn001")
        event = _data(await sub.next(), "processOverviewChanged")
        assert (event["kind"], event["eventId"], event["instance"]["id"]) == (
            "INSTANCE_SUBMITTED", 1, made,
        )  # fmt: skip
