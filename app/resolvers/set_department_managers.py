"""Set exactly who manages a department."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import administration, departments, outbox
from app.db import models as m
from app.db.lookup import visible
from app.db.session import Session
from app.domain import offices
from app.domain.authz import Principal
from app.schema.ids import input_pk
from app.schema.inputs.office import SetDepartmentManagersInput
from app.schema.payloads.office import DepartmentPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class SetDepartmentManagers:
    department_id: str
    user_ids: tuple[str, ...]


async def set_department_managers(
    session: Session, principal: Principal, command: SetDepartmentManagers
) -> m.Department:
    pk = input_pk(command.department_id, "Department", "departmentId")
    department = await visible(session, principal, m.Department, pk, "departmentId")
    # Locked: every change of the employer's managers goes one after the other, so that no
    # two changes together leave a manager without a department.
    employer = await visible(
        session, principal, m.Employer, department.employer_id, "departmentId", for_update=True
    )
    offices.manager_count(len(set(command.user_ids)))
    current = await departments.manager_ids(session, department.id)
    wanted: dict[int, m.User] = {}
    seen: set[str] = set()
    for index, value in enumerate(command.user_ids):
        if value in seen:
            continue  # named twice: once is enough
        seen.add(value)
        path = ["userIds", str(index)]
        user = await visible(session, principal, m.User, input_pk(value, "User", "userIds"), path)
        candidate = offices.Candidate(
            user.user_type, user.employer_id, user.active, user.id in current
        )
        offices.check_manager(candidate, employer.id, path)
        wanted.setdefault(user.id, user)

    added = set(wanted) - current
    removed = current - set(wanted)
    if not added and not removed:
        return department  # already so: nothing changes, nothing to record
    others = await departments.other_departments(session, removed, department.id)
    for user_id in sorted(removed):
        user = await session.get(m.User, user_id)
        assert user is not None
        if user.active:
            offices.check_keeps_a_department(user.display_name, others[user_id])
    await departments.set_managers(session, department.id, added, removed)
    administration.log(
        session,
        principal.user_id,
        "setDepartmentManagers",
        department,
        provider_id=employer.provider_id,
        employer_id=employer.id,
        added=sorted(added),
        removed=sorted(removed),
    )
    for user_id in sorted(added | removed):
        outbox.access_changed(session, user_id, employer.id)
    # Expense claims of the department's employees go to its managers, if any (DOMAIN.md
    # section 4): who may act on open steps changed.
    outbox.assignment_changed(session, employer.id)
    return department


async def resolve_set_department_managers(
    info: strawberry.Info, input: SetDepartmentManagersInput
) -> DepartmentPayload:
    """Set exactly the managers of a department: `userIds` become its managers, the others stop
    managing it (an empty list: none). Each must be a department-manager user of the
    department's employer; a manager may manage other departments too, but an active one
    always manages at least one (LAST_DEPARTMENT: give it another department first, or
    deactivate it). Their live views re-check what they may see; open tasks follow at once."""
    command = SetDepartmentManagers(
        department_id=input.department_id, user_ids=tuple(input.user_ids)
    )
    return await mutate(
        info,
        set_department_managers,
        command,
        DepartmentPayload,
        lambda department: {"department": department},
    )
