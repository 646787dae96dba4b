from __future__ import annotations

import strawberry

from app.db import models as m
from app.db.definitions import current_steps, save_version
from app.db.queries.definitions import DefinitionView, parse_definition_key
from app.domain.definitions import Assignee, StepConfig, StepKind, check_steps
from app.domain.errors import DomainError, ErrorCode
from app.resolvers.common import get_visible, input_pk, write
from app.resolvers.link_role import works_at
from app.resolvers.set_workflow_active import WorkflowDefinitionPayload, definition_row
from app.schema.enums import StepKind as StepKindEnum
from app.schema.enums import UserType
from app.schema.errors import UserError
from app.schema.ids import decode_key


@strawberry.input(
    description="One step. Give exactly one assignee: roleId, userType, userIds "
    "(expense claims, restricted mode) or allUsers (expense claims)."
)
class WorkflowStepInput:
    kind: StepKindEnum
    name: str
    role_id: strawberry.ID | None = None
    user_type: UserType | None = strawberry.field(
        default=None, description="EMPLOYER, DEPARTMENT_MANAGER (of the employee) or PROVIDER."
    )
    user_ids: list[strawberry.ID] | None = None
    all_users: bool | None = strawberry.field(
        default=None,
        description="Expense claims: the department's managers, else all employer users; the "
        "office's provider users may also approve.",
    )
    send_email: bool | None = strawberry.field(
        default=None, description="Null: on for notifications (always), off for tasks/approvals."
    )


@strawberry.input
class UpdateWorkflowStepsInput:
    definition_id: strawberry.ID
    steps: list[WorkflowStepInput]


def _path(i: int, *rest: object) -> list[str]:
    return ["steps", str(i), *(str(r) for r in rest)]


def _assignee(i: int, step: WorkflowStepInput) -> Assignee:
    given = [
        name
        for name, present in (
            ("roleId", step.role_id is not None),
            ("userType", step.user_type is not None),
            ("userIds", step.user_ids is not None),
            ("allUsers", bool(step.all_users)),
        )
        if present
    ]
    if len(given) != 1:
        raise DomainError(
            ErrorCode.INVALID_ASSIGNEE,
            f"Stap {i + 1}: kies precies één uitvoerder (een rol, een gebruikerstype of "
            "specifieke gebruikers).",
            _path(i),
        )
    if step.role_id is not None:
        return Assignee.role(input_pk(step.role_id, "Role", "roleId"))
    if step.user_type is not None:
        return Assignee.of_type(step.user_type)
    if step.user_ids is not None:
        ids = []
        for j, user in enumerate(step.user_ids):
            try:
                ids.append(input_pk(user, "User", "userIds"))
            except DomainError as error:
                error.field = _path(i, "userIds", j)
                raise
        return Assignee.users(*ids)
    return Assignee.all_users()


def _configs(steps: list[WorkflowStepInput]) -> list[StepConfig]:
    configs = []
    for i, step in enumerate(steps):
        try:
            assignee = _assignee(i, step)
        except DomainError as error:
            if error.field and error.field[0] != "steps":  # an ID from input_pk
                error.field = _path(i, *error.field)
            raise
        email = step.send_email
        if email is None:
            email = step.kind is StepKind.NOTIFICATION
        configs.append(StepConfig(StepKind(step.kind), step.name, assignee, email))
    return configs


async def _check_references(session, principal, employer, steps: tuple[StepConfig, ...]):
    """Roles of this office, users who work at this employer, as of today."""
    for i, step in enumerate(steps):
        if (role_id := step.assignee.role_id) is not None:
            role = await get_visible(session, principal, m.Role, role_id, _path(i, "roleId"))
            if role.provider_id != employer.provider_id:
                raise DomainError(
                    ErrorCode.NOT_FOUND, "Rol niet gevonden bij dit kantoor.", _path(i, "roleId")
                )
        for j, user_id in enumerate(step.assignee.user_ids):
            field = _path(i, "userIds", j)
            user = await get_visible(session, principal, m.User, user_id, field)
            if not works_at(user, employer):
                raise DomainError(
                    ErrorCode.USER_NOT_AT_EMPLOYER,
                    f"Stap {i + 1}: {user.display_name} werkt niet bij deze werkgever.",
                    field,
                )


async def update_workflow_steps(
    info: strawberry.Info, input: UpdateWorkflowStepsInput
) -> WorkflowDefinitionPayload:
    """Save the steps (0 to 6) as a new version, in force for requests submitted from now on;
    running requests keep the version they started with. Saving the steps the current version
    already has changes nothing. Steps can be prepared before the workflow can be switched on."""

    async def apply(session, principal) -> DefinitionView:
        parsed = parse_definition_key(decode_key(input.definition_id, "WorkflowDefinition") or "")
        if parsed is None:
            raise DomainError(
                ErrorCode.INVALID_ID, "Dit is geen geldig workflow-ID.", ["definitionId"]
            )
        employer_id, workflow = parsed
        employer = await get_visible(session, principal, m.Employer, employer_id, "definitionId")
        steps = check_steps(workflow, _configs(input.steps))
        await _check_references(session, principal, employer, steps)
        row = await definition_row(session, employer.id, workflow, create=True)
        if await current_steps(session, row.id) != steps:
            await save_version(session, row, steps, principal.user_id)
        return DefinitionView(employer, workflow, row)

    try:
        return WorkflowDefinitionPayload(definition=await write(info, apply), errors=[])
    except DomainError as error:
        return WorkflowDefinitionPayload(errors=[UserError.of(error)])
