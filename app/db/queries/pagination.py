"""Keyset pagination: the next page continues after the last row's sort key, so page 20,000
costs what page 1 costs (no OFFSET). Cursors carry the sort key, opaque to clients."""

from __future__ import annotations

import base64
import datetime as dt
import enum
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, func, select, tuple_

from app.domain.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise InvalidArgument(f"'first' moet tussen 1 en {MAX_PAGE_SIZE} liggen.")
    return first


def _to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


# What a database column can hold: a forged cursor outside these is the client's error, never
# the driver's ("out of int32 range", "date value out of range", a NUL byte in text).
INT_RANGE = range(-(2**31), 2**31)
EARLIEST = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)
MAX_TEXT = 500


def _from_json(value: Any, kind: type) -> Any:
    """The cursor value as the column's Python type; ValueError when it is not one."""
    if kind is dt.datetime:
        moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        if moment is None or moment.tzinfo is None or not EARLIEST <= moment <= LATEST:
            raise ValueError(value)
        return moment.astimezone(dt.UTC)
    if kind is dt.date:
        if not isinstance(value, str):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    if kind is Decimal and isinstance(value, (str, int)) and not isinstance(value, bool):
        number = Decimal(value)
        if not number.is_finite() or not -(10**12) < number < 10**12:  # abs() can overflow
            raise ValueError(value)
        return number
    if type(value) is not kind:  # bool is an int to isinstance: be exact
        raise ValueError(value)
    if kind is int and value not in INT_RANGE:
        raise ValueError(value)
    if kind is str and (len(value) > MAX_TEXT or "\x00" in value):
        raise ValueError(value)
    return value


def encode_cursor(key: Sequence[Any]) -> str:
    text = json.dumps([_to_json(v) for v in key], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode()


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any]:
    """The sort key in a cursor, each value checked against its column's type: a forged cursor
    is the client's error (BAD_USER_INPUT), never a database error."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(key, list) or len(key) != len(kinds):
            raise ValueError(key)
        return [_from_json(v, k) for v, k in zip(key, kinds, strict=True)]
    except (ValueError, TypeError, ArithmeticError) as exc:
        raise InvalidArgument("Ongeldige cursor ('after').") from exc


@dataclass
class Page:
    rows: list[Any]
    cursors: list[str]
    has_next_page: bool
    count: Callable[[], Awaitable[int]]


class Reader(Protocol):
    """What pagination needs to read: the request context's serialized helpers."""

    async def scalars(self, stmt: Select) -> list[Any]: ...

    async def scalar(self, stmt: Select) -> Any: ...


async def keyset_page(
    reader: Reader,
    stmt: Select,
    order: Sequence[ColumnElement],
    key: Callable[[Any], Sequence[Any]],
    *,
    first: int | None,
    after: str | None,
    descending: bool = False,
    lead_bound: bool = False,
    tag: str | None = None,
) -> Page:
    """One page of `stmt` (already scoped and filtered) in the order of the `order` columns.

    `key(row)` gives the row's values of the `order` columns; they must end in a unique column.
    `lead_bound` repeats the bound on the first column alone (implied by the row comparison):
    a planner can then start an index walk on that column where the last page ended.
    `tag` names the order inside the cursor, so that a cursor of another order is refused.
    """
    size = page_size(first)
    paged = stmt
    if after is not None:
        kinds = [c.type.python_type for c in order]
        if tag is None:
            values = decode_cursor(after, kinds)
        else:
            found, *values = decode_cursor(after, [str, *kinds])
            if found != tag:
                raise InvalidArgument("Deze cursor ('after') hoort bij een andere sortering.")
        bound = tuple_(*order)
        paged = paged.where(bound < tuple_(*values) if descending else bound > tuple_(*values))
        if lead_bound:
            lead = order[0]
            paged = paged.where(lead <= values[0] if descending else lead >= values[0])
    paged = paged.order_by(*(c.desc() if descending else c.asc() for c in order)).limit(size + 1)
    rows = await reader.scalars(paged)

    async def count() -> int:
        return await reader.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))

    return Page(
        rows=rows[:size],
        cursors=[encode_cursor(key(r) if tag is None else (tag, *key(r))) for r in rows[:size]],
        has_next_page=len(rows) > size,
        count=count,
    )
