"""Where a user mutation asks for its right: where the user named by the input belongs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from app.db.users import employer_level
from app.domain.errors import NotFound
from app.schema.ids import decode_id


def input_user(field: str = "user_id") -> Callable[..., Awaitable[int | None]]:
    """The employer of the user named by `input.<field>` (employer users, department managers),
    or None, provider level (provider users, MijnLoket accounts). A user the caller cannot see
    is NOT_FOUND."""

    async def at(info, source, kwargs) -> int | None:
        pk = decode_id(getattr(kwargs["input"], field), "User")
        ctx = info.context
        found, employer_id = (
            (False, None) if pk is None else await employer_level(ctx, ctx.principal, pk)
        )
        if not found:
            raise NotFound("Gebruiker niet gevonden.")
        return employer_id

    return at
