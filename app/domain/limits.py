"""How much one mutation may be asked to do at once, and how long an invitation link's token may
be: bounds the schema's descriptions and the query cost (app/schema/list_bounds.py) name too."""

from __future__ import annotations

from app.domain.errors import DomainError, ErrorCode

MAX_BULK = 100  # tasks approved at once (approveTasks)
MAX_BATCH = 500  # expense claims booked at once (processExpenseClaims)
MAX_PEOPLE = 1000  # people moved to MijnLoket in one collective action
MAX_TOKEN = 200  # characters of an invitation link's token; a longer one is never ours


def choose(count: int, most: int, things: str, field: str) -> None:
    """INVALID_VALUE on `field` unless 1 to `most` `things` were chosen."""
    if not 1 <= count <= most:
        raise DomainError(ErrorCode.INVALID_VALUE, f"Kies 1 tot {most} {things}.", [field])


def is_link_token(token: str | None) -> bool:
    """Whether `token` can be an invitation link's token at all (worth looking up)."""
    return bool(token) and len(token or "") <= MAX_TOKEN


def link_token(token: str | None) -> str:
    """The token of an invitation link, or INVALID_TOKEN before anything is read."""
    if token is None or not is_link_token(token):
        raise DomainError(ErrorCode.INVALID_TOKEN, "Deze link is ongeldig.", ["token"])
    return token
