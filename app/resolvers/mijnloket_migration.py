"""The collective move from Werknemerloket to MijnLoket (DOMAIN.md section 7, seed 004): who can
be invited, starting the action, and following it in the message centre."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry

from app.db import collective_actions, mijnloket
from app.db.session import Session
from app.domain import limits
from app.domain.authz import Principal
from app.domain.errors import DomainError, ErrorCode
from app.domain.limits import MAX_PEOPLE
from app.schema.connection import Connection
from app.schema.ids import decode_id, input_pk
from app.schema.inputs.mijnloket import StartMijnLoketMigrationInput
from app.schema.payloads.mijnloket import StartMijnLoketMigrationPayload
from app.schema.runner import mutate
from app.schema.types.collective import CollectiveAction, MigrationCandidate


@dataclass(frozen=True)
class StartMijnLoketMigration:
    employer_id: str
    employee_ids: tuple[str, ...]


async def start_mijn_loket_migration(
    session: Session, principal: Principal, command: StartMijnLoketMigration
) -> int:
    """Start the action; its id. Only people of the employer in the principal's reach."""
    employer_id = decode_id(command.employer_id, "Employer")
    ids = list(dict.fromkeys(command.employee_ids))
    limits.choose(len(ids), MAX_PEOPLE, "personen", "employeeIds")
    pks = [input_pk(value, "Employee", "employeeIds") for value in ids]
    reachable = await collective_actions.employees_in_scope(session, principal, employer_id, pks)
    if missing := [i for i, pk in enumerate(pks) if pk not in reachable]:
        raise DomainError(
            ErrorCode.NOT_FOUND,
            "Deze persoon werkt niet (meer) bij deze werkgever.",
            ["employeeIds", str(missing[0])],
        )
    action = await mijnloket.start(session, principal, employer_id, pks)
    return action.id


async def resolve_mijn_loket_migration_candidates(
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


async def resolve_start_mijn_loket_migration(
    info: strawberry.Info, input: StartMijnLoketMigrationInput
) -> StartMijnLoketMigrationPayload:
    """Move the chosen people to MijnLoket in the background: for each, the Werknemerloket
    account is blocked and an invitation with a single-use, expiring link is e-mailed to the
    private address. People with a stopper fail with its reason; people already invited or
    on MijnLoket are skipped, so repeating it is safe. Follow it in `messageCentre`."""
    ctx = info.context
    command = StartMijnLoketMigration(
        employer_id=input.employer_id, employee_ids=tuple(input.employee_ids)
    )

    async def fields(action_id: int) -> dict[str, Any]:
        if ctx.collective_worker is not None:
            ctx.collective_worker.wake()
        return {"action": await collective_actions.action(ctx, action_id)}

    return await mutate(
        info, start_mijn_loket_migration, command, StartMijnLoketMigrationPayload, fields
    )


async def resolve_message_centre(
    info: strawberry.Info,
    employer_id: strawberry.ID,
    first: int | None = None,
    after: str | None = None,
) -> Connection[CollectiveAction]:
    """The employer's collective actions, newest first; per person: processed, or failed with
    the reason. Live through `messageCentreChanged`."""
    ctx = info.context
    page = await collective_actions.message_centre(
        ctx,
        ctx.require_principal(),
        decode_id(employer_id, "Employer"),
        first=first,
        after=after,
    )
    return Connection.of(page)
