"""Record whether, by whom and when the office signed the MijnLoket addendum."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import strawberry

from app.db import administration, offices
from app.db import models as m
from app.db.session import Session
from app.domain import offices as rules
from app.domain.authz import Principal
from app.schema.inputs.office import SetMijnLoketAddendumInput
from app.schema.payloads.office import SetMijnLoketAddendumPayload
from app.schema.runner import mutate
from app.schema.types.office import MijnLoketAddendum

_LOCAL = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class SetMijnLoketAddendum:
    signed: bool
    signatory: str | None = None
    signed_on: dt.date | None = None


async def set_mijn_loket_addendum(
    session: Session, principal: Principal, command: SetMijnLoketAddendum
) -> m.Provider:
    assert principal.provider_id is not None  # MANAGE_EMPLOYERS: a provider user
    today = dt.datetime.now(_LOCAL).date()
    wanted = rules.addendum(command.signed, command.signatory, command.signed_on, today)
    office = await offices.office_for_update(session, principal.provider_id)
    before = rules.Addendum(
        office.mijnloket_addendum_signed,
        office.mijnloket_addendum_signatory,
        office.mijnloket_addendum_signed_on,
    )
    if wanted == before:
        return office  # already so: nothing changes, nothing to record
    in_use = [] if wanted.signed else await offices.employers_with_mijnloket(session, office.id)
    if in_use:
        raise rules.addendum_in_use(in_use)
    office.mijnloket_addendum_signed = wanted.signed
    office.mijnloket_addendum_signatory = wanted.signatory
    office.mijnloket_addendum_signed_on = wanted.signed_on
    changed = [
        name
        for name, old, new in (
            ("signed", before.signed, wanted.signed),
            ("signatory", before.signatory, wanted.signatory),
            ("signedOn", before.signed_on, wanted.signed_on),
        )
        if old != new
    ]
    # Who signed is a person's name: the log names the field, never the value.
    administration.log(
        session,
        principal.user_id,
        "setMijnLoketAddendum",
        office,
        provider_id=office.id,
        signed=wanted.signed,
        fields=changed,
    )
    return office


async def resolve_set_mijn_loket_addendum(
    info: strawberry.Info, input: SetMijnLoketAddendumInput
) -> SetMijnLoketAddendumPayload:
    """Record the MijnLoket addendum of your office: signed (with `signatory` and `signedOn`,
    both required, the day not in the future) or not signed (which clears both, whatever is
    sent with it). MijnLoket can be activated at an employer only while it is signed; it
    cannot be withdrawn while MijnLoket is active at an employer of the office
    (PRODUCT_IN_USE). Read it back on `Employer.mijnLoketAddendum`."""
    command = SetMijnLoketAddendum(
        signed=input.signed, signatory=input.signatory, signed_on=input.signed_on
    )
    return await mutate(
        info,
        set_mijn_loket_addendum,
        command,
        SetMijnLoketAddendumPayload,
        lambda office: {"addendum": MijnLoketAddendum.of(office)},
    )
