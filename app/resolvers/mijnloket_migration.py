"""The collective move from Werknemerloket to MijnLoket (DOMAIN.md section 7, seed 004): who can
be invited, starting the action, and following it in the message centre."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from app.db import mijnloket
from app.db import models as m
from app.db.queries.pagination import keyset_page
from app.db.scoping import restrict
from app.domain.authz import Right
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.common import input_pk, write
from app.schema.connection import Connection
from app.schema.errors import UserError
from app.schema.ids import decode_id
from app.schema.types.collective import CollectiveAction, MigrationCandidate

MAX_PEOPLE = 1000


@strawberry.input
class StartMijnLoketMigrationInput:
    employer_id: strawberry.ID
    employee_ids: list[strawberry.ID] = strawberry.field(
        description=f"1 to {MAX_PEOPLE} people, e.g. from `mijnLoketMigrationCandidates`."
    )


@strawberry.type
class StartMijnLoketMigrationPayload:
    action: CollectiveAction | None = None
    errors: list[UserError]


async def mijn_loket_migration_candidates(
    info: strawberry.Info, employer_id: strawberry.ID
) -> list[MigrationCandidate]:
    """The people of the employer not yet invited to MijnLoket (people with a MijnLoket account
    at this employer are not listed), each with its warnings and stoppers (seed 004 step 3)."""
    ctx = info.context
    pk = decode_id(employer_id, "Employer")
    async with ctx.db.reader() as session:  # its own session: two reads, one after the other
        found = await mijnloket.candidates(session, ctx.require_principal(), pk)
    return [
        MigrationCandidate(employee=e, warnings=list(a.warnings), stoppers=list(a.stoppers))
        for e, a in found
    ]


async def start_mijn_loket_migration(
    info: strawberry.Info, input: StartMijnLoketMigrationInput
) -> StartMijnLoketMigrationPayload:
    """Move the chosen people to MijnLoket in the background: for each, the Werknemerloket
    account is blocked and an invitation with a single-use, expiring link is e-mailed to the
    private address. People with a stopper fail with its reason; people already invited or
    on MijnLoket are skipped, so repeating it is safe. Follow it in `messageCentre`."""
    employer_id = decode_id(input.employer_id, "Employer")

    async def apply(session, principal) -> int:
        ids = list(dict.fromkeys(input.employee_ids))
        if not 1 <= len(ids) <= MAX_PEOPLE:
            raise DomainError(
                ErrorCode.INVALID_VALUE, f"Kies 1 tot {MAX_PEOPLE} personen.", ["employeeIds"]
            )
        pks = [input_pk(value, "Employee", "employeeIds") for value in ids]
        visible = set(
            await session.scalars(
                restrict(
                    select(m.Employee.id).where(
                        m.Employee.id.in_(pks), m.Employee.employer_id == employer_id
                    ),
                    principal,
                    m.Employee,
                    right=Right.COLLECTIVE_ACTIONS,
                )
            )
        )
        if missing := [i for i, pk in enumerate(pks) if pk not in visible]:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                "Deze persoon werkt niet (meer) bij deze werkgever.",
                ["employeeIds", str(missing[0])],
            )
        action = await mijnloket.start(session, principal, employer_id, pks)
        return action.id

    try:
        action_id = await write(info, apply)
    except DomainError as error:
        return StartMijnLoketMigrationPayload(errors=[UserError.of(error)])
    if info.context.collective_worker is not None:
        info.context.collective_worker.wake()
    action = await info.context.scalar(
        select(m.CollectiveAction).where(m.CollectiveAction.id == action_id)
    )
    return StartMijnLoketMigrationPayload(action=action, errors=[])


async def message_centre(
    info: strawberry.Info,
    employer_id: strawberry.ID,
    first: int | None = None,
    after: str | None = None,
) -> Connection[CollectiveAction]:
    """The employer's collective actions, newest first; per person: processed, or failed with
    the reason. Live through `messageCentreChanged`."""
    ctx = info.context
    pk = decode_id(employer_id, "Employer")
    stmt = restrict(
        select(m.CollectiveAction).where(m.CollectiveAction.employer_id == pk),
        ctx.require_principal(),
        m.CollectiveAction,
    )
    page = await keyset_page(
        ctx,
        stmt,
        (m.CollectiveAction.id,),
        lambda a: (a.id,),
        first=first,
        after=after,
        descending=True,
    )
    return Connection.of(page)
