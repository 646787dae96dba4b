"""What the office (provider) shows of itself: its signed MijnLoket addendum."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.db import models as m


@strawberry.type(
    description="The office's MijnLoket addendum: MijnLoket can be activated at its employers "
    "only once it is signed (DOMAIN.md section 2). Who recorded it, and when, is in the "
    "administration log."
)
class MijnLoketAddendum:
    signed: bool
    signatory: str | None = strawberry.field(
        default=None, description="Who signed it for the office."
    )
    signed_on: dt.date | None = strawberry.field(default=None, description="The day it was signed.")

    @classmethod
    def of(cls, office: m.Provider) -> MijnLoketAddendum:
        return cls(
            signed=office.mijnloket_addendum_signed,
            signatory=office.mijnloket_addendum_signatory,
            signed_on=office.mijnloket_addendum_signed_on,
        )
