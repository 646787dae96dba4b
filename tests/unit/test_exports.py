"""The Excel download's use case without HTTP: it asks for the export (built at once when small,
else left to a background worker), refuses a user with too many waiting, and what the database
holds. Building the file itself is tests/api/test_exports.py's."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.db import models as m
from app.db.queries.process_overview import OverviewFilter, filter_to_json
from app.domain.errors import DomainError, ErrorCode
from app.domain.overview import ProcessTab
from app.domain.workflow import InstanceStatus
from app.resolvers.export_process_overview import (
    ExportProcessOverview,
    ExportStarted,
    export_process_overview,
)


async def demo_employer(db) -> m.Employer:
    async with db.reader() as session:
        return await session.scalar(select(m.Employer).order_by(m.Employer.id).limit(1))


def command(employer_id: int | None, *, inline_rows=2_000, max_waiting=3) -> ExportProcessOverview:
    employers = (employer_id,) if employer_id is not None else ()
    return ExportProcessOverview(
        employer_id=employer_id,
        filter=OverviewFilter(tab=ProcessTab.OPEN, employer_ids=employers),
        inline_rows=inline_rows,
        max_waiting=max_waiting,
        lease_seconds=120.0,
    )


async def open_request(db) -> None:
    """One request in progress, as the overview lists it (the demo has none)."""
    async with db.writer() as session:
        version = await session.scalar(select(m.WorkflowDefinitionVersion).limit(1))
        definition = await session.get(m.WorkflowDefinition, version.definition_id)
        employee = await session.scalar(
            select(m.Employee).where(m.Employee.employer_id == definition.employer_id).limit(1)
        )
        admin = await session.scalar(select(m.User).where(m.User.username == "kantoor.admin"))
        session.add(
            m.WorkflowInstance(
                employer_id=definition.employer_id,
                employee_id=employee.id,
                type=definition.type,
                definition_version_id=version.id,
                status=InstanceStatus.IN_PROGRESS,
                open_position=1,
                submitter_id=admin.id,
            )
        )


async def exports(db) -> list[m.Export]:
    async with db.reader() as session:
        return list(await session.scalars(select(m.Export).order_by(m.Export.id)))


async def test_a_small_export_is_claimed_to_be_built_at_once(use_case, db):
    employer = await demo_employer(db)
    started = await use_case("kantoor.admin", export_process_overview, command(employer.id))
    assert isinstance(started, ExportStarted) and started.inline
    [row] = await exports(db)
    assert row.id == started.export_id
    assert (row.status, row.attempts, row.employer_id) == (m.ExportStatus.RUNNING, 1, employer.id)
    assert row.started_at is not None and row.claimed_until > row.started_at
    assert row.query == filter_to_json(command(employer.id).filter)
    assert row.file_name.startswith("procesbeheer-") and row.file_name.endswith(".xlsx")
    assert "-openstaand-" in row.file_name


async def test_a_large_export_waits_for_a_worker(use_case, db):
    await open_request(db)  # more than none: not built at once
    started = await use_case("kantoor.admin", export_process_overview, command(None, inline_rows=0))
    assert not started.inline
    [row] = await exports(db)
    assert (row.status, row.attempts, row.employer_id) == (m.ExportStatus.PENDING, 0, None)
    assert row.started_at is None and row.claimed_until is None
    assert row.file_name.startswith("procesbeheer-alle-werkgevers-")


async def test_too_many_waiting_exports_are_refused_and_nothing_is_written(use_case, db):
    await open_request(db)
    large = command(None, inline_rows=0, max_waiting=1)
    await use_case("kantoor.admin", export_process_overview, large)
    with pytest.raises(DomainError) as refused:
        await use_case("kantoor.admin", export_process_overview, large)
    assert refused.value.code is ErrorCode.TOO_MANY_EXPORTS
    async with db.reader() as session:
        assert await session.scalar(select(func.count()).select_from(m.Export)) == 1
