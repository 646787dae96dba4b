"""The `loketflow` command, run as a subprocess the way people and `make run` use it.

Always SQLite in a temporary directory: these tests are about the command line, not the database.
No server is ever started; `serve` is only exercised on a path that refuses before binding.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jwt
import pytest

REPO = Path(__file__).resolve().parents[1]


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOKETFLOW_")}
    env["PYTHONPATH"] = str(REPO)
    env["LOKETFLOW_DATA_DIR"] = str(data_dir)
    env["LOKETFLOW_DATABASE_URL"] = f"sqlite:///{data_dir / 'loketflow.db'}"
    env.update(extra)
    return env


def loketflow(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # cwd is the data directory, so that a developer's .env in the repository cannot interfere.
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=data_dir,
        env=cli_env(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stderr


def assert_clean_failure(result: subprocess.CompletedProcess[str], exit_code: int) -> None:
    assert result.returncode == exit_code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the demo loaded once."""
    data_dir = tmp_path_factory.mktemp("cli")
    assert_ok(loketflow(data_dir, "db", "upgrade"))
    assert_ok(loketflow(data_dir, "demo", "load"))
    return data_dir


def test_help_lists_every_command(tmp_path: Path) -> None:
    result = loketflow(tmp_path, "--help")

    assert_ok(result)
    for command in ("serve", "db", "demo", "token", "schema"):
        assert command in result.stdout


def test_db_upgrade_is_repeatable_and_names_the_database(tmp_path: Path) -> None:
    first = loketflow(tmp_path, "db", "upgrade")
    second = loketflow(tmp_path, "db", "upgrade")

    assert_ok(first)
    assert_ok(second)
    assert str(tmp_path / "loketflow.db") in first.stdout


def test_db_upgrade_hides_the_password(tmp_path: Path) -> None:
    # Nothing listens on port 1: the upgrade fails, and the message must not leak the password.
    result = loketflow(
        tmp_path,
        "db",
        "upgrade",
        LOKETFLOW_DATABASE_URL="postgresql://loket:geheim@127.0.0.1:1/loketflow",
    )

    assert_clean_failure(result, 1)
    assert "geheim" not in result.stderr
    assert "loket:***@127.0.0.1:1/loketflow" in result.stderr


def test_demo_load_is_idempotent(demo_dir: Path) -> None:
    again = loketflow(demo_dir, "demo", "load")

    assert_ok(again)
    assert again.stdout.strip()


def test_demo_load_needs_a_migrated_database(tmp_path: Path) -> None:
    result = loketflow(tmp_path, "demo", "load")

    assert_clean_failure(result, 1)
    assert "loketflow db upgrade" in result.stderr


def test_token_prints_only_a_jwt_for_the_user(demo_dir: Path) -> None:
    first = loketflow(demo_dir, "token", "werkgever.hr")
    secret = (demo_dir / "jwt-secret").read_text(encoding="utf-8").strip()
    second = loketflow(demo_dir, "token", "werkgever.hr", "--ttl-minutes", "5")

    assert_ok(first)
    assert_ok(second)
    token = first.stdout.strip()
    assert first.stdout == token + "\n"  # usable as TOKEN=$(loketflow token werkgever.hr)
    assert jwt.decode(token, secret, algorithms=["HS256"])["sub"] == "werkgever.hr"
    # The second call signs with the same secret file, and honours the lifetime.
    claims = jwt.decode(second.stdout.strip(), secret, algorithms=["HS256"])
    assert claims["sub"] == "werkgever.hr"
    assert claims["exp"] - claims["iat"] == 5 * 60
    assert (demo_dir / "jwt-secret").read_text(encoding="utf-8").strip() == secret


def test_token_for_an_unknown_user_fails(demo_dir: Path) -> None:
    result = loketflow(demo_dir, "token", "nobody")

    assert_clean_failure(result, 1)
    assert "unknown user" in result.stderr
    assert "nobody" in result.stderr


def test_token_without_a_signing_secret_is_a_configuration_error(demo_dir: Path) -> None:
    result = loketflow(
        demo_dir,
        "token",
        "werkgever.hr",
        LOKETFLOW_ENV="production",
        LOKETFLOW_JWT_JWKS_URL="https://idp.example/jwks.json",
        LOKETFLOW_JWT_ALGORITHM="RS256",
    )

    assert_clean_failure(result, 2)
    assert "LOKETFLOW_JWT_SECRET" in result.stderr


def test_serve_refuses_production_without_a_secret(tmp_path: Path) -> None:
    result = loketflow(tmp_path, "serve", "--port", "0", LOKETFLOW_ENV="production")

    assert_clean_failure(result, 2)
    assert "LOKETFLOW_JWT_SECRET" in result.stderr


def test_schema_output_matches_stdout(tmp_path: Path) -> None:
    printed = loketflow(tmp_path, "schema")
    written = loketflow(tmp_path, "schema", "--output", str(tmp_path / "schema.graphql"))

    assert_ok(printed)
    assert_ok(written)
    sdl = (tmp_path / "schema.graphql").read_text(encoding="utf-8")
    assert sdl == printed.stdout
    assert sdl.endswith("\n") and not sdl.endswith("\n\n")
    assert "type Query" in sdl
