"""The `loketflow` command: serve, migrate, load the demo, set up an office, issue dev tokens,
print the schema.

Expected failures (bad configuration, an unmigrated database, an unknown user) end with one line
on stderr and a non-zero exit code, never a stack trace: exit 2 for configuration, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import NoReturn, TypeVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from app.db.session import Database
from app.settings import ConfigurationError, Settings, get_settings

T = TypeVar("T")


class CommandError(Exception):
    """An expected failure: the message is for the person at the terminal."""

    def __init__(self, message: str, exit_code: int = 1):
        super().__init__(message)
        self.exit_code = exit_code


def _run_with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work(db)` in a fresh event loop; the database is always disposed afterwards."""

    async def _main() -> T:
        db = Database(settings)
        try:
            return await work(db)
        finally:
            await db.dispose()

    try:
        return asyncio.run(_main())
    except (SQLAlchemyError, OSError) as exc:
        detail = getattr(exc, "orig", None) or exc
        raise CommandError(f"database error ({_database_label(settings)}): {detail}") from exc


async def _require_migrated(db: Database) -> None:
    from app.db.migrate import pending_revisions

    if await pending_revisions(db.engine):
        raise CommandError(
            "the database schema is not up to date: run `loketflow db upgrade` first"
        )


def _database_label(settings: Settings) -> str:
    """The database URL without its password, for messages."""
    try:
        return make_url(settings.sqlalchemy_url).render_as_string(hide_password=True)
    except ArgumentError:
        return "unparseable LOKETFLOW_DATABASE_URL"


# Commands


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    from app.web.observability import configure_logging

    settings = get_settings()
    settings.check_for_serving()
    configure_logging(settings.log_level)
    # Say it here in one line; the server itself would refuse in its lifespan, less readably.
    _run_with_database(settings, _require_migrated)
    if not settings.is_production:
        host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
        if ":" in host:
            host = f"[{host}]"
        print(f"GraphiQL: http://{host}:{args.port}/graphql", flush=True)
    from app.server import server_options

    uvicorn.run(
        "app.server:create_app",
        **server_options(settings),  # compression; proxy headers as app/web/proxies.py reads them
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        lifespan="on",
        log_config=None,  # our JSON logging (app/web/observability.py), also for uvicorn's loggers
        # SIGTERM: stop accepting, let requests and subscriptions end, then the lifespan stops
        # the workers (the publisher sends what committed last).
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    from app.db.migrate import upgrade

    async def _upgrade(db: Database) -> None:
        await upgrade(db.write_engine)

    settings = get_settings()
    _run_with_database(settings, _upgrade)
    print(f"Database upgraded to the latest schema: {_database_label(settings)}")


def cmd_demo_load(args: argparse.Namespace) -> None:
    from app.demo.base import load_demo
    from app.demo.history import load_demo_history

    async def _load(db: Database):
        await _require_migrated(db)
        async with db.writer() as session:
            # One transaction: the history needs the demo it is built on.
            summary = await load_demo(session)
            return summary, await load_demo_history(session)

    summary, requests = _run_with_database(get_settings(), _load)
    counts = dataclasses.asdict(summary) if dataclasses.is_dataclass(summary) else vars(summary)
    counts["requests"] = requests
    print("Demo geladen / demo loaded: " + ", ".join(f"{k}={v}" for k, v in counts.items()))


def cmd_token(args: argparse.Namespace) -> None:
    from app.db.models import User
    from app.web.auth import issue_token

    settings = get_settings()
    # Issue first: without a signing secret (production with JWKS only) this is a
    # configuration error, whatever the database says.
    token = issue_token(settings, args.username, ttl_minutes=args.ttl_minutes)

    async def _active(db: Database) -> bool | None:
        await _require_migrated(db)
        async with db.reader() as session:
            return await session.scalar(select(User.active).where(User.username == args.username))

    active = _run_with_database(settings, _active)
    if active is None:
        raise CommandError(f"unknown user {args.username!r}: no user with this username")
    if not active:
        raise CommandError(f"user {args.username!r} is deactivated: its token would sign in nobody")
    print(token)


def cmd_office_create(args: argparse.Namespace) -> None:
    from app.db.offices import create_office
    from app.db.transaction import in_transaction
    from app.domain.errors import DomainError
    from app.domain.offices import SetupRefused

    async def _create(db: Database):
        await _require_migrated(db)
        return await in_transaction(
            db, lambda session: create_office(session, args.name, args.admin, args.display_name)
        )

    try:
        setup = _run_with_database(get_settings(), _create)
    except SetupRefused as exc:
        raise CommandError(str(exc)) from exc
    except DomainError as exc:
        raise CommandError(f"{'.'.join(exc.field or ['input'])}: {exc.message}") from exc
    office, user = f"office {setup.office_name!r}", f"user {setup.username!r}"
    if not setup.changed:
        print(f"Nothing changed: {office} and its administrator {setup.username!r} exist.")
    if setup.created_office:
        print(f"Created {office}.")
    if setup.created_user:
        print(f"Created {user} (provider user, display name {setup.display_name!r}).")
    if setup.granted:
        rights = ", ".join(r.value for r in setup.granted)
        print(f"Granted {user} at provider level: {rights}.")
    print(f"Sign in as {setup.username!r}: loketflow token {setup.username}")


def cmd_schema(args: argparse.Namespace) -> None:
    from app.schema import schema

    sdl = str(schema) + "\n"
    if args.output is None:
        sys.stdout.write(sdl)
        return
    try:
        Path(args.output).write_text(sdl, encoding="utf-8", newline="\n")
    except OSError as exc:
        raise CommandError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    print(f"Wrote {args.output}", file=sys.stderr)


# Argument parsing


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loketflow",
        description="GraphQL service for the approval workflows of a payroll administration.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the GraphQL API (and GraphiQL in development)")
    serve.add_argument(
        "--host", default="127.0.0.1", help="interface to bind (default: %(default)s)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: %(default)s)")
    serve.add_argument(
        "--workers", type=_positive_int, default=1, help="worker processes (default: %(default)s)"
    )
    serve.add_argument("--reload", action="store_true", help="restart when the code changes")
    serve.set_defaults(handler=cmd_serve)

    db = commands.add_parser("db", help="`db upgrade`: migrate the database to the latest schema")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    db_commands.add_parser(
        "upgrade", help="migrate the database to the latest schema"
    ).set_defaults(handler=cmd_db_upgrade)

    demo = commands.add_parser("demo", help="`demo load`: load the demo data (idempotent)")
    demo_commands = demo.add_subparsers(dest="demo_command", required=True, metavar="COMMAND")
    demo_commands.add_parser(
        "load", help="load the demo office, employer, users and workflows (idempotent)"
    ).set_defaults(handler=cmd_demo_load)

    token = commands.add_parser("token", help="print a development sign-in token for a user")
    token.add_argument("username", metavar="USERNAME", help="the user's username (token sub)")
    token.add_argument(
        "--ttl-minutes",
        type=_positive_int,
        metavar="N",
        help="lifetime in minutes (default: LOKETFLOW_TOKEN_TTL_MINUTES, 480)",
    )
    token.set_defaults(handler=cmd_token)

    office = commands.add_parser("office", help="`office create`: set up an office (idempotent)")
    office_commands = office.add_subparsers(dest="office_command", required=True, metavar="COMMAND")
    create = office_commands.add_parser(
        "create", help="create an office and its first user administrator (idempotent)"
    )
    create.add_argument("name", metavar="NAME", help="the office's name")
    create.add_argument(
        "--admin", required=True, metavar="USERNAME", help="username of its first administrator"
    )
    create.add_argument(
        "--display-name", metavar="TEXT", help="the administrator's name (default: the username)"
    )
    create.set_defaults(handler=cmd_office_create)

    schema = commands.add_parser("schema", help="print or write the GraphQL schema (SDL)")
    schema.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    schema.set_defaults(handler=cmd_schema)
    return parser


def _fail(message: str, exit_code: int) -> NoReturn:
    print(f"loketflow: {message}", file=sys.stderr)
    sys.exit(exit_code)


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except ConfigurationError as exc:
        _fail(str(exc), 2)
    except ValidationError as exc:
        _fail(f"invalid settings (LOKETFLOW_*): {exc}", 2)
    except CommandError as exc:
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
