"""Save a workflow's steps as a new version of its definition."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry

from app.db import models as m
from app.db import workflow_editor
from app.db.definitions import current_steps, save_version
from app.db.lookup import visible
from app.db.queries.definitions import DefinitionView, parse_definition_key
from app.db.session import Session
from app.db.staff import works_at
from app.domain.authz import Principal, UserType
from app.domain.definitions import Assignee, StepConfig, StepKind, check_steps
from app.domain.errors import DomainError, ErrorCode
from app.schema.ids import decode_key, input_pk
from app.schema.inputs.workflows import UpdateWorkflowStepsInput, WorkflowStepInput
from app.schema.payloads.workflows import WorkflowDefinitionPayload
from app.schema.runner import mutate


@dataclass(frozen=True)
class StepDraft:
    """One step as submitted: exactly one assignee should be given (checked in the use case)."""

    kind: StepKind
    name: str
    role_id: str | None = None
    user_type: UserType | None = None
    user_ids: tuple[str, ...] | None = None
    all_users: bool | None = None
    send_email: bool | None = None  # None: on for notifications, off for tasks/approvals


@dataclass(frozen=True)
class UpdateWorkflowSteps:
    definition_id: str
    steps: tuple[StepDraft, ...]


def _path(i: int, *rest: object) -> list[str]:
    return ["steps", str(i), *(str(r) for r in rest)]


def _assignee(i: int, step: StepDraft) -> Assignee:
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


def _configs(steps: tuple[StepDraft, ...]) -> list[StepConfig]:
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


async def _check_references(
    session: Session, principal: Principal, employer: m.Employer, steps: tuple[StepConfig, ...]
) -> None:
    """Roles of this office, users who work at this employer, as of today."""
    for i, step in enumerate(steps):
        if (role_id := step.assignee.role_id) is not None:
            role = await visible(session, principal, m.Role, role_id, _path(i, "roleId"))
            if role.provider_id != employer.provider_id:
                raise DomainError(
                    ErrorCode.NOT_FOUND, "Rol niet gevonden bij dit kantoor.", _path(i, "roleId")
                )
        for j, user_id in enumerate(step.assignee.user_ids):
            field = _path(i, "userIds", j)
            user = await visible(session, principal, m.User, user_id, field)
            if not works_at(user, employer):
                raise DomainError(
                    ErrorCode.USER_NOT_AT_EMPLOYER,
                    f"Stap {i + 1}: {user.display_name} werkt niet bij deze werkgever.",
                    field,
                )


async def update_workflow_steps(
    session: Session, principal: Principal, command: UpdateWorkflowSteps
) -> DefinitionView:
    parsed = parse_definition_key(decode_key(command.definition_id, "WorkflowDefinition") or "")
    if parsed is None:
        raise DomainError(ErrorCode.INVALID_ID, "Dit is geen geldig workflow-ID.", ["definitionId"])
    employer_id, workflow = parsed
    employer = await visible(session, principal, m.Employer, employer_id, "definitionId")
    steps = check_steps(workflow, _configs(command.steps))
    await _check_references(session, principal, employer, steps)
    row = await workflow_editor.definition_row(session, employer.id, workflow, create=True)
    if await current_steps(session, row.id) != steps:
        await save_version(session, row, steps, principal.user_id)
    return DefinitionView(employer, workflow, row)


def _draft(step: WorkflowStepInput) -> StepDraft:
    return StepDraft(
        kind=step.kind,
        name=step.name,
        role_id=step.role_id,
        user_type=step.user_type,
        user_ids=None if step.user_ids is None else tuple(step.user_ids),
        all_users=step.all_users,
        send_email=step.send_email,
    )


async def resolve_update_workflow_steps(
    info: strawberry.Info, input: UpdateWorkflowStepsInput
) -> WorkflowDefinitionPayload:
    """Save the steps (0 to 6) as a new version, in force for requests submitted from now on;
    running requests keep the version they started with. Saving the steps the current version
    already has changes nothing. Steps can be prepared before the workflow can be switched on."""
    command = UpdateWorkflowSteps(
        definition_id=input.definition_id, steps=tuple(_draft(step) for step in input.steps)
    )
    return await mutate(
        info,
        update_workflow_steps,
        command,
        WorkflowDefinitionPayload,
        lambda definition: {"definition": definition},
    )
