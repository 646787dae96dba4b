"""Change an employer's details (its name)."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import administration, offices
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain import validation
from app.domain.authz import Principal
from app.domain.errors import not_found
from app.domain.offices import NAME_MAX
from app.schema.ids import input_pk
from app.schema.inputs.office import UpdateEmployerInput
from app.schema.payloads.office import EmployerPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class UpdateEmployer:
    employer_id: str
    name: str


async def update_employer(
    session: Session, principal: Principal, command: UpdateEmployer
) -> m.Employer:
    pk = input_pk(command.employer_id, "Employer", "employerId")
    employer = await visible(session, principal, m.Employer, pk, "employerId", for_update=True)
    if employer.provider_id != principal.provider_id:  # one where one is only employed
        raise not_found("Employer", "employerId")
    name = validation.name(command.name, "name", max_length=NAME_MAX)
    if name == employer.name:
        return employer  # nothing changes, nothing to record
    await offices.ensure_employer_name_free(session, employer.provider_id, name, employer.id)
    employer.name = name
    administration.log(
        session,
        principal.user_id,
        "updateEmployer",
        employer,
        provider_id=employer.provider_id,
        employer_id=employer.id,
        fields=["name"],
    )
    return employer


async def resolve_update_employer(
    info: strawberry.Info, input: UpdateEmployerInput
) -> EmployerPayload:
    """Rename an employer of your office; the name stays unique in the office (case aside).
    Giving the current name changes nothing."""
    command = UpdateEmployer(employer_id=input.employer_id, name=input.name)
    return await mutate(
        info, update_employer, command, EmployerPayload, lambda employer: {"employer": employer}
    )
