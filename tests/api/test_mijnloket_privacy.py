"""The MijnLoket e-mail address stays behind its right on every path (issue 13.3, 13.4, 13.11):
an account registered on activation is not named after it, the private e-mail field does not
show it when it is the same address, nor does a request's change or the outbox; and nobody
holding an invitation can find out which usernames exist."""

from __future__ import annotations

import re

from sqlalchemy import select, update

from app.db import models as m
from app.domain.mijnloket import USERNAME_ALPHABET, USERNAME_LENGTH, USERNAME_PREFIX
from app.workers.mail import OutboxRelay
from tests.api.test_mijnloket_migration import ACTIVATE, CENTRE, delivered, migrate
from tests.conftest import errors_of

INVITATION = "Uw uitnodiging voor MijnLoket"
CONFIRMATION = "Uw MijnLoket-account is gereed"
PASSWORD = "een lang wachtwoord 42"
GENERATED = re.compile(re.escape(USERNAME_PREFIX) + f"[{USERNAME_ALPHABET}]{{{USERNAME_LENGTH}}}")
EMPLOYEE = """query ($id: ID!) { node(id: $id) { ... on Employee {
  privateEmail mijnLoketEmail } } }"""
OUTBOX = """query ($e: ID!) { outboxEmails(employerId: $e) { edges { node {
  toAddress subject } } } }"""
CONTACT = """mutation ($input: SubmitContactDetailsUpdateInput!) {
  submitContactDetailsUpdate(input: $input) { instance { id } errors { code } } }"""
CHANGE = """query ($id: ID!) { node(id: $id) { ... on WorkflowInstance {
  requestedChange { label value } submitter { username } } } }"""


async def employee_row(db, number: int) -> m.Employee:
    async with db.reader() as s:
        return await s.scalar(select(m.Employee).where(m.Employee.employee_number == number))


async def register(graphql, db, ids, mail_settings, collector, numbers: list[int]) -> list[dict]:
    """Invite `numbers` through the migration and register each with its link."""
    people = [await ids.employee(n) for n in numbers]
    await migrate(graphql, ids, people)
    links = await delivered(db, mail_settings, collector, INVITATION)
    assert len(links) == len(numbers)
    done = []
    for link in links:
        result = await graphql(ACTIVATE, {"input": {"token": link, "password": PASSWORD}})
        done.append(result["data"]["activateMijnLoket"])
    return done


async def test_a_new_account_is_not_named_after_its_address(
    graphql, db, ids, mail_settings, smtp_server
):
    _, collector = smtp_server
    [payload] = await register(graphql, db, ids, mail_settings, collector, [41])
    assert payload["errors"] == [] and payload["accountCreated"] is True
    username = payload["username"]
    assert GENERATED.fullmatch(username), username
    employee = await employee_row(db, 41)
    async with db.reader() as s:
        account = await s.get(m.User, employee.mijnloket_account_id)
    assert account.username == username and "@" not in username
    assert employee.mijnloket_email and employee.mijnloket_email not in username
    # The person learns the name from the confirmation, sent to the MijnLoket address.
    await OutboxRelay(db, mail_settings).run_once()
    [confirmation] = [msg for msg in collector.messages if msg["Subject"] == CONFIRMATION]
    assert confirmation["To"] == employee.mijnloket_email
    assert username in confirmation.get_content()
    # Where the account acted, staff see that name, not the address (the message centre log).
    centre = await graphql(CENTRE, {"e": await ids.employer()}, as_user="kantoor.admin")
    actors = {
        entry["actor"]["username"]
        for entry in centre["data"]["messageCentre"]["edges"][0]["node"]["log"]
        if entry["actor"]
    }
    assert username in actors and not any("@" in a for a in actors)
    # And the new account can sign in with it.
    viewer = await graphql("{ viewer { username } }", as_user=username)
    assert viewer["data"]["viewer"]["username"] == username


async def test_people_sharing_an_address_each_register_without_choosing_a_name(
    graphql, db, ids, mail_settings, smtp_server
):
    """Employees 47 and 48 share a private address (the candidates' warning): both register,
    each under a name of its own, and neither learns anything about other accounts."""
    _, collector = smtp_server
    first, second = await register(graphql, db, ids, mail_settings, collector, [47, 48])
    assert first["errors"] == second["errors"] == []
    assert GENERATED.fullmatch(first["username"]) and GENERATED.fullmatch(second["username"])
    assert first["username"] != second["username"]


async def test_no_username_can_be_probed_with_an_invitation(
    graphql, db, ids, mail_settings, smtp_server
):
    """Issue 13.11: with a valid link one could ask for a username and learn USERNAME_TAKEN for
    another office's account. A new account's name is no longer chosen: the question cannot be
    asked, and the link stays unused."""
    _, collector = smtp_server
    await migrate(graphql, ids, [await ids.employee(42)])
    [link] = await delivered(db, mail_settings, collector, INVITATION)
    probe = await graphql(
        ACTIVATE, {"input": {"token": link, "password": PASSWORD, "username": "kantoor.admin"}}
    )
    assert probe.get("data") is None
    assert "username" in probe["errors"][0]["message"]
    state = await graphql(
        "query ($t: String!) { mijnLoketActivation(token: $t) { status usernameRequired } }",
        {"t": link},
    )
    assert "usernameRequired" in state["errors"][0]["message"]
    still = await graphql(
        "query ($t: String!) { mijnLoketActivation(token: $t) { status } }", {"t": link}
    )
    assert still["data"]["mijnLoketActivation"]["status"] == "VALID"


async def test_the_private_address_that_is_the_mijnloket_address_needs_its_right(
    graphql, db, ids, mail_settings, smtp_server
):
    """Issue 13.4: the invitation is prefilled from the private e-mail and activation keeps
    that address for MijnLoket. From then on `privateEmail` shows the MijnLoket address, so it
    asks what `mijnLoketEmail` asks."""
    _, collector = smtp_server
    employee_id = await ids.employee(41)
    before = await graphql(EMPLOYEE, {"id": employee_id}, as_user="werkgever.hr")
    private = before["data"]["node"]["privateEmail"]
    assert private and errors_of(before) == ["FORBIDDEN"]  # mijnLoketEmail only

    await register(graphql, db, ids, mail_settings, collector, [41])
    employee = await employee_row(db, 41)
    assert employee.mijnloket_email == private == employee.private_email

    # werkgever.hr: VIEW_EMPLOYEES but not VIEW_MIJNLOKET_EMAIL.
    hr = await graphql(EMPLOYEE, {"id": employee_id}, as_user="werkgever.hr")
    assert hr["data"]["node"] == {"privateEmail": None, "mijnLoketEmail": None}
    assert sorted(e["path"][-1] for e in hr["errors"]) == ["mijnLoketEmail", "privateEmail"]
    assert errors_of(hr) == ["FORBIDDEN", "FORBIDDEN"]
    assert private not in str(hr)
    # Whoever holds the right, and the person, read both.
    admin = await graphql(EMPLOYEE, {"id": employee_id}, as_user="kantoor.admin")
    assert admin["data"]["node"] == {"privateEmail": private, "mijnLoketEmail": private}
    async with db.reader() as s:
        person = await s.get(m.User, employee.mijnloket_account_id)
    own = await graphql(EMPLOYEE, {"id": employee_id}, as_user=person.username)
    assert own["data"]["node"] == {"privateEmail": private, "mijnLoketEmail": private}

    # A private address of its own (the person changed it) is contact data again.
    async with db.writer() as s:
        await s.execute(
            update(m.Employee)
            .where(m.Employee.id == employee.id)
            .values(private_email="ander.adres@prive.example.nl")
        )
    again = await graphql(EMPLOYEE, {"id": employee_id}, as_user="werkgever.hr")
    assert again["data"]["node"]["privateEmail"] == "ander.adres@prive.example.nl"


async def test_a_request_does_not_show_the_mijnloket_address_either(graphql, db, ids):
    """A contact-details change to the address the person signs in to MijnLoket with: its
    `requestedChange` hides the address from whoever may not read it; the submitter is named
    by its username, which is no address."""
    wn001 = await employee_row(db, 1)
    assert wn001.mijnloket_email and wn001.private_email != wn001.mijnloket_email
    submitted = await graphql(
        CONTACT, {"input": {"privateEmail": wn001.mijnloket_email}}, as_user="wn001"
    )
    payload = submitted["data"]["submitContactDetailsUpdate"]
    assert payload["errors"] == []
    instance = payload["instance"]["id"]

    def shown(result) -> dict:
        return {c["label"]: c["value"] for c in result["data"]["node"]["requestedChange"]}

    hr = await graphql(CHANGE, {"id": instance}, as_user="werkgever.hr")
    assert shown(hr)["Privé e-mailadres"] == "(afgeschermd)"
    assert wn001.mijnloket_email not in str(hr)
    admin = await graphql(CHANGE, {"id": instance}, as_user="kantoor.admin")
    assert shown(admin)["Privé e-mailadres"] == wn001.mijnloket_email
    # Applied at once (0 steps): the private address is now the MijnLoket address.
    after = await employee_row(db, 1)
    assert after.private_email == after.mijnloket_email
    hr_employee = await graphql(EMPLOYEE, {"id": await ids.employee(1)}, as_user="werkgever.hr")
    assert hr_employee["data"]["node"]["privateEmail"] is None
    # A change to another address is shown as before.
    other = await graphql(
        CONTACT, {"input": {"privateEmail": "nieuw@prive.example.nl"}}, as_user="wn001"
    )
    other_id = other["data"]["submitContactDetailsUpdate"]["instance"]["id"]
    plain = await graphql(CHANGE, {"id": other_id}, as_user="werkgever.hr")
    assert shown(plain)["Privé e-mailadres"] == "nieuw@prive.example.nl"


async def test_the_outbox_hides_where_mijnloket_mail_goes(
    graphql, db, ids, mail_settings, smtp_server
):
    """Invitations and confirmations go to the (future) MijnLoket address: `toAddress` shows
    it to VIEW_MIJNLOKET_EMAIL or COLLECTIVE_ACTIONS holders, '(afgeschermd)' to the others who
    may read the outbox."""
    _, collector = smtp_server
    await register(graphql, db, ids, mail_settings, collector, [41])
    private = (await employee_row(db, 41)).private_email
    employer = await ids.employer()

    def recipients(result) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for edge in result["data"]["outboxEmails"]["edges"]:
            out.setdefault(edge["node"]["subject"], set()).add(edge["node"]["toAddress"])
        return out

    hr = recipients(await graphql(OUTBOX, {"e": employer}, as_user="werkgever.hr"))
    assert hr == {INVITATION: {"(afgeschermd)"}, CONFIRMATION: {"(afgeschermd)"}}
    admin = recipients(await graphql(OUTBOX, {"e": employer}, as_user="kantoor.admin"))
    assert admin == {INVITATION: {private}, CONFIRMATION: {private}}
