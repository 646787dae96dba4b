"""Opaque global IDs: base64url of "Type:key". Clients must not build or parse them.

The key is a row's integer primary key, or for objects that exist before any row does (a
workflow definition is there for every employer and type) a short composite key.
"""

from __future__ import annotations

import base64
import binascii
import re

from app.domain.errors import invalid_id

_KEY = re.compile(r"[A-Za-z0-9_.-]{1,60}")


def to_global_id(type_name: str, key: int | str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")


def from_global_id(value: str) -> tuple[str, str]:
    """(type name, key); ValueError for anything that is not one of our IDs."""
    if not isinstance(value, str) or not 0 < len(value) <= 200:
        raise ValueError("not a global id")
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("not a global id") from exc
    type_name, sep, key = raw.partition(":")
    if not sep or not type_name.isidentifier() or not _KEY.fullmatch(key):
        raise ValueError("not a global id")
    return type_name, key


def decode_id(value: str, expected: str) -> int | None:
    """The integer primary key if `value` is an ID of type `expected`, else None."""
    key = decode_key(value, expected)
    if key is None or not key.isdigit() or len(key) > 10:
        return None
    pk = int(key)
    # Primary keys are 32-bit integers: a larger number names nothing (and must not reach the
    # database driver, which would refuse it with an error instead of "not found").
    return pk if pk < 2**31 else None


def decode_key(value: str, expected: str) -> str | None:
    try:
        type_name, key = from_global_id(value)
    except ValueError:
        return None
    return key if type_name == expected else None


def input_pk(value: str | None, type_name: str, field: str) -> int:
    """The primary key behind an ID in a mutation's input, or an INVALID_ID error on `field`."""
    pk = decode_id(value, type_name) if value is not None else None
    if pk is None:
        raise invalid_id(type_name, field)
    return pk
