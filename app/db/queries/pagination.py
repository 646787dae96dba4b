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
from typing import Any, Protocol, TypeAlias

from sqlalchemy import ColumnElement, func, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute

from app.db.session import AnySelect
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
    if kind is str and isinstance(value, str) and (len(value) > MAX_TEXT or "\x00" in value):
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


# A column to sort and page on: a mapped attribute or an expression.
OrderColumn: TypeAlias = ColumnElement[Any] | InstrumentedAttribute[Any]


class Reader(Protocol):
    """What pagination needs to read: the request context's serialized helpers."""

    async def scalars(self, stmt: AnySelect) -> list[Any]: ...

    async def scalar(self, stmt: AnySelect) -> Any: ...


def _after(
    order: Sequence[OrderColumn],
    values: Sequence[Any],
    descending: bool,
    pinned: Sequence[Any],
) -> list[ColumnElement[bool]]:
    """The rows after the cursor's `values` in `order`. A cursor whose leading values are not
    the pinned ones (made on another list) keeps the whole comparison: the same rows, any plan.

    A row comparison `(a, b, c) < (x, y, z)` is written `<= ... AND <> ...` (the same rows):
    PostgreSQL estimates it as its first column alone, and `a < x` finds no rows when `x` is
    the last value of `a` (the last status of a list sorted by status), so that sorting every
    later row looks cheaper than the index walk in order; `a <= x` counts them."""
    skip = len(pinned) if list(values[: len(pinned)]) == list(pinned) else 0
    columns, values = order[skip:], values[skip:]
    if len(columns) == 1:
        bound = [columns[0] < values[0] if descending else columns[0] > values[0]]
    else:
        row, cursor = tuple_(*columns), tuple_(*values)
        bound = [row <= cursor if descending else row >= cursor, row != cursor]
    return bound


async def keyset_page(
    reader: Reader,
    stmt: AnySelect,
    order: Sequence[OrderColumn],
    key: Callable[[Any], Sequence[Any]],
    *,
    first: int | None,
    after: str | None,
    descending: bool = False,
    pinned: Sequence[Any] = (),
    implied: Callable[[Sequence[Any]], Sequence[ColumnElement[bool]]] | None = None,
    paged: Callable[[Sequence[Any] | None], AnySelect] | None = None,
    tag: str | None = None,
) -> Page:
    """One page of `stmt` (already scoped and filtered) in the order of the `order` columns.

    `key(row)` gives the row's values of the `order` columns; they must end in a unique column.
    `pinned`: the values the first order columns take in every row, because `stmt` says so
    (`status = 'IN_PROGRESS'` when sorting by status on the open tab). A cursor carrying them is
    bound on the other columns alone: the planner then sees the equality and a range on the
    next column; a row comparison that starts at the pinned column is no index range after an
    equality on it (SQLite walks past the pinned value, then sorts).
    `implied(values)`: conditions the bound implies, stated for the planner, so that each
    index walk of a join starts where the last page ended (the outer table's columns alone; the
    inner walk's own range).
    `paged(values)` builds the page's statement itself, bounded after the cursor's `values`
    (None: page 1) and in `order`, when the bound belongs inside it (a LATERAL sub-query);
    `stmt` is then what `count()` counts.
    `tag` names the order inside the cursor, so that a cursor of another order is refused.
    """
    size = page_size(first)
    values = None
    if after is not None:
        kinds = [c.type.python_type for c in order]
        if tag is None:
            values = decode_cursor(after, kinds)
        else:
            found, *values = decode_cursor(after, [str, *kinds])
            if found != tag:
                raise InvalidArgument("Deze cursor ('after') hoort bij een andere sortering.")
    if paged is not None:
        bounded = paged(values)
    else:
        bounded = stmt
        if values is not None:
            bounded = bounded.where(*_after(order, values, descending, pinned))
            bounded = bounded.where(*(implied(values) if implied else ()))
        bounded = bounded.order_by(*(c.desc() if descending else c.asc() for c in order))
    rows = await reader.scalars(bounded.limit(size + 1))

    async def count() -> int:
        total: int = await reader.scalar(
            select(func.count()).select_from(stmt.order_by(None).subquery())
        )
        return total

    return Page(
        rows=rows[:size],
        cursors=[encode_cursor(key(r) if tag is None else (tag, *key(r))) for r in rows[:size]],
        has_next_page=len(rows) > size,
        count=count,
    )
