"""The one mutation runner: a use case in one transaction, its expected failures as data.

A mutation's resolver names its use case (a top-level function `(session, principal, command)`
in app/resolvers), the plain command built from the input, its payload type and how a result
becomes the payload's fields. Here, once for all of them: the transaction (app/db/transaction),
forgetting what the request read before the write, waking the event publisher, and turning a
`DomainError` into the payload's `errors` (nothing of the transaction is kept then).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import strawberry

from app.db.transaction import in_transaction
from app.domain.authz import Principal
from app.domain.errors import DomainError
from app.schema.errors import UserError

C = TypeVar("C")
T = TypeVar("T")
P = TypeVar("P")

UseCase = Callable[[Any, Principal, C], Awaitable[T]]


async def write(info: strawberry.Info, work: Callable[[Any, Principal], Awaitable[T]]) -> T:
    """Run `work(session, principal)` in one write transaction, then make the request's later
    reads see it and have its events published now. A `DomainError` passes through."""
    ctx = info.context
    principal = ctx.require_principal()
    result = await in_transaction(ctx.db, lambda session: work(session, principal))
    await ctx.after_write()
    ctx.wake_publisher()
    return result


async def mutate(
    info: strawberry.Info,
    use_case: UseCase[C, T],
    command: C | Callable[[], C],
    payload: Callable[..., P],
    fields: Callable[[T], Mapping[str, Any] | Awaitable[Mapping[str, Any]]],
) -> P:
    """`payload(**fields(result), errors=[])`, or `payload(errors=[...])` when the use case (or
    building its command: a callable `command` is called here) refuses with a `DomainError`."""
    try:
        plain = command() if callable(command) else command
        result = await write(info, lambda session, principal: use_case(session, principal, plain))
    except DomainError as error:
        return failed(payload, error)
    done = fields(result)
    if inspect.isawaitable(done):
        done = await done
    return payload(**done, errors=[])


def failed(payload: Callable[..., P], error: DomainError) -> P:
    return payload(errors=[UserError.of(error)])
