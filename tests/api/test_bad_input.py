"""Bad input everywhere (issue 8, point 5): every mutation, found in the schema at test time,
gets random and adversarial input from Hypothesis, posted over HTTP as a user who may call it.

Whatever comes in, the answer is a UserError with a known code and a Dutch message, a GraphQL
validation error, or an access error (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND); never a crash
(no INTERNAL_SERVER_ERROR, no exception text, no exception in the server's log). A refused
request leaves the database exactly as it was (a fingerprint of every row of every table).

The inputs are derived from the input types: strings (empty, blank, 10^5 characters, RTL,
emoji, NUL, control characters, lone surrogates, SQL- and HTML-ish), ids (garbage, other types,
huge and negative keys, objects of another office), numbers (0, negative, 2**31, 2**63, NaN,
1e400, -0), dates (year 1 and 9999, impossible dates), enums, and for fields whose name says
what they hold: payroll periods, IBANs, postcodes, house numbers, e-mail addresses. They are
mixed with valid values from the demo (ids of its employer, employees, users, roles, components,
open tasks, an invitation token), so that the checks deep in the resolvers are reached: each
example either breaks one field (its "plan" names it) or breaks fields at random, more or less
often. Before the random examples, each mutation is called once anonymously and, from each of
its users, with each scalar field in turn set to a few values known to be nasty
(`SINGLE_FAULTS`), the other fields valid.

The app runs without its lifespan: no background worker changes the database between the two
fingerprints. A successful export or migration is then run by hand, and must not fail.

LOKETFLOW_BAD_INPUT_EXAMPLES sets the examples per mutation (default 20) for a longer hunt.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import os
import re
import sqlite3
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)
from graphql.pyutils import Undefined
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.db import models as m
from app.domain.authz import Right, UserType
from app.domain.catalogue import Product, WorkflowType
from app.domain.errors import AccessError, ErrorCode
from app.domain.validation import Unit
from app.schema import schema
from app.schema.ids import from_global_id, to_global_id
from app.server import create_app
from app.workers.collective import CollectiveWorker
from tests import factories

MUTATION_FIELDS: dict[str, GraphQLField] = dict(schema._schema.mutation_type.fields)
EXAMPLES = int(os.environ.get("LOKETFLOW_BAD_INPUT_EXAMPLES", "20"))
ACCESS_CODES = {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND"}
KNOWN_CODES = {c.value for c in ErrorCode}
APP_DIR = Path(__file__).resolve().parents[2] / "app"
# What a crash leaves in a message: exception names, tracebacks, SQL and driver wording.
LEAK = re.compile(
    r"Traceback|File \"|[A-Za-z]+(Error|Exception)\b|sqlalchemy|asyncpg|aiosqlite|psycopg|"
    r"\bSELECT\b|\bINSERT\b|\bUPDATE\b|NoneType|object has no attribute|invalid literal|"
    r"codec can't|out of range|violates|\(Background on this error"
)


# --- Who calls what -------------------------------------------------------------------------

TASK_ACTORS = ["manager.verkoop", "werkgever.hr", "kantoor.salaris"]
EDITORS = ["werkgever.hr", "kantoor.admin"]
ACTORS: dict[str, list[str | None]] = {
    "setDeviatingApprover": EDITORS,
    "setWorkflowActive": EDITORS,
    "setEmployeeComponentSet": EDITORS,
    "setComponentLabel": EDITORS,
    "createComponentSet": EDITORS,
    "updateComponentSet": EDITORS,
    "setDefaultComponentSet": EDITORS,
    "addComponent": EDITORS,
    "updateComponent": EDITORS,
    "archiveComponent": EDITORS,
    "updateWorkflowSteps": EDITORS,
    "activateMijnLoket": [None, "wn001"],  # registering needs no sign-in
    "submitContractExtension": ["werkgever.hr", "manager.verkoop"],
    "submitEmploymentTermination": ["werkgever.hr", "manager.verkoop"],
    "withdrawRequest": ["wn001"],
    "completeTask": TASK_ACTORS,
    "approveTask": TASK_ACTORS,
    "rejectTask": TASK_ACTORS,
    "commentOnTask": TASK_ACTORS,
    "approveTasks": TASK_ACTORS,
    "processExpenseClaims": ["werkgever.hr", "kantoor.salaris"],
    "exportProcessOverview": ["werkgever.hr", "kantoor.admin"],
}


def actors_of(name: str) -> list[str | None]:
    if name in ACTORS:
        return ACTORS[name]
    if name.startswith("submit"):
        return ["wn001"]  # self-service: the employee's own request
    return ["kantoor.admin"]  # administration: every right at provider level


# --- Strategies -----------------------------------------------------------------------------


def weighted(*pairs: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """`one_of` with weights; it shrinks towards the first branch (put the valid values first)."""
    total = sum(w for w, _ in pairs)

    def branch(i: int) -> st.SearchStrategy:
        for w, strategy in pairs:
            if i < w:
                return strategy
            i -= w
        raise AssertionError(i)

    return st.integers(0, total - 1).flatmap(branch)


def one(*values) -> st.SearchStrategy:
    return st.sampled_from(values)


RTL = "\u202eلا تغيير\u202c עברית"
HUGE = 100_000
# Kinds of bad text, equally likely (one list would make each rare value very rare).
adversarial_text = st.one_of(
    one("", " ", "   \t\n  ", "\u00a0\u2003", "\u200b"),  # blank, or only odd spaces
    one("a" * HUGE, "é" * HUGE, "😀" * 20_000, "9" * 400, "x" * 101, "x" * 501),  # long
    one(RTL, "abc\u202edef", "\u2066isolate\u2069", "👨‍👩‍👧‍👦🏳️‍🌈", "e\u0301", "ＦＵＬＬ", "İß ﬀ"),
    one("\x00", "a\x00b", "\x01\x02\x1b[31m\x7f", "regel 1\nregel 2", "tab\there", "\r\n"),
    one("\ud800", "x\udfffy", "\udc00\ud800"),  # lone surrogates (travel as JSON escapes)
    one("'; DROP TABLE users; --", "' OR '1'='1", "%", "_", "\\", "%%_\\%", "<script>x</script>")
    | one("&amp;&#0;", "{0}%s%n${jndi:ldap://x}", "null", "NaN"),
    st.text(max_size=30),
)
periods = st.one_of(
    one("2026-13", "2026-00", "2026-P14", "2026-P00", "2026-p01", "2026-P99", "abcd", "20261")
    | one("0000-01", "0000-P01", "9999-12", "9999-P13", "99999-01", "-2026-01", "+2026-01"),
    one("2026-1", "2026-011", "2026-P1", "2026-P013", "26-01", "2026/01", "2026-01-01"),
    one("2026‐01", "２０２６-01", "٢٠٢٦-٠١", " 2026-11 ", "2026-11\n", "2026-11\x00"),  # U+2010
)
ibans = one(
    "NL91ABNA0417164301", "NL00ABNA0417164300", "NL91ABNA041716430", "NL91ABNA04171643000",
    "NL91-ABNA-0417-1643-00", "nl91abna0417164300", "NL91ABNA0417164300\x00",
    "NL91ΑBNA0417164300", "ＮＬ91ABNA0417164300", "NL٩١ABNA0417164300",  # Greek Α, wide, Arabic
    "XX91ABNA0417164300", "GB82WEST12345698765432", "DE89370400440532013001", "NL" + "9" * 40,
    "NL91 ABNA 0417 1643 00 " * 3, "IBAN NL91ABNA0417164300",
)  # fmt: skip
postcodes = one(
    "1234", "1234 A", "1234 ABC", "0123 AB", "1234 SA", "1234 SD", "1234 SS", "1234-AB",
    "NL-1234 AB", "12345", "AB 1234", "１２３４ AB", "١٢٣٤ AB", "1234 ÄB", "1234 ab\x00",
    "1234\tAB", "1234 A B", "9999 ZZ" * 3,
)  # fmt: skip
house_numbers = one(
    "0", "-1", "123456", "12 " + "a" * 40, "12a\x00", "١٢", "12½", "12--2", "a12", "99999", "100000"
)  # fmt: skip
countries = one("nl", "XX", "NLD", "N", "🇳🇱", "N\x00", "Nederland")
emails = one(
    "x@", "@x.nl", "a" * 320 + "@example.nl", "ü@ü.nl", "a@b.nl\n", "a@[127.0.0.1]", "a b@c.nl",
    "a@b@c.nl", "A@EXAMPLE.NL",
)  # fmt: skip
phones = one("0612", "+999 123", "1" * 100, "+31 (0)6 12345678", "06-1234567x", "+", "06\x0012")
tokens = one("x" * 43, "A" * 64, "0" * 200, "token=abc")

# Valid values by what a field holds (the lower-cased field name contains the key), and the
# near-misses for it.
TEXTS: list[tuple[str, st.SearchStrategy, st.SearchStrategy | None]] = [
    ("period", one("2026-11", "2026-12", "2027-01", "2026-P12", "2026-P13"), periods),
    ("iban", one("NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "DE89370400440532013000"), ibans),
    ("postcode", one("1234 AB", "1234ab", "9999 ZZ"), postcodes),
    ("housenumber", one("12", "12a", "12-2", "1 bis"), house_numbers),
    ("country", one("NL", "BE"), countries),
    ("phone", one("06 12345678", "+31 20 123 4567"), phones),
    ("email", one("nieuw@example.nl"), emails),
    ("password", one("Zeer-Sterk-Wachtwoord-2026!", "kort"), None),
    ("idempotencykey", one("sleutel-1", "sleutel-2"), None),
    ("search", one("Jan", "wn0", "de"), None),
    ("comment", one("Akkoord", "Graag aanvullen.\nMet een tweede regel."), None),
    ("description", one("Klantbezoek Utrecht"), None),
    ("label", one("Zakelijke km", "Dagen thuis"), None),
    ("relation", one("Partner", "Moeder"), None),
    ("street", one("Dorpsstraat", "Laan van 40-45"), None),
    ("city", one("Ede", "'s-Hertogenbosch"), None),
    ("reason", one("Einde project"), None),
    ("username", one("nieuw.gebruiker", "werkgever.extra"), None),
    ("name", one("Nieuwe rol", "Salarisprofessional", "Piet de Vries"), None),
]
BAD_DECIMALS = (
    one("0", "-0", "-1", "0.001", "0.005", "12.345", "10000", "10000.01", "744.01", "31.5"),
    one("1e400", "1E+999999999", "-1E+999999999", "1e-400", "1E-999999999", "9" * 100),
    one("NaN", "-NaN", "sNaN", "Infinity", "-Infinity", " 1", "1_000", "٣", "１２", "0x10", ""),
    one(0, -1, 2**31, 2**63, 10**400, 1e308, float("nan"), float("inf"), -0.0, True, []),
)
BAD_DATES = (
    one("0001-01-01", "9999-12-31", "9999-12-30", "1900-02-28", "2026-02-29", "1970-01-01"),
    one("2026-02-30", "2026-13-01", "2026-00-10", "20261115", "2026-W01-1", "15-11-2026"),
    one("2026-11-15T00:00:00", "", "abcd", "２０２６-11-15", 20261115),
    st.dates().map(lambda d: d.isoformat()),
)
WRONG_JSON = one(0, -1, 1.5, True, [], {}, ["a"], 2**63)
ID_TYPES = {
    "employer": "Employer", "employee": "Employee", "user": "User", "submitter": "User",
    "role": "Role", "rolelink": "RoleLink", "component": "Component",
    "componentset": "ComponentSet", "definition": "WorkflowDefinition",
    "instance": "WorkflowInstance", "task": "Task", "department": "Department",
}  # fmt: skip
TYPE_NAMES = sorted(set(ID_TYPES.values()) | {"Export", "CollectiveAction", "Node", "Viewer"})
KEYS = one(
    0, -1, 2**31 - 1, 2**31, 2**63, 10**20, "", "abc", "1.5", " 1", "01", "1e3", "0x1", "9" * 60,
    "9" * 61, "1.EXPENSE_CLAIM", "999999999999999999.EXPENSE_CLAIM", "1.expense_claim",
    ".EXPENSE_CLAIM", "1.",
)  # fmt: skip
GARBAGE_IDS = one(
    "", "1", "-1", "null", "🙂", "a" * 10_000, "\x00", RTL, "++//", "=",
    "RW1wbG95ZXI6MQ==",  # padded base64 of "Employer:1"
    "RW1wbG95ZXI6MQ==" * 20,
    "TmVlOjE",  # "Nee:1"
    "RW1wbG95ZXI",  # "Employer" (no colon)
    "OjE",  # ":1"
    "RW1wbG95ZXI6MToy",  # "Employer:1:2"
)  # fmt: skip


# One bad field at a time, the rest valid: the values that broke something once, or would.
SINGLE_FAULTS: dict[str, tuple[Any, ...]] = {
    "String": ("a\x00b", "é" * HUGE, "x" * 501),
    "ID": (10**30, "a" * 10_000, None),  # None: the id of the field's type with key 2**31
    "Decimal": ("1E+999999999", "-1E+999999999", "1E-999999999", "sNaN"),
    "Date": ("0001-01-01", "9999-12-31"),
}


def forged_ids(type_name: str) -> st.SearchStrategy:
    return st.one_of(
        st.builds(to_global_id, one(type_name, *TYPE_NAMES), KEYS),
        GARBAGE_IDS,
        st.builds(to_global_id, st.text(max_size=12), st.text(max_size=12)),
        one(1, -1, 0, 2**63, 10**30, 1.5, True, [], {}),  # ID takes JSON integers, nothing else
    )


@dataclass
class Pools:
    """Global ids by type name: `own` in reach of the demo's users, `foreign` of another office
    or another employer; invitation tokens."""

    own: dict[str, list[str]] = field(default_factory=dict)
    foreign: dict[str, list[str]] = field(default_factory=dict)
    tokens: list[str] = field(default_factory=list)

    def type_of(self, field_name: str) -> str | None:
        return ID_TYPES.get(re.sub(r"ids?$", "", field_name.lower()))


# How much likelier a valid value is than a bad one (drawn per example): calm examples break
# one field or none and so reach the checks deep in a resolver; wild ones break many at once.
CALM = (20, 4, 1)
FieldPath = tuple[str, ...]


def paths(type_, prefix: FieldPath) -> list[FieldPath]:
    """Every input field's path (a list's items share its path)."""
    named = get_named_type(type_)
    out = [prefix]
    if isinstance(named, GraphQLInputObjectType):
        for name, f in named.fields.items():
            out += paths(f.type, (*prefix, name))
    return out


def leaves(type_, prefix: FieldPath) -> list[tuple[FieldPath, str]]:
    """The scalar input fields: (path, scalar name)."""
    named = get_named_type(type_)
    if isinstance(named, GraphQLInputObjectType):
        return [leaf for n, f in named.fields.items() for leaf in leaves(f.type, (*prefix, n))]
    return [(prefix, named.name)] if isinstance(named, GraphQLScalarType) else []


def put(value: Any, path: FieldPath, new: Any) -> Any:
    """`value` with the field at `path` (in every item of a list on the way) set to `new`."""
    if not path:
        return new
    if isinstance(value, list):
        return [put(item, path, new) for item in value]
    return {**value, path[0]: put(value[path[0]], path[1:], new)}


class Inputs:
    """Strategies for values of GraphQL input types. Either `calm`: valid values weigh `calm`
    times more than bad ones everywhere; or `focus`: valid values everywhere except at the
    field at that path, which is bad (and present, as are the fields around it)."""

    def __init__(self, pools: Pools, calm: int = 1, focus: FieldPath | None = None):
        self.pools, self.calm, self.focus = pools, calm, focus

    def arguments(self, f: GraphQLField) -> st.SearchStrategy:
        return st.fixed_dictionaries({n: self.value(a.type, (n,)) for n, a in f.args.items()})

    def mix(self, path: FieldPath, valid, *bad: tuple[int, st.SearchStrategy], wraps: bool = False):
        """`valid` or one of `bad`; `wraps`: `valid` holds values of this same path (a list's
        items, a required value), so it is where a focused bad value comes from too."""
        if self.focus is None:
            return weighted((5 * self.calm, valid), *bad)
        if path != self.focus:
            return valid
        return weighted(*([(4, valid)] if wraps else []), *bad)

    def leads_to_focus(self, path: FieldPath) -> bool:
        return self.focus is not None and self.focus[: len(path)] == path

    def value(self, type_, path: FieldPath) -> st.SearchStrategy:
        if isinstance(type_, GraphQLNonNull):
            inner = self.value(type_.of_type, path)
            return self.mix(path, inner, (1, st.none()), wraps=True)  # null when required
        if isinstance(type_, GraphQLList):
            item = self.value(type_.of_type, path)
            return self.mix(
                path,
                st.lists(item, min_size=int(self.leads_to_focus(path)), max_size=3),
                (1, item),  # one value where a list is expected: GraphQL wraps it
                (1, item.map(lambda v: [v] * 1_000)),
                (1, st.lists(item, min_size=4, max_size=30)),
                wraps=True,
            )
        if isinstance(type_, GraphQLEnumType):
            names = list(type_.values)
            bad = one("BOGUS", names[0].lower(), "", 0)
            return self.mix(path, st.sampled_from(names), (1, bad))
        if isinstance(type_, GraphQLInputObjectType):
            return self.objects(type_, path)
        if isinstance(type_, GraphQLScalarType):
            return self.scalar(type_.name, path)
        raise AssertionError(f"no strategy for {type_}")

    def objects(self, type_: GraphQLInputObjectType, path: FieldPath) -> st.SearchStrategy:
        required, optional = {}, {}
        for name, f in type_.fields.items():
            strategy = self.value(f.type, (*path, name))
            if self.leads_to_focus((*path, name)) and path != self.focus:
                required[name] = strategy  # the way to the focused field
            elif isinstance(f.type, GraphQLNonNull) and f.default_value is Undefined:
                required[name] = strategy
            elif self.focus is None:
                optional[name] = st.one_of(st.none(), strategy)
            else:  # mostly left out: fewer other checks stand before the focused one
                optional[name] = weighted((3, st.none()), (1, strategy))
        objects = st.fixed_dictionaries(required, optional=optional)
        bad = [(1, objects.map(lambda o: {**o, "bogusField": 1})), (1, one("x", [], 1))]
        if required:
            without = st.tuples(objects, st.sampled_from(sorted(required)))
            bad.append((1, without.map(lambda t: {k: v for k, v in t[0].items() if k != t[1]})))
        return self.mix(path, objects, *bad)

    def scalar(self, type_name: str, path: FieldPath) -> st.SearchStrategy:
        name = path[-1]
        if type_name == "ID":
            return self.ids(name, path)
        if type_name == "String":
            return self.texts(name, path)
        if type_name == "Boolean":
            return self.mix(path, st.booleans(), (1, one("true", 1, 0, "yes", [])))
        if type_name == "Decimal":
            valid = one("42", "10", "1.5", "0.23", "3", 7)
            return self.mix(path, valid, *((2, s) for s in BAD_DECIMALS))
        if type_name == "Date":
            valid = one("2026-12-01", "2027-06-30", "2026-11-15", "2030-01-01")
            return self.mix(path, valid, *((2, s) for s in BAD_DATES))
        if type_name == "DateTime":
            bad = one("0001-01-01T00:00:00", "9999-12-31T23:59:59", "x")
            return self.mix(path, one("2026-11-15T10:00:00+01:00"), (2, bad))
        if type_name == "Upload":
            # JSON carries no file: any value is refused (INVALID_FILE); real uploads are in
            # tests/api/test_import_employees.py.
            return self.mix(path, one("geen bestand"), (1, adversarial_text), (1, one(1, [], {})))
        return self.mix(  # Int, Float, and whatever comes next
            path,
            st.integers(1, 10),
            (3, one(0, -1, 2**31 - 1, 2**31, -(2**31) - 1, 2**63, 10**30)),
            (1, one(1.5, "1", float("nan"), "")),
            (1, adversarial_text),
        )

    def texts(self, name: str, path: FieldPath) -> st.SearchStrategy:
        lower = name.lower()
        valid, near = one("Iets", "Een gewone tekst"), None
        if lower == "token":
            valid, near = st.sampled_from(self.pools.tokens or ["x" * 43]), tokens
        for key, valid_for, near_for in TEXTS:
            if key in lower:
                valid, near = valid_for, near_for
                break
        bad = [(4, adversarial_text), (1, WRONG_JSON)]  # the scalar must refuse the latter
        return self.mix(path, valid, *bad, *([(4, near)] if near is not None else []))

    def ids(self, name: str, path: FieldPath) -> st.SearchStrategy:
        type_name = self.pools.type_of(name)
        own = self.pools.own.get(type_name or "", [])
        foreign = self.pools.foreign.get(type_name or "", [])
        any_own = [i for ids in self.pools.own.values() for i in ids]
        bad = [(1, st.sampled_from(any_own)), (3, forged_ids(type_name or "Employer"))]
        if foreign:
            bad.append((2, st.sampled_from(foreign)))  # of another office or employer
        return self.mix(path, st.sampled_from(own or any_own), *bad)

    def plain(self, type_, path: FieldPath, focus: FieldPath = ()) -> Any:
        """A valid value without Hypothesis: required fields, and those on the way to `focus`."""
        if not isinstance(type_, GraphQLNonNull) and self.focus_of(path, focus) is None:
            return None
        named = get_named_type(type_)
        if isinstance(type_, GraphQLNonNull) and isinstance(type_.of_type, GraphQLList):
            return [self.plain(type_.of_type.of_type, path, focus)]
        if isinstance(type_, GraphQLList):
            return [self.plain(type_.of_type, path, focus)]
        if isinstance(named, GraphQLEnumType):
            return next(iter(named.values))
        if isinstance(named, GraphQLInputObjectType):
            fields = named.fields.items()
            out = {n: self.plain(f.type, (*path, n), focus) for n, f in fields}
            return {n: v for n, v in out.items() if v is not None}
        if named.name == "ID":
            pool = self.pools.own.get(self.pools.type_of(path[-1]) or "") or self.pools.own["User"]
            return pool[-1]  # the open tasks come last
        if named.name == "String":
            if path[-1] == "token" and self.pools.tokens:
                return self.pools.tokens[0]
            key = next((t for t in TEXTS if t[0] in path[-1].lower()), None)
            return key[1].elements[0] if key else "Iets"
        return {"Boolean": False, "Decimal": "42", "Date": "2026-12-01"}.get(named.name, 1)

    @staticmethod
    def focus_of(path: FieldPath, focus: FieldPath) -> FieldPath | None:
        return focus if focus[: len(path)] == path and focus else None


# --- The document ---------------------------------------------------------------------------


def selection(type_, depth: int = 0) -> str:
    """`errors` wherever they are, scalars of the payload and of the objects in it (so that
    what was stored is also read back), no connections."""
    named = get_named_type(type_)
    if not isinstance(named, GraphQLObjectType):
        return "__typename"
    parts = ["__typename"]
    for name, f in named.fields.items():
        if "Requires the right" in (f.description or "") or any(
            isinstance(a.type, GraphQLNonNull) and a.default_value is Undefined
            for a in f.args.values()
        ):
            continue  # a field for other users than the caller would null the whole object
        child = get_named_type(f.type)
        if name == "errors":
            parts.append("errors { code message field }")
        elif is_leaf_type(child):
            parts.append(name)
        elif depth < 2 and not child.name.endswith("Connection"):
            parts.append(f"{name} {{ {selection(child, depth + 1)} }}")
    return " ".join(parts)


def document(name: str) -> str:
    f = MUTATION_FIELDS[name]
    params = ", ".join(f"${a}: {arg.type}" for a, arg in f.args.items())
    args = ", ".join(f"{a}: ${a}" for a in f.args)
    return f"mutation Bad({params}) {{ {name}({args}) {{ {selection(f.type)} }} }}"


# --- The world: demo, another office, some requests, a client without the lifespan ----------


class CrashLog(logging.Handler):
    """Exceptions strawberry logs that were not raised on purpose."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.crashes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.exc_info or record.exc_info[1] is None:
            return
        exc = record.exc_info[1]
        if isinstance(exc, AccessError) or type(exc).__module__.startswith(("graphql", "straw")):
            return
        try:
            self.crashes.append(describe(exc))
        except Exception as failure:  # never break the request being logged
            self.crashes.append(f"{exc!r} (not described: {failure!r})")


def describe(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f.filename.startswith(str(APP_DIR))]
    where = (
        f"{Path(ours[-1].filename).relative_to(APP_DIR.parent)}:{ours[-1].lineno}" if ours else "?"
    )
    cause = exc.__cause__ or exc.__context__
    text = f"{type(exc).__name__}: {str(exc)[:300]}"
    if cause is not None:
        text += f" (from {type(cause).__name__}: {str(cause)[:200]})"
    last = "".join(traceback.format_list(frames[-4:]))
    return f"{text}\n  raised at {where}\n{last}"


class World:
    """What the examples of one test share: the app's client, the ids, the last fingerprint."""

    def __init__(self, db, settings, client: httpx.AsyncClient, token, crash_log: CrashLog):
        self.db, self.settings, self.client, self.token = db, settings, client, token
        self.crash_log = crash_log
        self.pools = Pools()
        self.fingerprint: tuple | None = None
        self.strategies: dict[tuple[str, int | FieldPath], st.SearchStrategy] = {}
        self.anonymous_problems: list[str] = []
        self.single_fault_problems: list[str] = []

    def __repr__(self) -> str:  # Hypothesis prints a failing example's arguments
        return "World(demo + another office)"

    def plans(self, name: str) -> st.SearchStrategy:
        """How bad an example is: one field in focus, or a level of calm."""
        fields = [p for a, arg in MUTATION_FIELDS[name].args.items() for p in paths(arg.type, (a,))]
        return weighted((1, st.sampled_from(CALM)), (1, st.sampled_from(fields)))

    def arguments(self, name: str, plan: int | FieldPath) -> st.SearchStrategy:
        if (name, plan) not in self.strategies:
            inputs = (
                Inputs(self.pools, focus=plan)
                if isinstance(plan, tuple)
                else Inputs(self.pools, calm=plan)
            )
            self.strategies[name, plan] = inputs.arguments(MUTATION_FIELDS[name])
        return self.strategies[name, plan]

    async def check(self, name: str, variables: Any, user: str | None) -> tuple[list[str], bool]:
        """Post one call; what is wrong with the answer and the database, and if it was refused."""
        if self.fingerprint is None:
            self.fingerprint = await self.snapshot()
        before = self.fingerprint
        self.crash_log.crashes.clear()
        response = await self.post(document(name), variables, user)
        problems, refused = problems_in(name, response)
        problems += [f"server logged: {c}" for c in self.crash_log.crashes]
        after = await self.snapshot()
        if refused and after != before:
            changed = [b[0] for b, a in zip(before, after, strict=True) if a != b]
            problems.append(f"refused, yet the database changed: {changed}; {response.text[:500]}")
        if not refused:
            payload = (response.json().get("data") or {}).get(name) or {}
            problems += await after_success(self, name, payload)
            after = await self.snapshot()
        self.fingerprint = after
        return problems, refused

    async def post(self, query: str, variables: Any, user: str | None) -> httpx.Response:
        headers = {"content-type": "application/json"}
        if user is not None:
            headers["authorization"] = f"Bearer {self.token(user)}"
        # ensure_ascii: a lone surrogate travels as an escape, as a browser would send it.
        body = json.dumps({"query": query, "variables": variables})
        return await self.client.post("/graphql", content=body.encode(), headers=headers)

    async def snapshot(self) -> tuple:
        """Every row of every table: (table, row count, hash of the rows)."""
        if self.db.is_sqlite:
            return self._sqlite_snapshot()  # the stdlib driver: no thread hop per table
        out = []
        async with self.db.reader() as s:
            for table in m.Base.metadata.sorted_tables:
                order = list(table.primary_key.columns) or list(table.columns)
                rows = (await s.execute(select(table).order_by(*order))).all()
                out.append(_digest(table.name, rows))
        return tuple(out)

    def _sqlite_snapshot(self) -> tuple:
        out = []
        with contextlib.closing(sqlite3.connect(self.db.url.database)) as c:
            c.execute("BEGIN")  # one consistent read over all tables
            for table in m.Base.metadata.sorted_tables:
                order = ", ".join(f'"{col.name}"' for col in table.primary_key.columns) or "rowid"
                rows = c.execute(f'SELECT * FROM "{table.name}" ORDER BY {order}').fetchall()
                out.append(_digest(table.name, rows))
        return tuple(out)


def _digest(name: str, rows) -> tuple[str, int, str]:
    return name, len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:16]


CLAIM = """mutation ($input: SubmitExpenseClaimInput!) { submitExpenseClaim(input: $input) {
  errors { code message } } }"""
ADDRESS = """mutation ($input: SubmitAddressUpdateInput!) { submitAddressUpdate(input: $input) {
  errors { code message } } }"""
PRODUCT = """mutation ($input: SetProductActiveInput!) { setProductActive(input: $input) {
  errors { code message } } }"""
WORKFLOW = """mutation ($input: SetWorkflowActiveInput!) { setWorkflowActive(input: $input) {
  errors { code message } } }"""
MIGRATE = """mutation ($input: StartMijnLoketMigrationInput!) { startMijnLoketMigration(
  input: $input) { errors { code message } } }"""


async def _other_office(db) -> None:
    """Another office with its own employer, user, employee, role and link, component set; and
    a second employer of the demo's office (in reach of kantoor.admin, not of werkgever.hr)."""
    office = await factories.provider(db, "Kantoor Y")
    products = (Product.MIJNLOKET, Product.MIJNLOKET_EXPENSE_CLAIMS, Product.WORKFLOW_EDITOR)
    employer = await factories.employer(db, "Vreemd B.V.", provider_id=office, products=products)
    await factories.employer(db, "Tweede Klant B.V.", products=products)
    employer_pk = int(_key(employer))
    user = await factories.user(
        db,
        "y.admin",
        UserType.PROVIDER,
        provider_id=office,
        rights=tuple(Right),
    )
    await factories.employee(db, employer_pk, 9001, "Y. Vreemd")
    async with db.writer() as s:
        role = m.Role(provider_id=office, name="Vreemde rol")
        component_set = m.ComponentSet(employer_id=employer_pk, name="Y", is_default=True)
        s.add_all([role, component_set])
        await s.flush()
        s.add(m.RoleLink(role_id=role.id, user_id=int(_key(user)), employer_id=employer_pk))
        s.add(
            m.Component(employer_id=employer_pk, set_id=component_set.id, name="Y km", unit=Unit.KM)
        )


def _key(global_id: str) -> str:
    return from_global_id(global_id)[1]


async def _requests(world: World, db) -> None:
    """Open requests, so that tasks wait for manager.verkoop, werkgever.directie and
    kantoor.salaris; invitations, so that activation has valid tokens."""
    async with db.reader() as s:
        km = await s.scalar(select(m.Component.id).where(m.Component.name == "Kilometers onbelast"))
        employer = await s.scalar(select(m.Employer.id).where(m.Employer.name.like("De Ideale%")))
        to_invite = list(
            await s.scalars(select(m.Employee.id).where(m.Employee.employee_number.in_([41, 42])))
        )
    # Every workflow on (with the products it needs), so that each submission's own checks run.
    employer_id = to_global_id("Employer", employer)
    for product in ("MIJNLOKET", *(p.name for p in Product if p.name != "MIJNLOKET")):
        activate = {"employerId": employer_id, "product": product, "active": True}
        await world.post(PRODUCT, {"input": activate}, "kantoor.admin")
    for workflow in WorkflowType:
        activate = {"employerId": employer_id, "type": workflow.name, "active": True}
        await world.post(WORKFLOW, {"input": activate}, "werkgever.hr")
    claim = {"componentId": to_global_id("Component", km), "value": "12"}
    for user in ("wn001", "wn001", "wn003", "wn002"):
        await world.post(CLAIM, {"input": claim}, user)
    address = {"street": "Dorpsstraat", "houseNumber": "1", "postcode": "1234 AB", "city": "Ede"}
    await world.post(ADDRESS, {"input": address}, "wn001")
    migrate = {
        "employerId": employer_id,
        "employeeIds": [to_global_id("Employee", pk) for pk in to_invite],
    }
    await world.post(MIGRATE, {"input": migrate}, "kantoor.admin")
    await CollectiveWorker(db, world.settings).run_once()
    async with db.reader() as s:
        bodies = list(await s.scalars(select(m.OutboxEmail.body)))
    world.pools.tokens = [t for b in bodies for t in re.findall(r"token=([A-Za-z0-9_\-]+)", b)]


async def _pools(db) -> Pools:
    pools = Pools()
    async with db.reader() as s:
        demo = await s.scalar(select(m.Employer.id).where(m.Employer.name.like("De Ideale%")))
        office = await s.scalar(select(m.Employer.provider_id).where(m.Employer.id == demo))

        def add(type_name: str, pks_own, pks_foreign) -> None:
            pools.own[type_name] = [to_global_id(type_name, k) for k in pks_own]
            pools.foreign[type_name] = [to_global_id(type_name, k) for k in pks_foreign]

        async def split(model, column) -> None:
            rows = list(await s.execute(select(model.id, column)))
            own = [k for k, e in rows if e == demo]
            add(model.__name__, own, [k for k, e in rows if e != demo])

        for model in (m.Employee, m.Component, m.ComponentSet, m.WorkflowInstance, m.Department):
            await split(model, model.employer_id)
        steps = list(
            await s.execute(
                select(m.InstanceStep.id, m.InstanceStep.state).order_by(m.InstanceStep.id)
            )
        )
        pools.own["Task"] = [to_global_id("Task", k) for k, state in steps]
        pools.own["Task"] += [to_global_id("Task", k) for k, state in steps if state == "OPEN"] * 3
        employers = list(await s.scalars(select(m.Employer.id)))
        add("Employer", [demo], [e for e in employers if e != demo])
        users = list(await s.execute(select(m.User.id, m.User.provider_id, m.User.employer_id)))
        foreign_users = [
            u
            for u, p, e in users
            if (p is not None and p != office) or (e is not None and e != demo)
        ]
        add("User", [u for u, p, e in users if u not in foreign_users], foreign_users)
        roles = list(await s.execute(select(m.Role.id, m.Role.provider_id)))
        add("Role", [r for r, p in roles if p == office], [r for r, p in roles if p != office])
        links = list(await s.execute(select(m.RoleLink.id, m.RoleLink.employer_id)))
        add("RoleLink", [k for k, e in links if e == demo], [k for k, e in links if e != demo])
        pools.own["WorkflowDefinition"] = [
            to_global_id("WorkflowDefinition", f"{demo}.{t.value}") for t in WorkflowType
        ]
        pools.foreign["WorkflowDefinition"] = [
            to_global_id("WorkflowDefinition", f"{e}.{t.value}")
            for e in employers
            if e != demo
            for t in WorkflowType
        ]
    return pools


@pytest.fixture
async def world(db, settings, token, name):
    app = create_app(settings)  # no lifespan: no background work between fingerprints
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    crash_log = CrashLog()
    logger = logging.getLogger("strawberry.execution")
    logger.addHandler(crash_log)
    logger.propagate = False  # thousands of refused requests: only crashes are of interest
    tokens: dict[str, str] = {}

    def cached_token(username: str) -> str:
        if username not in tokens:
            tokens[username] = token(username)
        return tokens[username]

    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            await _other_office(db)
            w = World(db, settings, c, cached_token, crash_log)
            await _requests(w, db)
            tokens_found = w.pools.tokens
            w.pools = await _pools(db)
            w.pools.tokens = tokens_found
            # Once per mutation, anonymously with plain input: refused, and nothing changes.
            args = MUTATION_FIELDS[name].args.items()
            plain = {n: Inputs(w.pools).plain(a.type, (n,)) for n, a in args}
            problems, refused = await w.check(name, plain, None)
            w.anonymous_problems = [*problems, *([] if refused else ["anonymous call accepted"])]
            w.single_fault_problems = await single_faults(w, name)
            yield w
    finally:
        logger.removeHandler(crash_log)
        logger.propagate = True
        await app.state.db.dispose()


async def single_faults(world: World, name: str) -> list[str]:
    """Each scalar input field in turn gets each of `SINGLE_FAULTS`, the others valid values,
    from each user who may call the mutation."""
    problems, args = [], MUTATION_FIELDS[name].args.items()
    inputs = Inputs(world.pools)
    for argname, arg in args:
        for path, scalar_name in leaves(arg.type, (argname,)):
            base = {n: inputs.plain(a.type, (n,), path) for n, a in args}
            for bad, user in itertools.product(SINGLE_FAULTS.get(scalar_name, ()), actors_of(name)):
                if bad is None:
                    bad = to_global_id(world.pools.type_of(path[-1]) or "Employer", 2**31)
                variables = put(base, path, bad)
                found, _ = await world.check(name, variables, user)
                shown = f"{'.'.join(path)} = {str(bad)[:40]!r} as {user}: {json.dumps(variables)}"
                if found:
                    problems.append("\n".join([shown[:400], *found]))
    return problems


# --- The check ------------------------------------------------------------------------------


def problems_in(name: str, response: httpx.Response) -> tuple[list[str], bool]:
    """What is wrong with the answer, and whether the request was refused."""
    problems: list[str] = []
    if response.status_code not in (200, 400):
        return [f"HTTP {response.status_code}: {response.text[:500]}"], True
    try:
        body = response.json()
    except ValueError:
        return [f"not JSON: {response.text[:300]}"], True
    data = body.get("data")
    payload = data.get(name) if isinstance(data, dict) else None
    # Refused: not executed, refused before the resolver, or UserErrors in the payload. (A
    # payload nulled by an access error on a field within it is not: the mutation ran.)
    refused = False
    errors = body.get("errors") or []
    validation = data is None and any(e.get("locations") for e in errors)
    for error in errors:
        message = str(error.get("message", ""))
        code = (error.get("extensions") or {}).get("code")
        path = error.get("path")
        if path is None or path == [name]:
            refused = True
        if code == "INTERNAL_SERVER_ERROR" or (path is not None and code not in ACCESS_CODES):
            problems.append(f"GraphQL error at {path} ({code}): {message[:500]}")
        elif path is not None and LEAK.search(message):
            problems.append(f"access error leaks internals ({code}): {message[:500]}")
        if path is None and code is None and not validation:
            # Validation errors point into the document (graphql-core's "too many errors"
            # does not, but comes after them) and come without data.
            problems.append(f"error outside execution, not from validation: {message[:300]}")
    if payload is None and not errors:
        problems.append(f"neither data nor errors: {response.text[:300]}")
    if payload is not None:
        for user_error in _user_errors(payload):
            refused = refused or user_error in (payload.get("errors") or [])
            code, message = user_error.get("code"), user_error.get("message")
            if code not in KNOWN_CODES:
                problems.append(f"unknown UserError code {code!r}")
            if not isinstance(message, str) or not message.strip() or message == code:
                problems.append(f"UserError {code} without a message: {message!r}")
            elif LEAK.search(message):
                problems.append(f"UserError {code} message leaks internals: {message[:500]}")
            path = user_error.get("field")
            if path is not None and not all(isinstance(p, str) and p for p in path):
                problems.append(f"UserError {code} has a bad field path: {path!r}")
    return problems, refused


def _user_errors(value) -> list[dict]:
    """Every UserError anywhere in a payload (batch payloads have them per item)."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "errors" and isinstance(item, list):
                found.extend(e for e in item if isinstance(e, dict))
            else:
                found.extend(_user_errors(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_user_errors(item))
    return found


async def after_success(world: World, name: str, payload: dict) -> list[str]:
    """Background work a successful mutation started must not fail on what it was given."""
    problems = []
    if name == "startMijnLoketMigration":
        try:
            await CollectiveWorker(world.db, world.settings).run_once()
        except Exception as exc:  # a crash in the worker is the finding
            problems.append(f"collective worker crashed: {describe(exc)}")
    if name == "exportProcessOverview" and (payload.get("export") or {}).get("status") not in (
        "READY",
        None,
    ):
        problems.append(f"export not READY: {payload.get('export')}")
    return problems


@pytest.mark.parametrize("name", sorted(MUTATION_FIELDS))
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no .hypothesis directory in the repository
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the world is shared by the examples on purpose
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(data=st.data())
async def test_bad_input_is_refused_cleanly(world: World, name: str, data: st.DataObject):
    # Found before the random examples (see the fixture), whatever this example is:
    assert not world.anonymous_problems, "anonymous: " + "\n".join(world.anonymous_problems)
    assert not world.single_fault_problems, "one bad field at a time:\n" + "\n\n".join(
        world.single_fault_problems
    )
    user = data.draw(
        weighted(
            (12, st.sampled_from(actors_of(name))),
            (1, one(None, "y.admin", "wn005", "werkgever.directie")),
        ),
        label="user",
    )
    plan = data.draw(world.plans(name), label="plan")
    variables = data.draw(world.arguments(name, plan), label="variables")
    problems, _ = await world.check(name, variables, user)
    assert not problems, "\n".join(problems)
