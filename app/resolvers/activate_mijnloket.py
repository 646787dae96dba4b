"""Activating MijnLoket from the invitation's link (DOMAIN.md section 7 step 5): look at what
the link leads to, then link the employment to an existing account or register a new one."""

from __future__ import annotations

import strawberry
from sqlalchemy.exc import IntegrityError

from app.db import activation
from app.db import models as m
from app.domain.errors import DomainError, ErrorCode
from app.schema.errors import UserError
from app.schema.types.collective import ActivationStatus, MijnLoketActivation

MAX_TOKEN = 200


@strawberry.input
class ActivateMijnLoketInput:
    token: str = strawberry.field(description="The `token` of the invitation link.")
    password: str | None = strawberry.field(
        default=None, description="For a new account: 12 to 128 characters."
    )


@strawberry.type
class ActivateMijnLoketPayload:
    username: str | None = strawberry.field(
        default=None,
        description="The username of the MijnLoket account the employment is now linked to; "
        "for a new account made by the service (never the e-mail address), and also in the "
        "confirmation e-mail.",
    )
    account_created: bool = False
    errors: list[UserError]


async def mijn_loket_activation(info: strawberry.Info, token: str) -> MijnLoketActivation:
    """What an invitation link leads to, without using it: valid or not, the prefilled e-mail,
    and whether the person already has a MijnLoket account to link (then sign in first). The
    employee can stop and come back with the same link until it is used or expires."""
    invalid = MijnLoketActivation(
        status=ActivationStatus.INVALID,
        email=None,
        employer_name=None,
        expires_at=None,
        existing_account=False,
    )
    if not token or len(token) > MAX_TOKEN:
        return invalid
    async with info.context.db.reader() as session:
        try:
            invitation = await activation.invitation_of(session, token)
        except DomainError as error:
            status = {
                ErrorCode.TOKEN_USED: ActivationStatus.USED,
                ErrorCode.TOKEN_EXPIRED: ActivationStatus.EXPIRED,
            }.get(error.code)
            return (
                invalid
                if status is None
                else MijnLoketActivation(
                    status=status,
                    email=None,
                    employer_name=None,
                    expires_at=None,
                    existing_account=False,
                )
            )
        employee = await session.get(m.Employee, invitation.employee_id)
        employer = await session.get(m.Employer, employee.employer_id)
        existing = await activation.existing_account(session, employee.person_id)
    return MijnLoketActivation(
        status=ActivationStatus.VALID,
        email=invitation.email,
        employer_name=employer.name,
        expires_at=invitation.expires_at,
        existing_account=existing is not None,
    )


async def activate_mijn_loket(
    info: strawberry.Info, input: ActivateMijnLoketInput
) -> ActivateMijnLoketPayload:
    """Use an invitation link: with an existing MijnLoket account (this person at another
    employer), sign in with it and call this to link the employment; otherwise give a
    password to register. A confirmation e-mail follows. A used or expired link is refused."""
    ctx = info.context
    if not input.token or len(input.token) > MAX_TOKEN:
        error = DomainError(ErrorCode.INVALID_TOKEN, "Deze link is ongeldig.", ["token"])
        return ActivateMijnLoketPayload(errors=[UserError.of(error)])
    try:
        async with ctx.db.writer() as session:
            account, created = await activation.activate(
                session, ctx.principal, input.token, input.password
            )
            username = account.username
    except DomainError as error:
        return ActivateMijnLoketPayload(errors=[UserError.of(error)])
    except IntegrityError:  # the same link used twice at the same moment
        error = DomainError(
            ErrorCode.CONFLICT, "Iemand anders wijzigde dit tegelijkertijd. Probeer het opnieuw."
        )
        return ActivateMijnLoketPayload(errors=[UserError.of(error)])
    await ctx.after_write()
    ctx.wake_publisher()
    return ActivateMijnLoketPayload(username=username, account_created=created, errors=[])
