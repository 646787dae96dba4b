"""Writing workflow definition versions (immutable: a change is always a new version)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.db import models as m
from app.db.queries.definitions import step_config
from app.domain.definitions import AssigneeKind, StepConfig


async def newest_version_id(session: AsyncSession, definition_id: int) -> int | None:
    """The version in force for new requests, or None when there is none yet."""
    return await session.scalar(
        select(m.WorkflowDefinitionVersion.id)
        .where(m.WorkflowDefinitionVersion.definition_id == definition_id)
        .order_by(m.WorkflowDefinitionVersion.version.desc())
        .limit(1)
    )


async def version_steps(session: AsyncSession, version_id: int) -> tuple[StepConfig, ...]:
    """The steps of one definition version, in order (a system read: the engine's input)."""
    rows = list(
        await session.scalars(
            select(m.WorkflowStep)
            .where(m.WorkflowStep.version_id == version_id)
            .order_by(m.WorkflowStep.position)
        )
    )
    users: dict[int, list[int]] = {}
    if any(r.assignee_kind is AssigneeKind.USERS for r in rows):
        for step_id, user_id in await session.execute(
            select(m.WorkflowStepUser.step_id, m.WorkflowStepUser.user_id).where(
                m.WorkflowStepUser.step_id.in_([r.id for r in rows])
            )
        ):
            users.setdefault(step_id, []).append(user_id)
    return tuple(step_config(r, users.get(r.id, [])) for r in rows)


async def current_steps(session: AsyncSession, definition_id: int) -> tuple[StepConfig, ...] | None:
    """The steps of the newest version, or None when there is no version yet."""
    version_id = await newest_version_id(session, definition_id)
    return None if version_id is None else await version_steps(session, version_id)


async def save_version(
    session: AsyncSession,
    definition: m.WorkflowDefinition,
    steps: Sequence[StepConfig],
    author_id: int,
) -> m.WorkflowDefinitionVersion:
    """Append a version with these (already checked) steps; it is in force for new requests."""
    latest = await session.scalar(
        select(func.max(m.WorkflowDefinitionVersion.version)).where(
            m.WorkflowDefinitionVersion.definition_id == definition.id
        )
    )
    version = m.WorkflowDefinitionVersion(
        definition_id=definition.id, version=(latest or 0) + 1, created_by_id=author_id
    )
    session.add(version)
    await session.flush()
    for position, step in enumerate(steps, start=1):
        row = m.WorkflowStep(
            version_id=version.id,
            position=position,
            kind=step.kind,
            name=step.name,
            assignee_kind=step.assignee.kind,
            role_id=step.assignee.role_id,
            user_type=step.assignee.user_type,
            send_email=step.send_email,
        )
        session.add(row)
        if step.assignee.kind is AssigneeKind.USERS:
            await session.flush()
            session.add_all(
                m.WorkflowStepUser(step_id=row.id, user_id=u) for u in step.assignee.user_ids
            )
    await session.flush()
    return version
