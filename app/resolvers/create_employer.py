"""Take on a new client: create an employer of the office."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import administration, offices, outbox
from app.db import models as m
from app.db.session import Session
from app.domain import validation
from app.domain.authz import Principal
from app.domain.offices import NAME_MAX
from app.schema.inputs.office import CreateEmployerInput
from app.schema.payloads.office import EmployerPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class CreateEmployer:
    name: str


async def create_employer(
    session: Session, principal: Principal, command: CreateEmployer
) -> m.Employer:
    assert principal.provider_id is not None  # MANAGE_EMPLOYERS: a provider user
    name = validation.name(command.name, "name", max_length=NAME_MAX)
    await offices.ensure_employer_name_free(session, principal.provider_id, name)
    employer = m.Employer(provider_id=principal.provider_id, name=name)
    session.add(employer)
    await session.flush()
    administration.log(
        session,
        principal.user_id,
        "createEmployer",
        employer,
        provider_id=employer.provider_id,
        employer_id=employer.id,
        fields=["name"],
    )
    # The office's provider users reach one employer more: their live views re-check.
    for user_id in await offices.provider_users(session, employer.provider_id):
        outbox.access_changed(session, user_id, employer.id)
    return employer


async def resolve_create_employer(
    info: strawberry.Info, input: CreateEmployerInput
) -> EmployerPayload:
    """Create an employer (a client) of your office; the name is unique in the office (case
    aside). It starts empty: no departments, employees, users, products or component sets. Its
    workflow definitions exist at once, all switched off (`setWorkflowActive`), and the
    office's provider users reach it at once with their provider-level rights."""
    return await mutate(
        info,
        create_employer,
        CreateEmployer(name=input.name),
        EmployerPayload,
        lambda employer: {"employer": employer},
    )
