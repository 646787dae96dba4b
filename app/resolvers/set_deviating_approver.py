from __future__ import annotations

import strawberry
from sqlalchemy import select

from app.db import models as m
from app.db import outbox
from app.db.scoping import restrict
from app.domain.authz import Right, UserType
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.common import get_visible, input_pk, write
from app.resolvers.link_role import not_at_employer, works_at
from app.schema.errors import UserError
from app.schema.types.employee import Employee


@strawberry.input
class SetDeviatingApproverInput:
    employee_id: strawberry.ID
    user_id: strawberry.ID | None = strawberry.field(
        default=None, description="Null removes the deviating approver."
    )


@strawberry.type
class EmployeePayload:
    employee: Employee | None = None
    errors: list[UserError]


async def set_deviating_approver(
    info: strawberry.Info, input: SetDeviatingApproverInput
) -> EmployeePayload:
    """Set who handles this employee's workflow steps instead of the role's users (afwijkende
    goedkeurder), so nobody approves their own request. The employee's own person is refused.
    `employee` in the payload is null unless you may also view the employee (VIEW_EMPLOYEES)."""

    async def apply(session, principal) -> m.Employee:
        pk = input_pk(input.employee_id, "Employee", "employeeId")
        employee = await get_visible(
            session, principal, m.Employee, pk, "employeeId", right=Right.MANAGE_WORKFLOW_EDITOR
        )
        # The employee's open steps may change hands: task centres at the employer reload.
        outbox.assignment_changed(session, employee.employer_id)
        if input.user_id is None:
            employee.deviating_approver_id = None
            return employee
        user = await get_visible(
            session, principal, m.User, input_pk(input.user_id, "User", "userId"), "userId"
        )
        employer = await get_visible(
            session, principal, m.Employer, employee.employer_id, "employeeId"
        )
        if not works_at(user, employer):
            raise not_at_employer("userId")
        if user.person_id is not None and user.person_id == employee.person_id:
            raise DomainError(
                ErrorCode.SELF_APPROVAL,
                "Een werknemer kan niet zijn eigen afwijkende goedkeurder zijn.",
                ["userId"],
            )
        if user.user_type is UserType.DEPARTMENT_MANAGER and not await session.scalar(
            select(m.UserDepartment.user_id).where(
                m.UserDepartment.user_id == user.id,
                m.UserDepartment.department_id == employee.department_id,
            )
        ):
            # It could never act: managers handle only their own departments' requests.
            raise DomainError(
                ErrorCode.USER_NOT_AT_EMPLOYER,
                "Deze afdelingsmanager gaat niet over de afdeling van deze werknemer.",
                ["userId"],
            )
        employee.deviating_approver_id = user.id
        return employee

    try:
        changed = await write(info, apply)
    except DomainError as error:
        return EmployeePayload(errors=[UserError.of(error)])
    # The payload shows the employee as an ordinary read would: MANAGE_WORKFLOW_EDITOR lets a
    # user set the approver, not read the employee's personal data.
    ctx = info.context
    employee = await ctx.scalar(
        restrict(select(m.Employee).where(m.Employee.id == changed.id), ctx.principal, m.Employee)
    )
    return EmployeePayload(employee=employee, errors=[])
