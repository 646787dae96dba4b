"""Activating MijnLoket from the invitation's link (DOMAIN.md section 7 step 5): look at what
the link leads to, then link the employment to an existing account or register a new one."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import activation, invitation_links
from app.db.session import Session
from app.domain import limits
from app.domain.authz import Principal
from app.domain.errors import DomainError, ErrorCode
from app.schema.inputs.mijnloket import ActivateMijnLoketInput
from app.schema.payloads.mijnloket import ActivateMijnLoketPayload
from app.schema.runner import failed
from app.schema.types.collective import ActivationStatus, MijnLoketActivation

# Why a link cannot be used, as the link's status; any other reason: INVALID.
_STATUS = {
    ErrorCode.TOKEN_USED: ActivationStatus.USED,
    ErrorCode.TOKEN_EXPIRED: ActivationStatus.EXPIRED,
}


@dataclass(frozen=True)
class ActivateMijnLoket:
    token: str
    password: str | None = None


@dataclass(frozen=True)
class Activated:
    username: str
    account_created: bool


async def activate_mijn_loket(
    session: Session, principal: Principal | None, command: ActivateMijnLoket
) -> Activated:
    """Use the link: `principal` is the signed-in existing account to link, or None."""
    account, created = await activation.activate(
        session, principal, command.token, command.password
    )
    return Activated(username=account.username, account_created=created)


async def resolve_mijn_loket_activation(info: strawberry.Info, token: str) -> MijnLoketActivation:
    """What an invitation link leads to, without using it: valid or not, the prefilled e-mail,
    and whether the person already has a MijnLoket account to link (then sign in first). The
    employee can stop and come back with the same link until it is used or expires."""
    if not limits.is_link_token(token):
        view = invitation_links.LinkView(refused=ErrorCode.INVALID_TOKEN)
    else:
        view = await invitation_links.look_up(info.context.db, token)
    if view.refused is not None:
        status = _STATUS.get(view.refused, ActivationStatus.INVALID)
        return MijnLoketActivation(
            status=status, email=None, employer_name=None, expires_at=None, existing_account=False
        )
    return MijnLoketActivation(
        status=ActivationStatus.VALID,
        email=view.email,
        employer_name=view.employer_name,
        expires_at=view.expires_at,
        existing_account=view.existing_account,
    )


async def resolve_activate_mijn_loket(
    info: strawberry.Info, input: ActivateMijnLoketInput
) -> ActivateMijnLoketPayload:
    """Use an invitation link: with an existing MijnLoket account (this person at another
    employer), sign in with it and call this to link the employment; otherwise give a
    password to register. A confirmation e-mail follows. A used or expired link is refused."""
    # No sign-in needed (the link is the key), so not the runner's `mutate`, which requires
    # one; and one try only: the same link used twice at the same moment is a CONFLICT.
    ctx = info.context
    try:
        command = ActivateMijnLoket(token=limits.link_token(input.token), password=input.password)
        done = await invitation_links.in_one_try(
            ctx.db, lambda session: activate_mijn_loket(session, ctx.principal, command)
        )
    except DomainError as error:
        return failed(ActivateMijnLoketPayload, error)
    await ctx.after_write()
    ctx.wake_publisher()
    return ActivateMijnLoketPayload(
        username=done.username, account_created=done.account_created, errors=[]
    )
