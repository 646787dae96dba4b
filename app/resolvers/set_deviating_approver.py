"""Set or remove an employee's deviating approver (afwijkende goedkeurder)."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import models as m
from app.db import outbox
from app.db.lookup import visible
from app.db.session import Session
from app.db.staff import manages_department, works_at
from app.domain.authz import Principal, Right, UserType
from app.domain.errors import DomainError, ErrorCode
from app.domain.staff import not_at_employer
from app.schema.ids import input_pk
from app.schema.inputs.employees import SetDeviatingApproverInput
from app.schema.payloads.employees import EmployeePayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class SetDeviatingApprover:
    employee_id: str
    user_id: str | None = None  # None: remove the deviating approver


async def set_deviating_approver(
    session: Session, principal: Principal, command: SetDeviatingApprover
) -> m.Employee:
    pk = input_pk(command.employee_id, "Employee", "employeeId")
    employee = await visible(
        session, principal, m.Employee, pk, "employeeId", right=Right.MANAGE_WORKFLOW_EDITOR
    )
    # The employee's open steps may change hands: task centres at the employer reload.
    outbox.assignment_changed(session, employee.employer_id)
    if command.user_id is None:
        employee.deviating_approver_id = None
        return employee
    pk = input_pk(command.user_id, "User", "userId")
    user = await visible(session, principal, m.User, pk, "userId")
    employer = await visible(session, principal, m.Employer, employee.employer_id, "employeeId")
    if not works_at(user, employer):
        raise not_at_employer("userId")
    if user.person_id is not None and user.person_id == employee.person_id:
        raise DomainError(
            ErrorCode.SELF_APPROVAL,
            "Een werknemer kan niet zijn eigen afwijkende goedkeurder zijn.",
            ["userId"],
        )
    if user.user_type is UserType.DEPARTMENT_MANAGER and not await manages_department(
        session, user.id, employee.department_id
    ):
        # It could never act: managers handle only their own departments' requests.
        raise DomainError(
            ErrorCode.USER_NOT_AT_EMPLOYER,
            "Deze afdelingsmanager gaat niet over de afdeling van deze werknemer.",
            ["userId"],
        )
    employee.deviating_approver_id = user.id
    return employee


async def resolve_set_deviating_approver(
    info: strawberry.Info, input: SetDeviatingApproverInput
) -> EmployeePayload:
    """Set who handles this employee's workflow steps instead of the role's users (afwijkende
    goedkeurder), so nobody approves their own request. The employee's own person is refused.
    `employee` in the payload is null unless you may also view the employee (VIEW_EMPLOYEES)."""

    async def shown(employee: m.Employee) -> dict[str, m.Employee | None]:
        # The payload shows the employee as an ordinary read would: MANAGE_WORKFLOW_EDITOR lets
        # a user set the approver, not read the employee's personal data.
        return {"employee": await info.context.loaders.employee_for_payload.load(employee.id)}

    command = SetDeviatingApprover(employee_id=input.employee_id, user_id=input.user_id)
    return await mutate(info, set_deviating_approver, command, EmployeePayload, shown)
