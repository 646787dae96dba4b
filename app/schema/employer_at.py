"""Where a permission's right applies: the `at` functions (app/schema/permissions.py).

- `PROVIDER_LEVEL`: the right must be held at provider level;
- `SOURCE_EMPLOYER`: the employer of the object the field sits on (sync);
- `argument_employer(...)`: from a query argument (sync);
- `input_employer(...)` / `input_object(...)`: from the mutation input, loaded under scoping (async,
  for mutations only). An object the caller cannot see is NOT_FOUND, never FORBIDDEN, so that
  probing ids reveals nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from app.db import models as m
from app.db.reads import visible_employer_id
from app.domain.authz import Principal, Right
from app.domain.errors import NotFound
from app.schema.ids import decode_id

At = Callable[[Any, Any, dict[str, Any]], Any]


def PROVIDER_LEVEL(info, source, kwargs) -> None:
    return None


# Where an `at` asks for the right, in the words of a field's description (`level_of`).
PROVIDER_LEVEL.level = "provider"  # type: ignore[attr-defined]


def level_of(at: At) -> str:
    """ "provider", "employer (or provider)" or "employer": what `requires` says about `at`."""
    return getattr(at, "level", "employer")


def SOURCE_EMPLOYER(info, source, kwargs) -> int:
    return source.id if isinstance(source, m.Employer) else source.employer_id


def _missing(what: str) -> NotFound:
    return NotFound(f"{what} niet gevonden.")


def reachable_employer(principal: Principal, value: str | None) -> int:
    """The employer an `employerId` names, if the principal can reach it; else NOT_FOUND."""
    pk = decode_id(value or "", "Employer")
    if pk is None or pk not in principal.reachable_employer_ids:
        raise _missing("Werkgever")
    return pk


def reachable_from(info, value: str | None) -> int:
    return reachable_employer(info.context.require_principal(), value)


def input_employer(field: str = "employer_id") -> Callable[..., Awaitable[int]]:
    """The employer named by `input.<field>`, which the caller must be able to reach."""

    async def at(info, source, kwargs) -> int:
        return reachable_from(info, getattr(kwargs["input"], field))

    return at


def argument_employer(name: str = "employer_id") -> At:
    """The employer named by a query argument, which the caller must be able to reach (sync)."""

    def at(info, source, kwargs) -> int:
        return reachable_from(info, kwargs.get(name))

    return at


def input_employer_or_provider(field: str = "employer_id") -> Callable[..., Awaitable[int | None]]:
    """Like `input_employer`, but an absent employer means the right is asked at provider level."""
    at_employer = input_employer(field)

    async def at(info, source, kwargs) -> int | None:
        if getattr(kwargs["input"], field) is None:
            return None
        return await at_employer(info, source, kwargs)

    at.level = "employer (or provider)"  # type: ignore[attr-defined]
    return at


def input_definition_employer(field: str = "definition_id") -> Callable[..., Awaitable[int]]:
    """The employer of the workflow definition named by `input.<field>`."""
    from app.db.queries.definitions import parse_definition_key
    from app.schema.ids import decode_key

    async def at(info, source, kwargs) -> int:
        parsed = parse_definition_key(
            decode_key(getattr(kwargs["input"], field), "WorkflowDefinition") or ""
        )
        if parsed is None or parsed[0] not in info.context.principal.reachable_employer_ids:
            raise _missing("Workflow")
        return parsed[0]

    return at


def input_object(
    model: type,
    type_name: str,
    field: str,
    what: str,
    right: Right | tuple[Right, ...] | None = None,
):
    """The employer of the object named by `input.<field>`, read under scoping. Make sure that
    `right` lets everyone see the object who can see it elsewhere: a visible object must give
    FORBIDDEN, not NOT_FOUND."""

    async def at(info, source, kwargs) -> int:
        pk = decode_id(getattr(kwargs["input"], field), type_name)
        if pk is None:
            raise _missing(what)
        ctx = info.context
        employer_id = await visible_employer_id(ctx, ctx.principal, model, pk, right)
        if employer_id is None:
            raise _missing(what)
        return employer_id

    return at
