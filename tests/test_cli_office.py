"""`loketflow office create`: an office and its first user administrator from an empty database,
as a subprocess the way people use it (SQLite in a temporary directory, as tests/test_cli.py).

Then through the API: the new administrator's token signs in and `viewer` shows every right at
provider level."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.domain.authz import Right
from app.server import create_app
from app.settings import Settings
from tests.test_cli import assert_clean_failure, assert_ok, loketflow


@pytest.fixture(scope="module")
def office_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty database with office "Kantoor Nieuw" created once."""
    data_dir = tmp_path_factory.mktemp("office")
    assert_ok(loketflow(data_dir, "db", "upgrade"))
    first = loketflow(
        data_dir, "office", "create", "Kantoor Nieuw", "--admin", "beheer.nieuw",
        "--display-name", "Beheer Nieuw",
    )  # fmt: skip
    assert_ok(first)
    (data_dir / "first-run.txt").write_text(first.stdout, encoding="utf-8")
    return data_dir


def rows(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "loketflow.db") as conn:
        return list(conn.execute(sql))


def test_creates_the_office_and_its_administrator(office_dir: Path) -> None:
    out = (office_dir / "first-run.txt").read_text(encoding="utf-8")

    assert "Created office 'Kantoor Nieuw'" in out
    assert "Created user 'beheer.nieuw'" in out
    assert "loketflow token beheer.nieuw" in out
    [(office_id, signed)] = rows(office_dir, "SELECT id, mijnloket_addendum_signed FROM providers")
    assert not signed
    [(user_id, user_type, provider_id, employer_id, shown, active)] = rows(
        office_dir,
        "SELECT id, user_type, provider_id, employer_id, display_name, active FROM users",
    )
    assert (user_type, provider_id, employer_id, shown, active) == (
        "PROVIDER", office_id, None, "Beheer Nieuw", 1,
    )  # fmt: skip
    grants = rows(office_dir, "SELECT right, employer_id FROM right_grants")
    assert sorted(grants) == sorted((r.value, None) for r in Right)
    log = rows(
        office_dir,
        "SELECT actor_id, provider_id, action, subject_type, subject_id FROM administration_log "
        "ORDER BY id",
    )
    assert log == [
        (None, office_id, "createOffice", "Provider", office_id),
        (None, office_id, "createUser", "User", user_id),
        (None, office_id, "grantRight", "User", user_id),
    ]


def test_running_it_again_changes_nothing_and_says_so(office_dir: Path) -> None:
    before = rows(office_dir, "SELECT count(*) FROM administration_log")

    again = loketflow(office_dir, "office", "create", "Kantoor Nieuw", "--admin", "beheer.nieuw")

    assert_ok(again)
    assert again.stdout.startswith("Nothing changed")
    assert "loketflow token beheer.nieuw" in again.stdout
    assert rows(office_dir, "SELECT count(*) FROM administration_log") == before
    assert rows(office_dir, "SELECT count(*) FROM providers") == [(1,)]
    assert rows(office_dir, "SELECT count(*) FROM users") == [(1,)]


def test_an_office_with_another_administrator_is_refused(office_dir: Path) -> None:
    result = loketflow(office_dir, "office", "create", "kantoor nieuw", "--admin", "iemand")

    assert_clean_failure(result, 1)
    assert "already exists" in result.stderr and "beheer.nieuw" in result.stderr
    assert rows(office_dir, "SELECT count(*) FROM users") == [(1,)]


def test_a_username_taken_elsewhere_is_refused(office_dir: Path) -> None:
    result = loketflow(office_dir, "office", "create", "Kantoor Twee", "--admin", "beheer.nieuw")

    assert_clean_failure(result, 1)
    assert "'beheer.nieuw' is already taken" in result.stderr
    assert rows(office_dir, "SELECT count(*) FROM providers") == [(1,)]  # nothing half-made


@pytest.mark.parametrize(
    ("name", "admin", "says"),
    [("", "beheer.x", "name:"), ("Kantoor X2", "a b", "username:")],
)
def test_bad_names_are_refused(office_dir: Path, name: str, admin: str, says: str) -> None:
    result = loketflow(office_dir, "office", "create", name, "--admin", admin)

    assert_clean_failure(result, 1)
    assert says in result.stderr


def test_office_create_needs_a_migrated_database(tmp_path: Path) -> None:
    result = loketflow(tmp_path, "office", "create", "Kantoor", "--admin", "beheer")

    assert_clean_failure(result, 1)
    assert "loketflow db upgrade" in result.stderr


def test_the_administrators_token_works_and_viewer_shows_the_rights(office_dir: Path) -> None:
    token = loketflow(office_dir, "token", "beheer.nieuw")
    assert_ok(token)
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{office_dir / 'loketflow.db'}",
        data_dir=office_dir,
        rate_limit_mutations_per_minute=0,
    )
    query = """{ viewer { username userType displayName rights employers { name } } }"""
    create = """mutation { createEmployer(input: {name: "Eerste Klant B.V."}) {
      employer { name } errors { code } } }"""

    async def ask() -> tuple[dict, dict, dict]:
        app = create_app(settings)
        headers = {"Authorization": f"Bearer {token.stdout.strip()}"}
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                before = await client.post("/graphql", json={"query": query}, headers=headers)
                created = await client.post("/graphql", json={"query": create}, headers=headers)
                after = await client.post("/graphql", json={"query": query}, headers=headers)
        return before.json(), created.json(), after.json()

    before, created, after = asyncio.run(ask())

    viewer = before["data"]["viewer"]
    assert (viewer["username"], viewer["userType"], viewer["displayName"]) == (
        "beheer.nieuw", "PROVIDER", "Beheer Nieuw",
    )  # fmt: skip
    assert viewer["rights"] == [r.value for r in Right]
    assert viewer["employers"] == []
    assert created["data"]["createEmployer"] == {
        "employer": {"name": "Eerste Klant B.V."}, "errors": [],
    }  # fmt: skip
    assert after["data"]["viewer"]["employers"] == [{"name": "Eerste Klant B.V."}]
