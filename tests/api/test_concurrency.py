"""Concurrent writers never fail with "database is locked" (SQLite) and lose nothing.

SQLite's classic failure: two deferred transactions both read, then both try to write; one gets
SQLITE_BUSY at once, since waiting could deadlock. Our writes start with BEGIN IMMEDIATE, so the
second writer waits for the lock (busy timeout) instead. These tests force that overlap: within
one process through the app, and across real OS processes. They run on PostgreSQL too.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap

from sqlalchemy import func, select

from app.db import models as m

CREATE = """mutation ($name: String!) { createRole(input: {name: $name}) {
  role { name } errors { code } } }"""


async def test_concurrent_mutations_through_the_app_all_commit(graphql, db):
    names = [f"Rol {i:02d}" for i in range(30)]
    results = await asyncio.gather(
        *(graphql(CREATE, {"name": n}, as_user="kantoor.admin") for n in names)
    )
    assert all(r["data"]["createRole"]["errors"] == [] for r in results), results
    async with db.reader() as s:
        stored = set(await s.scalars(select(m.Role.name).where(m.Role.name.like("Rol %"))))
    assert stored == set(names)


WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from sqlalchemy import func, select
    from app.db import models as m
    from app.db.session import Database
    from app.settings import Settings

    async def main(url, tag, rounds):
        db = Database(Settings(database_url=url, jwt_secret="x" * 40))
        for i in range(rounds):
            async with db.writer() as s:
                # Read first, then write after a pause: the pattern that deadlocks deferred
                # transactions in SQLite.
                count = await s.scalar(select(func.count()).select_from(m.Role))
                await asyncio.sleep(0.01)
                s.add(m.Role(provider_id=1, name=f"{tag}-{i}-{count}"))
        await db.dispose()

    asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
    """
)


async def test_writers_in_separate_processes_wait_instead_of_failing(db, settings):
    async with db.reader() as s:
        provider_id = await s.scalar(select(m.Provider.id))
        before = await s.scalar(select(func.count()).select_from(m.Role))
    assert provider_id == 1  # the script writes for provider 1
    rounds, processes = 15, 4
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            WRITER,
            settings.sqlalchemy_url,
            f"p{n}",
            str(rounds),
            stderr=asyncio.subprocess.PIPE,
        )
        for n in range(processes)
    ]
    outcomes = [await asyncio.wait_for(p.communicate(), timeout=120) for p in procs]
    for proc, (_, stderr) in zip(procs, outcomes, strict=True):
        assert proc.returncode == 0, stderr.decode()[-2000:]
    async with db.reader() as s:
        after = await s.scalar(select(func.count()).select_from(m.Role))
    assert after - before == rounds * processes


LINK = """mutation ($input: LinkRoleInput!) { linkRole(input: $input) {
  roleLink { id } errors { code } } }"""


async def test_concurrent_identical_links_are_one_link_and_no_errors(graphql, db, ids):
    """Linking again is a no-op, also when the "again" arrives at the same moment."""
    variables = {
        "input": {
            "roleId": await ids.role("Directie"),
            "userId": await ids.user("werkgever.hr"),
            "employerId": await ids.employer(),
        }
    }
    results = await asyncio.gather(
        *(graphql(LINK, variables, as_user="kantoor.admin") for _ in range(6))
    )
    payloads = [r["data"]["linkRole"] for r in results]
    assert all(p["errors"] == [] for p in payloads), payloads
    assert len({p["roleLink"]["id"] for p in payloads}) == 1
    async with db.reader() as s:
        links = await s.scalar(
            select(func.count())
            .select_from(m.RoleLink)
            .join(m.Role, m.Role.id == m.RoleLink.role_id)
            .join(m.User, m.User.id == m.RoleLink.user_id)
            .where(m.Role.name == "Directie", m.User.username == "werkgever.hr")
        )
    assert links == 1


async def test_role_names_differing_only_in_case_cannot_both_be_created(graphql, db):
    names = ["Team0", "team0", "TEAM0", "tEaM0"]
    results = await asyncio.gather(
        *(graphql(CREATE, {"name": n}, as_user="kantoor.admin") for n in names)
    )
    created = [r for r in results if r["data"]["createRole"]["errors"] == []]
    refused = [r["data"]["createRole"]["errors"][0]["code"] for r in results if r not in created]
    assert len(created) == 1
    assert set(refused) <= {"NAME_TAKEN", "CONFLICT"}
    async with db.reader() as s:
        stored = await s.scalar(
            select(func.count()).select_from(m.Role).where(func.lower(m.Role.name) == "team0")
        )
    assert stored == 1


async def test_concurrent_switch_on_gives_one_definition_and_one_version(graphql, db, ids):
    query = """mutation ($input: SetWorkflowActiveInput!) { setWorkflowActive(input: $input) {
      definition { active currentVersion { version } } errors { code } } }"""
    variables = {
        "input": {"employerId": await ids.employer(), "type": "IBAN_UPDATE", "active": True}
    }
    results = await asyncio.gather(
        *(graphql(query, variables, as_user="werkgever.hr") for _ in range(5))
    )
    payloads = [r["data"]["setWorkflowActive"] for r in results]
    assert all(p["errors"] == [] for p in payloads), payloads
    assert {p["definition"]["currentVersion"]["version"] for p in payloads} == {1}
    async with db.reader() as s:
        versions = await s.scalar(
            select(func.count())
            .select_from(m.WorkflowDefinitionVersion)
            .join(m.WorkflowDefinition)
            .where(m.WorkflowDefinition.type == "IBAN_UPDATE")
        )
    assert versions == 1
