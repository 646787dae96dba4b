"""Reads and writes of an office's set-up: the bootstrap of `loketflow office create`, its
employers (createEmployer, updateEmployer) and its MijnLoket addendum (setMijnLoketAddendum)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import administration, outbox
from app.db import models as m
from app.db.reads import Reader
from app.db.scoping import restrict
from app.domain import offices, validation
from app.domain.authz import Principal, Right, UserType
from app.domain.catalogue import Product
from app.domain.offices import SetupRefused

# --- The bootstrap --------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeSetup:
    """What `create_office` found and did."""

    office_id: int
    office_name: str
    user_id: int
    username: str
    display_name: str
    created_office: bool
    created_user: bool
    granted: tuple[Right, ...]  # rights added at provider level (all of them for a new user)

    @property
    def changed(self) -> bool:
        return self.created_office or self.created_user or bool(self.granted)


async def create_office(
    session: AsyncSession, name: str, username: str, display_name: str | None
) -> OfficeSetup:
    """The office called `name` with `username` as its first user administrator: a provider
    user with every right at provider level. Idempotent: what exists is kept, what is missing
    is added (and logged, with no actor: the command line). Refused (`SetupRefused`) when the
    office already has other users, or the username belongs to someone else."""
    from app.domain.users import username as valid_username

    name = validation.name(name, "name", max_length=offices.NAME_MAX)
    username = valid_username(username)
    shown = validation.name(display_name or username, "displayName", max_length=200)

    office = await session.scalar(
        select(m.Provider).where(func.lower(m.Provider.name) == name.lower()).with_for_update()
    )
    user = await session.scalar(select(m.User).where(m.User.username == username))
    if user is not None and (
        office is None or user.user_type is not UserType.PROVIDER or user.provider_id != office.id
    ):
        where = {
            UserType.PROVIDER: "a provider user of another office",
            UserType.EMPLOYEE: "a MijnLoket account",
        }.get(user.user_type, "a user of an employer")
        raise SetupRefused(f"the username {username!r} is already taken ({where})")
    if user is not None and not user.active:
        raise SetupRefused(f"user {username!r} is deactivated: `office create` does not revive it")
    created_office = office is None
    if office is None:
        office = m.Provider(name=name, mijnloket_addendum_signed=False)
        session.add(office)
        await session.flush()
        administration.log(session, None, "createOffice", office, provider_id=office.id)
    elif user is None:
        others = list(
            await session.scalars(
                select(m.User.username)
                .where(m.User.user_type == UserType.PROVIDER, m.User.provider_id == office.id)
                .order_by(m.User.username)
                .limit(3)
            )
        )
        if others:
            raise SetupRefused(
                f"office {office.name!r} already exists with user(s) {', '.join(others)}: "
                f"sign in as one of them and create {username!r} through the API (createUser)"
            )

    created_user = user is None
    if user is None:
        user = m.User(
            username=username,
            display_name=shown,
            user_type=UserType.PROVIDER,
            provider_id=office.id,
            active=True,
        )
        session.add(user)
        await session.flush()
        administration.log(
            session,
            None,
            "createUser",
            user,
            provider_id=office.id,
            userType=UserType.PROVIDER.value,
            fields=["username", "displayName"],
        )
    held = set(
        await session.scalars(
            select(m.RightGrant.right).where(
                m.RightGrant.user_id == user.id, m.RightGrant.employer_id.is_(None)
            )
        )
    )
    granted = tuple(r for r in offices.ADMINISTRATOR_RIGHTS if r not in held)
    for right in granted:
        session.add(m.RightGrant(user_id=user.id, right=right, employer_id=None))
    if granted:
        await session.flush()
        administration.log(
            session,
            None,
            "grantRight",
            user,
            provider_id=office.id,
            rights=[r.value for r in granted],
            level="provider",
        )
        if not created_user:
            outbox.access_changed(session, user.id)
    return OfficeSetup(
        office_id=office.id,
        office_name=office.name,
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        created_office=created_office,
        created_user=created_user,
        granted=granted,
    )


# --- Employers ------------------------------------------------------------------------------


async def ensure_employer_name_free(
    session: AsyncSession, provider_id: int, name: str, except_id: int | None = None
) -> None:
    """NAME_TAKEN when the office has another employer of that name (case aside)."""
    stmt = select(m.Employer.id).where(
        m.Employer.provider_id == provider_id, func.lower(m.Employer.name) == name.lower()
    )
    if except_id is not None:
        stmt = stmt.where(m.Employer.id != except_id)
    if await session.scalar(stmt.limit(1)) is not None:
        raise offices.employer_name_taken(name)


async def provider_users(session: AsyncSession, provider_id: int) -> list[int]:
    """The office's active provider users: they reach every employer of the office."""
    rows = await session.scalars(
        select(m.User.id).where(
            m.User.user_type == UserType.PROVIDER, m.User.provider_id == provider_id, m.User.active
        )
    )
    return list(rows)


# --- The MijnLoket addendum -----------------------------------------------------------------


async def office_for_update(session: AsyncSession, provider_id: int) -> m.Provider:
    """The office, locked: a change of its addendum and an activation of MijnLoket at one of
    its employers go one after the other."""
    office = await session.scalar(
        select(m.Provider).where(m.Provider.id == provider_id).with_for_update()
    )
    assert office is not None  # a signed-in staff user's office exists
    return office


async def employers_with_mijnloket(session: AsyncSession, provider_id: int) -> list[str]:
    """Names of the office's employers where MijnLoket is active."""
    rows = await session.scalars(
        select(m.Employer.name)
        .join(m.ProductActivation, m.ProductActivation.employer_id == m.Employer.id)
        .where(
            m.Employer.provider_id == provider_id,
            m.ProductActivation.product == Product.MIJNLOKET,
            m.ProductActivation.active,
        )
        .order_by(m.Employer.name)
    )
    return list(rows)


async def visible_office(
    reader: Reader, principal: Principal | None, provider_id: int
) -> m.Provider | None:
    """The office row, if the principal may see it (its own staff), else None."""
    stmt = restrict(select(m.Provider).where(m.Provider.id == provider_id), principal, m.Provider)
    office: m.Provider | None = await reader.scalar(stmt)
    return office
