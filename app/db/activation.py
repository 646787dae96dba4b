"""Activating a MijnLoket invitation (DOMAIN.md section 7 step 5, seed 004 step 6): link the
employment to the person's existing MijnLoket account, once that account has signed in, or
register a new account with a password. The link works once, until it expires; before that
the employee can stop and come back at any time."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.mijnloket import announce, log, mail
from app.domain import mijnloket as rules
from app.domain.authz import Principal, UserType
from app.domain.errors import DomainError, ErrorCode

# Argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile): salted, slow to guess.
HASHER = PasswordHasher()


async def invitation_of(session: AsyncSession, token: str, *, lock: bool = False) -> m.Invitation:
    """The invitation behind a link's token, or why it cannot be used (a UserError)."""
    digest = rules.token_hash(token or "")
    # The newest link or the one before it (the invitation's and its reminder's both work).
    stmt = select(m.Invitation).where(
        or_(m.Invitation.token_hash == digest, m.Invitation.previous_token_hash == digest)
    )
    invitation = await session.scalar(stmt.with_for_update() if lock else stmt)
    if invitation is None or not token:
        raise DomainError(ErrorCode.INVALID_TOKEN, "Deze link is ongeldig.", ["token"])
    if invitation.used_at is not None:
        raise DomainError(
            ErrorCode.TOKEN_USED,
            "Deze link is al gebruikt. Log in met uw MijnLoket-account.",
            ["token"],
        )
    if invitation.expires_at <= m.utcnow():
        raise DomainError(
            ErrorCode.TOKEN_EXPIRED,
            "Deze link is verlopen. Vraag uw werkgever om een nieuwe uitnodiging.",
            ["token"],
        )
    return invitation


async def existing_account(session: AsyncSession, person_id: int) -> m.User | None:
    """The person's MijnLoket account, from an employment elsewhere, if there is one."""
    return await session.scalar(
        select(m.User).where(
            m.User.user_type == UserType.EMPLOYEE, m.User.person_id == person_id, m.User.active
        )
    )


async def free_username(session: AsyncSession) -> str:
    """A username for a new MijnLoket account that no account has (rules.new_username)."""
    while True:
        name = rules.new_username()
        if await session.scalar(select(m.User.id).where(m.User.username == name)) is None:
            return name


async def activate(
    session: AsyncSession,
    principal: Principal | None,
    token: str,
    password: str | None,
) -> tuple[m.User, bool]:
    """(the account, whether it is new). Linking needs the existing account signed in. A new
    account gets a username made by the service (never the e-mail address: rules.new_username),
    told to the person in the payload and the confirmation e-mail."""
    invitation = await invitation_of(session, token, lock=True)
    employee = await session.get(m.Employee, invitation.employee_id, with_for_update=True)
    assert employee is not None  # an invitation's employee is never deleted
    employer = await session.get(m.Employer, employee.employer_id)
    assert employer is not None
    account = await existing_account(session, employee.person_id)
    created = account is None
    if account is not None:
        if principal is None or principal.user_id != account.id:
            raise DomainError(
                ErrorCode.SIGN_IN_REQUIRED,
                "U heeft al een MijnLoket-account. Log daarmee in om dit dienstverband te "
                "koppelen.",
                ["token"],
            )
    else:
        password = rules.check_password(password, invitation.email)
        account = m.User(
            username=await free_username(session),
            display_name=employee.name,
            user_type=UserType.EMPLOYEE,
            person_id=employee.person_id,
            password_hash=await asyncio.to_thread(HASHER.hash, password),
        )
        session.add(account)
        await session.flush()
    employee.mijnloket_account_id = account.id
    employee.mijnloket_email = employee.mijnloket_email or invitation.email
    invitation.used_at, invitation.account_id = m.utcnow(), account.id
    kind = "ACCOUNT_REGISTERED" if created else "ACCOUNT_LINKED"
    log(session, invitation.action_id, kind, employee_id=employee.id, actor_id=account.id)
    subject, body = rules.confirmation_email(employee.name, employer.name, account.username)
    key = f"mijnloket-confirmation:{employee.id}"
    mail(session, key, employee, invitation.email, subject, body, recipient_user_id=account.id)
    log(session, invitation.action_id, "CONFIRMATION_SENT", employee_id=employee.id)
    if invitation.action_id is not None:  # the message centre shows the activation live
        announce(session, await session.get(m.CollectiveAction, invitation.action_id))
    await session.flush()
    return account, created
