"""E-mails of a request reach a real SMTP server exactly once, and only after the commit."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import models as m
from app.workers.mail import OutboxRelay
from tests.api.test_requests import ADDRESS, CLAIM, component_id
from tests.conftest import errors_of


async def test_an_address_update_sends_one_email_to_a_real_smtp_server(
    graphql,
    db,
    mail_settings,
    smtp_server,
):
    _, collector = smtp_server
    address = {
        "street": "Kerkstraat",
        "houseNumber": "3",
        "postcode": "3811 AB",
        "city": "Amersfoort",
    }
    result = await graphql(ADDRESS, {"input": address}, as_user="wn001")
    assert result["data"]["submitAddressUpdate"]["errors"] == []

    relay = OutboxRelay(db, mail_settings)
    assert await relay.run_once() == 1
    assert await relay.run_once() == 0  # sent exactly once
    [message] = collector.messages
    assert message["To"] == "manager.verkoop@example.nl"
    assert message["Subject"].startswith("Ter informatie: Update adres medewerker")
    assert "Bloemetje sturen" in message.get_content()
    # No personal details of the change leave our systems in an e-mail.
    assert "Kerkstraat" not in message.get_content()
    async with db.reader() as s:
        row = await s.scalar(select(m.OutboxEmail))
    assert row.status == "SENT" and row.sent_at is not None


async def test_a_refused_submission_queues_no_email(graphql, db):
    bad = {"componentId": await component_id(db, "Kilometers onbelast"), "value": "-1"}
    result = await graphql(CLAIM, {"input": bad}, as_user="wn001")
    assert result["data"]["submitExpenseClaim"]["errors"][0]["code"] == "INVALID_EXPENSE_VALUE"
    async with db.reader() as s:
        assert await s.scalar(select(func.count()).select_from(m.OutboxEmail)) == 0
        assert await s.scalar(select(func.count()).select_from(m.OutboxEvent)) == 0


OUTBOX = """query ($e: ID!, $s: EmailStatus) { outboxEmails(employerId: $e, status: $s) {
  totalCount edges { node { toAddress subject status attempts instance { type } } } } }"""


async def test_without_smtp_the_emails_are_readable_in_the_outbox(graphql, db, ids):
    address = {"street": "Laan", "houseNumber": "1", "postcode": "1234 AB", "city": "Ede"}
    await graphql(ADDRESS, {"input": address}, as_user="wn001")
    employer = await ids.employer()
    result = await graphql(OUTBOX, {"e": employer, "s": "PENDING"}, as_user="werkgever.hr")
    outbox = result["data"]["outboxEmails"]
    assert outbox["totalCount"] == 1
    assert outbox["edges"][0]["node"] == {
        "toAddress": "manager.verkoop@example.nl",
        "subject": outbox["edges"][0]["node"]["subject"],
        "status": "PENDING",
        "attempts": 0,
        "instance": {"type": "ADDRESS_UPDATE"},
    }
    sent = await graphql(OUTBOX, {"e": employer, "s": "SENT"}, as_user="werkgever.hr")
    assert sent["data"]["outboxEmails"]["totalCount"] == 0
    for user, code in (
        ("manager.verkoop", "FORBIDDEN"),
        ("werkgever.directie", "FORBIDDEN"),
        ("wn001", "FORBIDDEN"),
        (None, "UNAUTHENTICATED"),
    ):
        assert errors_of(await graphql(OUTBOX, {"e": employer}, as_user=user)) == [code], user
