"""The collective move from Werknemerloket to MijnLoket through the API, with the demo data
(issue 7): candidates with stopper and warning, the background action, the message centre, the
invitations on a real SMTP server, activation, reminders and the audit log."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import DBAPIError

from app.db import mijnloket
from app.db import models as m
from app.domain import mijnloket as rules
from app.settings import Environment
from app.workers.collective import CollectiveWorker
from app.workers.mail import OutboxRelay
from tests.conftest import errors_of

CANDIDATES = """query ($e: ID!) { mijnLoketMigrationCandidates(employerId: $e) {
  employee { id name } warnings stoppers } }"""
START = """mutation ($input: StartMijnLoketMigrationInput!) {
  startMijnLoketMigration(input: $input) {
  action { id status items { employee { id } status reason } } errors { code field } } }"""
CENTRE = """query ($e: ID!) { messageCentre(employerId: $e, first: 1) { totalCount edges { node {
  id status startedBy { username } counts { pending processed failed skipped }
  items { employee { id name } status reason }
  log { kind actor { username } employee { name } detail } } } } }"""
STATE = """query ($t: String!) { mijnLoketActivation(token: $t) {
  status email employerName existingAccount } }"""
ACTIVATE = """mutation ($input: ActivateMijnLoketInput!) { activateMijnLoket(input: $input) {
  username accountCreated errors { code field message } } }"""


async def number_of(db, employee_id: str) -> int:
    from app.schema.ids import decode_id

    async with db.reader() as s:
        return await s.scalar(
            select(m.Employee.employee_number).where(
                m.Employee.id == decode_id(employee_id, "Employee")
            )
        )


async def migrate(graphql, ids, employee_ids):
    employer = await ids.employer()
    started = await graphql(
        START,
        {"input": {"employerId": employer, "employeeIds": employee_ids}},
        as_user="kantoor.admin",
    )
    payload = started["data"]["startMijnLoketMigration"]
    assert payload["errors"] == [], payload
    for _ in range(200):  # the app's worker runs it in the background
        centre = await graphql(CENTRE, {"e": employer}, as_user="kantoor.admin")
        newest = centre["data"]["messageCentre"]["edges"][0]["node"]
        if newest["status"] == "DONE":
            return newest
        await asyncio.sleep(0.05)
    raise AssertionError(f"the action did not finish: {newest}")


OUTBOX = """query ($e: ID!) { outboxEmails(employerId: $e) { edges { node { subject body } } } }"""


def token_of(body: str) -> str:
    return re.search(r"token=([A-Za-z0-9_\-]+)", body).group(1)


async def delivered(db, mail_settings, collector, subject: str) -> list[str]:
    """Send what the outbox holds through the real SMTP server; the links of `subject`."""
    await OutboxRelay(db, mail_settings).run_once()
    return [token_of(msg.get_content()) for msg in collector.messages if msg["Subject"] == subject]


async def invite(graphql, db, ids, number: int) -> int:
    from app.schema.ids import to_global_id

    async with db.reader() as s:
        employee_id = await s.scalar(
            select(m.Employee.id).where(m.Employee.employee_number == number)
        )
    return await migrate(graphql, ids, [to_global_id("Employee", employee_id)])


INVITATION, REMINDER = "Uw uitnodiging voor MijnLoket", "Herinnering: activeer uw MijnLoket-account"


async def test_candidates_show_the_stopper_and_the_warning(graphql, db, ids):
    result = await graphql(CANDIDATES, {"e": await ids.employer()}, as_user="kantoor.admin")
    found = {await number_of(db, c["employee"]["id"]): c for c in result["data"][
        "mijnLoketMigrationCandidates"]}  # fmt: skip
    # Employees 1-40 have MijnLoket: not listed. The ten on Werknemerloket are.
    assert sorted(found) == list(range(41, 51))
    assert found[45]["stoppers"] and "privé e-mailadres" in found[45]["stoppers"][0]
    assert found[47]["warnings"] and found[48]["warnings"] and not found[47]["stoppers"]
    assert not found[41]["warnings"] and not found[41]["stoppers"]


async def test_the_migration_invites_blocks_and_reports(
    graphql, db, ids, mail_settings, smtp_server
):
    _, collector = smtp_server
    candidates = await graphql(CANDIDATES, {"e": await ids.employer()}, as_user="kantoor.admin")
    people = [c["employee"]["id"] for c in candidates["data"]["mijnLoketMigrationCandidates"]]
    action = await migrate(graphql, ids, people)
    assert action["startedBy"]["username"] == "kantoor.admin"
    assert action["counts"] == {"pending": 0, "processed": 9, "failed": 1, "skipped": 0}
    [stopper] = [i for i in action["items"] if i["status"] == "FAILED"]
    assert await number_of(db, stopper["employee"]["id"]) == 45
    assert "privé e-mailadres" in stopper["reason"]
    kinds = [e["kind"] for e in action["log"]]
    assert kinds[0] == "STARTED" and action["log"][0]["actor"]["username"] == "kantoor.admin"
    assert kinds.count("INVITED") == 9 and kinds.count("WERKNEMERLOKET_BLOCKED") == 9
    assert kinds[-1] == "FINISHED"

    # The outbox holds no link: not for whoever may read it (PROCESS_MANAGEMENT, not
    # COLLECTIVE_ACTIONS), not in the database.
    outbox = await graphql(OUTBOX, {"e": await ids.employer()}, as_user="werkgever.hr")
    bodies = [e["node"]["body"] for e in outbox["data"]["outboxEmails"]["edges"]]
    assert len(bodies) == 9 and all(rules.LINK_PLACEHOLDER in b for b in bodies)
    assert not any("token=" in b for b in bodies)
    # An invitation is about a person: not for a reader who may not see the employees
    # (PROCESS_MANAGEMENT without VIEW_EMPLOYEES or COLLECTIVE_ACTIONS, issue 13.5).
    outbox = await graphql(OUTBOX, {"e": await ids.employer()}, as_user="kantoor.salaris")
    assert outbox["data"]["outboxEmails"]["edges"] == []
    async with db.reader() as s:
        blocked = await s.scalar(
            select(func.count())
            .select_from(m.Employee)
            .where(m.Employee.werknemerloket_state == m.WerknemerloketState.BLOCKED)
        )
        assert blocked == 9
        assert await s.scalar(select(func.count()).select_from(m.Invitation)) == 9
    # One invitation each, to the private address, through a real SMTP server.
    relay = OutboxRelay(db, mail_settings)
    assert await relay.run_once() == 9
    invitations = [msg for msg in collector.messages if "uitnodiging" in msg["Subject"]]
    assert len(invitations) == 9
    assert all(msg["To"].endswith("@prive.example.nl") for msg in invitations)
    tokens = [token_of(msg.get_content()) for msg in invitations]
    async with db.reader() as s:
        stored = set(await s.scalars(select(m.Invitation.token_hash)))
        bodies = list(await s.scalars(select(m.OutboxEmail.body)))
    assert stored == {rules.token_hash(t) for t in tokens}  # only hashes are stored
    assert not any(t in b for t in tokens for b in bodies)  # and the outbox never had them

    # Repeating it invites nobody twice.
    again = await migrate(graphql, ids, people)
    assert again["counts"] == {"pending": 0, "processed": 0, "failed": 1, "skipped": 9}
    assert await relay.run_once() == 0

    # Register with the link; the same link a second time is refused.
    token = tokens[0]
    state = (await graphql(STATE, {"t": token}))["data"]["mijnLoketActivation"]
    assert state["status"] == "VALID" and state["existingAccount"] is False
    assert state["email"].endswith("@prive.example.nl")
    weak = await graphql(ACTIVATE, {"input": {"token": token, "password": "kort"}})
    assert [e["code"] for e in weak["data"]["activateMijnLoket"]["errors"]] == ["WEAK_PASSWORD"]
    done = await graphql(
        ACTIVATE, {"input": {"token": token, "password": "een lang wachtwoord 42"}}
    )
    payload = done["data"]["activateMijnLoket"]
    assert payload["errors"] == [] and payload["accountCreated"] is True
    assert payload["username"].startswith(rules.USERNAME_PREFIX)  # never the address (13.3)
    async with db.reader() as s:
        user = await s.scalar(select(m.User).where(m.User.username == payload["username"]))
        assert user.password_hash.startswith("$argon2id$")
        linked = await s.scalar(
            select(func.count())
            .select_from(m.Employee)
            .where(m.Employee.mijnloket_account_id == user.id)
        )
        assert linked == 1
    twice = await graphql(
        ACTIVATE, {"input": {"token": token, "password": "een lang wachtwoord 42"}}
    )
    assert [e["code"] for e in twice["data"]["activateMijnLoket"]["errors"]] == ["TOKEN_USED"]
    assert (await graphql(STATE, {"t": token}))["data"]["mijnLoketActivation"]["status"] == "USED"
    assert await relay.run_once() == 1
    assert collector.messages[-1]["Subject"] == "Uw MijnLoket-account is gereed"


async def test_an_existing_account_links_after_signing_in(
    graphql, db, ids, mail_settings, smtp_server
):
    async with db.writer() as s:
        employee = await s.scalar(select(m.Employee).where(m.Employee.employee_number == 46))
        # This person already has MijnLoket through another employer.
        s.add(m.User(username="elders.46", display_name=employee.name,
                     user_type=m.UserType.EMPLOYEE, person_id=employee.person_id))  # fmt: skip
        employee_id = employee.id
    from app.schema.ids import to_global_id

    await migrate(graphql, ids, [to_global_id("Employee", employee_id)])
    [link_token] = await delivered(db, mail_settings, smtp_server[1], INVITATION)
    state = (await graphql(STATE, {"t": link_token}))["data"]["mijnLoketActivation"]
    assert state["existingAccount"] is True
    anonymous = await graphql(ACTIVATE, {"input": {"token": link_token}})
    errors = anonymous["data"]["activateMijnLoket"]["errors"]
    assert [e["code"] for e in errors] == ["SIGN_IN_REQUIRED"]
    other = await graphql(ACTIVATE, {"input": {"token": link_token}}, as_user="wn001")
    assert [e["code"] for e in other["data"]["activateMijnLoket"]["errors"]] == ["SIGN_IN_REQUIRED"]
    linked = await graphql(ACTIVATE, {"input": {"token": link_token}}, as_user="elders.46")
    payload = linked["data"]["activateMijnLoket"]
    assert payload == {"username": "elders.46", "accountCreated": False, "errors": []}
    viewer = await graphql("{ viewer { employments { employeeNumber } } }", as_user="elders.46")
    assert viewer["data"]["viewer"]["employments"] == [{"employeeNumber": 46}]


async def test_one_reminder_for_an_unused_invitation_never_two(
    graphql, db, ids, settings, mail_settings, smtp_server
):
    _, collector = smtp_server
    await invite(graphql, db, ids, 41)
    [first] = await delivered(db, mail_settings, collector, INVITATION)
    worker = CollectiveWorker(db, settings)
    assert await worker.send_reminders() == 0  # not due yet
    async with db.writer() as s:
        await s.execute(update(m.Invitation).values(sent_at=m.utcnow() - dt.timedelta(days=8)))
    # The schedulers of two processes at the same moment: one reminder between them.
    one, two = CollectiveWorker(db, settings), CollectiveWorker(db, settings)
    assert sorted(await asyncio.gather(one.send_reminders(), two.send_reminders())) == [0, 1]
    assert await worker.send_reminders() == 0  # and never a second one later
    [second] = await delivered(db, mail_settings, collector, REMINDER)
    assert await delivered(db, mail_settings, collector, REMINDER) == [second]  # sent once
    # Both links work: the person may open either e-mail (and stop and resume in between).
    for link in (first, second):
        state = await graphql(STATE, {"t": link})
        assert state["data"]["mijnLoketActivation"]["status"] == "VALID"
    # An expired link is refused with its own code, and gets no reminder.
    async with db.writer() as s:
        await s.execute(update(m.Invitation).values(expires_at=m.utcnow() - dt.timedelta(days=1)))
    expired = await graphql(
        ACTIVATE, {"input": {"token": second, "password": "een lang wachtwoord 42"}}
    )
    assert [e["code"] for e in expired["data"]["activateMijnLoket"]["errors"]] == ["TOKEN_EXPIRED"]
    assert await worker.send_reminders() == 0


async def test_an_expired_invitation_is_renewed_by_a_new_migration(
    graphql, db, ids, mail_settings, smtp_server
):
    """Otherwise the person would stay blocked from Werknemerloket without a way in."""
    _, collector = smtp_server
    await invite(graphql, db, ids, 42)
    [old] = await delivered(db, mail_settings, collector, INVITATION)
    employer = await ids.employer()

    async def listed() -> set[int]:
        result = await graphql(CANDIDATES, {"e": employer}, as_user="kantoor.admin")
        people = result["data"]["mijnLoketMigrationCandidates"]
        return {await number_of(db, c["employee"]["id"]) for c in people}

    assert 42 not in await listed()
    async with db.writer() as s:
        await s.execute(update(m.Invitation).values(expires_at=m.utcnow() - dt.timedelta(days=1)))
    assert 42 in await listed()
    again = await invite(graphql, db, ids, 42)
    assert again["counts"] == {"pending": 0, "processed": 1, "failed": 0, "skipped": 0}
    assert "INVITATION_RENEWED" in [e["kind"] for e in again["log"]]
    old_again, new = await delivered(db, mail_settings, collector, INVITATION)
    assert old_again == old
    assert (await graphql(STATE, {"t": new}))["data"]["mijnLoketActivation"]["status"] == "VALID"
    assert (await graphql(STATE, {"t": old}))["data"]["mijnLoketActivation"]["status"] == "INVALID"
    async with db.reader() as s:
        assert await s.scalar(select(func.count()).select_from(m.Invitation)) == 1


@pytest.mark.parametrize("env", [m_env.value for m_env in Environment])
async def test_without_smtp_the_link_is_logged_in_development_only(
    graphql, db, ids, settings, caplog, env
):
    """Without SMTP the log is a developer's inbox; in production it never holds a token."""
    await invite(graphql, db, ids, 41)
    relay = OutboxRelay(db, settings.model_copy(update={"env": Environment(env)}))
    with caplog.at_level(logging.INFO, logger="loketflow.mail"):
        await relay.run_once()
    [text] = [r.getMessage() for r in caplog.records if INVITATION in r.getMessage()]
    if env == "production":
        assert "token=" not in text and rules.LINK_PLACEHOLDER in text
    else:
        state = await graphql(STATE, {"t": token_of(text)})
        assert state["data"]["mijnLoketActivation"]["status"] == "VALID"


async def test_the_action_log_cannot_be_changed(graphql, db, ids):
    await invite(graphql, db, ids, 41)
    with pytest.raises(DBAPIError):
        async with db.writer() as s:
            await s.execute(update(m.ActionLogEntry).values(kind="FORGED"))
    async with db.reader() as s:
        kinds = set(await s.scalars(select(m.ActionLogEntry.kind)))
    assert "FORGED" not in kinds and "INVITED" in kinds


async def test_one_failure_does_not_stop_the_others(db, settings, monkeypatch):
    async with db.writer() as s:
        admin = await s.scalar(select(m.User.id).where(m.User.username == "kantoor.admin"))
        employer = await s.scalar(select(m.Employer.id))
        people = list(
            await s.scalars(
                select(m.Employee.id)
                .where(m.Employee.employee_number.in_([41, 42, 43]))
                .order_by(m.Employee.employee_number)
            )
        )
        action = m.CollectiveAction(employer_id=employer, started_by_id=admin)
        s.add(action)
        await s.flush()
        for pk in people:
            s.add(m.CollectiveActionItem(action_id=action.id, employee_id=pk))
    handle = mijnloket.handle

    async def flaky(session, item_id, settings_, name):
        item = await session.get(m.CollectiveActionItem, item_id)
        if item.employee_id == people[1]:
            raise RuntimeError("the mail template broke")
        return await handle(session, item_id, settings_, name)

    monkeypatch.setattr(mijnloket, "handle", flaky)
    await CollectiveWorker(db, settings).run_once()
    async with db.reader() as s:
        items = {i.employee_id: i for i in await s.scalars(select(m.CollectiveActionItem))}
        assert [items[p].status for p in people] == [
            m.ItemStatus.PROCESSED,
            m.ItemStatus.FAILED,
            m.ItemStatus.PROCESSED,
        ]
        assert "Technische fout" in items[people[1]].reason
        # Nothing half-written for the one that failed.
        assert (
            await s.scalar(
                select(func.count())
                .select_from(m.Invitation)
                .where(m.Invitation.employee_id == people[1])
            )
            == 0
        )
        done = await s.scalar(select(m.CollectiveAction.status))
        assert done is m.ActionStatus.DONE


async def test_only_collective_action_holders_see_or_start_it(graphql, ids):
    employer = await ids.employer()
    for user in ("werkgever.hr", "manager.verkoop", "wn001"):
        assert errors_of(await graphql(CANDIDATES, {"e": employer}, as_user=user)) == [
            "FORBIDDEN"
        ], user
        assert errors_of(await graphql(CENTRE, {"e": employer}, as_user=user)) == ["FORBIDDEN"]
        started = await graphql(
            START, {"input": {"employerId": employer, "employeeIds": []}}, as_user=user
        )
        assert errors_of(started) == ["FORBIDDEN"]
    assert errors_of(await graphql(CANDIDATES, {"e": employer})) == ["UNAUTHENTICATED"]
    # An employee of another employer cannot be slipped in.
    wrong = await graphql(
        START,
        {"input": {"employerId": employer, "employeeIds": ["RW1wbG95ZWU6OTk5OTk"]}},
        as_user="kantoor.admin",
    )
    assert [e["code"] for e in wrong["data"]["startMijnLoketMigration"]["errors"]] == ["NOT_FOUND"]
