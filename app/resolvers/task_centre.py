from __future__ import annotations

import datetime as dt

import strawberry

from app.db.queries import task_centre as task_queries
from app.db.queries.pagination import keyset_page
from app.domain.errors import InvalidArgument
from app.schema.ids import decode_id
from app.schema.inputs.task_centre import TaskCentreFilter
from app.schema.types.task_centre import TaskConnection, TypeCount

SEARCH_MAX = 100
EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _filter(f: TaskCentreFilter | None) -> task_queries.TaskFilter:
    if f is None:
        return task_queries.TaskFilter()
    employer_id = None
    if f.employer_id is not None:
        employer_id = decode_id(f.employer_id, "Employer")
        if employer_id is None:
            raise InvalidArgument("'employerId' is geen werkgever-ID.")
    search = (f.employee_search or "").strip()
    if len(search) > SEARCH_MAX or not search.isprintable():
        raise InvalidArgument(f"Zoek op hoogstens {SEARCH_MAX} gewone tekens.")
    for day in (f.submitted_from, f.submitted_to):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise InvalidArgument("Kies een datum tussen 2000 en 2100.")
    return task_queries.TaskFilter(
        employer_id=employer_id,
        types=tuple(f.types or ()),
        kinds=tuple(f.kinds or ()),
        submitted_from=f.submitted_from,
        submitted_to=f.submitted_to,
        employee_search=search or None,
    )


async def task_centre(
    info: strawberry.Info,
    filter: TaskCentreFilter | None = None,
    first: int | None = None,
    after: str | None = None,
) -> TaskConnection:
    """The open tasks and approvals you may act on now, at every employer you work for: through
    your role links, your user type, being chosen by name, or as deviating approver; never a
    request about yourself. Empty for MijnLoket accounts."""
    ctx = info.context
    principal = ctx.require_principal()
    f = _filter(filter)
    page = await keyset_page(
        ctx,
        task_queries.tasks(principal, f),
        task_queries.ORDER,
        task_queries.sort_key,
        first=first,
        after=after,
        descending=True,
    )

    async def counts() -> list[TypeCount]:
        rows = await ctx.rows(task_queries.counts_per_type(principal, f))
        return [TypeCount(type=t, count=n) for t, n in rows]

    return TaskConnection.of(page, _counts=counts)
