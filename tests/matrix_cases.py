"""Machinery of the authorization matrix (tests/api/test_authorization_matrix.py): the actors, the
outcomes, how a response is classified, and the data each case sets up.

An actor is a user asking about a *subject*, the employee a request or record is about: wn001
(Verkoop) for every actor except `manager.verkoop:out`, the same department manager asking about
wn005 (Magazijn), outside its departments. So `wn001` is "the employee of the request" and `wn005`
"another employee".
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from graphql import OperationDefinitionNode, parse

from app.db.session import Database
from app.domain.authz import UserType
from app.schema.ids import from_global_id, to_global_id
from tests import factories
from tests.api.live import subscribe
from tests.api.test_requests import ADDRESS, APPROVE, claim
from tests.conftest import errors_of


class Outcome(StrEnum):
    ALLOW = "ALLOW"  # no auth error; a list holds something; a mutation gives its payload
    EMPTY = "EMPTY"  # allowed, but the list (or export) holds nothing
    DENY = "DENY"  # a GraphQL error FORBIDDEN or NOT_FOUND (out of scope looks like absent)
    DENY_AUTH = "DENY_AUTH"  # a GraphQL error UNAUTHENTICATED
    # Denied by the resolver, as data: the payload (or, for batch mutations, each item's result)
    # has a UserError NOT_FOUND, NOT_ALLOWED or NOT_ASSIGNED. Mutations report objects named in
    # their input that the caller may not see or act on this way (tests/api/test_requests.py).
    REFUSED = "REFUSED"


ALLOW, EMPTY, DENY, DENY_AUTH, REFUSED = Outcome
REFUSAL_CODES = {"NOT_FOUND", "NOT_ALLOWED", "NOT_ASSIGNED"}


@dataclass(frozen=True)
class Actor:
    name: str
    username: str | None  # None: no token
    subject: int  # the employee number the operation is about


ACTORS = (
    Actor("anonymous", None, 1),
    Actor("kantoor.admin", "kantoor.admin", 1),  # provider user, every right
    Actor("kantoor.salaris", "kantoor.salaris", 1),  # provider: PROCESS_MANAGEMENT, VIEW_W_E
    Actor("kantoor.y", "kantoor.y", 1),  # provider user of another office, every right there
    Actor("werkgever.hr", "werkgever.hr", 1),  # employer user with the rights; also wn002
    Actor("werkgever.directie", "werkgever.directie", 1),  # employer user, VIEW_EMPLOYEES only
    Actor("manager.verkoop", "manager.verkoop", 1),  # department manager, in scope (wn001)
    Actor("manager.verkoop:out", "manager.verkoop", 5),  # ... out of scope (wn005, Magazijn)
    Actor("wn001", "wn001", 1),  # the employee the request is about
    Actor("wn005", "wn005", 1),  # another employee
)
ACTOR_NAMES = [a.name for a in ACTORS]


def expect(
    *, allow="", empty="", deny="", deny_auth="", refused="", known: dict[str, str] | None = None
) -> tuple[dict[str, Outcome], dict[str, str]]:
    """The intended outcome per actor, as space-separated actor names; every actor exactly once.
    `known` names actors for whom the app does something else today, with what and why it is
    wrong: the test expects the intended outcome, so the case fails until the entry is removed
    when the app is fixed (xfail while it differs, a failure once it no longer does)."""
    table: dict[str, Outcome] = {}
    groups = {ALLOW: allow, EMPTY: empty, DENY: deny, DENY_AUTH: deny_auth, REFUSED: refused}
    for outcome, names in groups.items():
        for name in names.split():
            assert name in ACTOR_NAMES, f"unknown actor {name!r}"
            assert name not in table, f"actor {name!r} listed twice"
            table[name] = outcome
    missing = [n for n in ACTOR_NAMES if n not in table]
    assert not missing, f"no outcome for {missing}"
    for name in known or {}:
        assert name in table, f"known discrepancy for unknown actor {name!r}"
    return table, dict(known or {})


Variables = Callable[["Ctx", int], Awaitable[dict[str, Any]]]


async def no_variables(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Case:
    """One root field: a small valid operation, its variables for an actor's subject (built anew
    for every actor, so that what one actor changes never decides another's outcome), and what
    each actor must get. `count` says how many things a result holds (ALLOW vs EMPTY)."""

    field: str
    operation: str
    expected: tuple[dict[str, Outcome], dict[str, str]]
    variables: Variables = no_variables
    prepare: Callable[[Ctx], Awaitable[None]] | None = None
    count: Callable[[Any], int] | None = None

    @property
    def root(self) -> str:
        """`Query`, `Mutation` or `Subscription`, from the operation, which must select `field`."""
        [op] = parse(self.operation).definitions
        assert isinstance(op, OperationDefinitionNode)
        [selection] = op.selection_set.selections
        assert selection.name.value == self.field, (self.field, self.operation)
        return op.operation.value.capitalize()

    @property
    def outcomes(self) -> dict[str, Outcome]:
        return self.expected[0]

    @property
    def known(self) -> dict[str, str]:
        return self.expected[1]


@dataclass
class Ctx:
    """What setting up a case needs: `graphql(query, variables, as_user=...)`, the database,
    the demo's ids (tests/conftest.py) and a counter for unique names."""

    graphql: Callable[..., Awaitable[dict[str, Any]]]
    db: Database
    ids: Any
    serial: itertools.count = field(default_factory=lambda: itertools.count(1))
    memo: dict[str, Any] = field(default_factory=dict)  # what `prepare` made, for `variables`

    async def employer_pk(self) -> str:
        return from_global_id(await self.ids.employer())[1]


@dataclass(frozen=True)
class Observed:
    outcome: Outcome | str  # a str: something no outcome describes (an unexpected error)
    detail: str


def _payload_codes(payload: Any) -> set[str]:
    """UserError codes in a mutation payload, including the per-item results of batches."""
    if not isinstance(payload, dict):
        return set()
    codes = {e["code"] for e in payload.get("errors") or []}
    for item in payload.get("results") or []:
        codes |= {e["code"] for e in item.get("errors") or []}
    return codes


def observe(case: Case, result: dict[str, Any]) -> Observed:
    codes = errors_of(result)
    if codes:
        detail = "; ".join(f"{e.get('extensions', {}).get('code')}: {e.get('message')}"
                           for e in result["errors"])  # fmt: skip
        if "UNAUTHENTICATED" in codes:
            return Observed(DENY_AUTH, detail)
        if set(codes) <= {"FORBIDDEN", "NOT_FOUND"}:
            return Observed(DENY, detail)
        return Observed(f"ERROR {codes}", detail)
    data = (result.get("data") or {}).get(case.field)
    user_codes = _payload_codes(data)
    if user_codes & REFUSAL_CODES:
        return Observed(REFUSED, f"UserError {sorted(user_codes)}")
    detail = f"UserError {sorted(user_codes)}" if user_codes else ""
    if case.count is not None and case.count(data) == 0:
        return Observed(EMPTY, detail)
    return Observed(ALLOW, detail)


async def observe_subscription(
    case: Case, base: str, token: str | None, variables: dict, expected: Outcome
) -> Observed:
    """Allowed: no error within a moment (a first `next` with data counts as allowed too).
    Denied: an `error` message, or a `next` whose payload has errors. An actor expected to be
    denied is given longer to say so, so that a slow refusal never passes for an allowance."""
    quiet = 3.0 if expected in (DENY, DENY_AUTH) else 0.4
    async with subscribe(base, token, case.operation, variables) as sub:
        try:
            message = await sub.next(within=quiet)
        except TimeoutError:
            return Observed(ALLOW, "nothing within the moment")
    if message["type"] == "error":
        return observe(case, {"errors": message["payload"]})
    if message["type"] == "next" and message["payload"].get("errors"):
        return observe(case, message["payload"])
    return Observed(ALLOW, message["type"])


def outcome_of_all(pairs: list[tuple[Actor, Outcome, Observed]], case: Case) -> None:
    """Fail with every mismatch of this field, named by actor; xfail while only the known
    discrepancies remain."""
    import pytest

    failures, still_known = [], []
    for actor, expected, observed in pairs:
        line = f"{case.root}.{case.field} as {actor.name}: expected {expected}, got "
        line += f"{observed.outcome} ({observed.detail})" if observed.detail else observed.outcome
        if actor.name in case.known:
            if observed.outcome == expected:
                failures.append(f"{line}: fixed, remove it from `known`")
            else:
                still_known.append(f"{line}; known: {case.known[actor.name]}")
        elif observed.outcome != expected:
            failures.append(line)
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)
    if still_known:
        pytest.xfail("\n".join(still_known))


# --- Setting up --------------------------------------------------------------------------------


async def other_office(db: Database) -> None:
    """A second office with its own staff user, with every right there (none here)."""
    from app.db import models as m

    office = await factories.provider(db, "Kantoor Y")
    await factories.user(
        db, "kantoor.y", UserType.PROVIDER, provider_id=office, rights=tuple(m.Right)
    )


def username_of(number: int) -> str:
    return f"wn{number:03d}"


async def submitted_claim(ctx: Ctx, subject: int) -> dict[str, str]:
    """An expense claim of the subject, waiting for approval: {instance, task} ids."""
    payload = await claim(ctx.graphql, ctx.db, username_of(subject), value="12")
    assert payload["errors"] == [], payload
    instance = payload["instance"]
    return {"instance": instance["id"], "task": instance["openTask"]["id"]}


async def approved_claim(ctx: Ctx, subject: int) -> str:
    """An expense claim of the subject, approved by the office (COMPLETED): its id."""
    submitted = await submitted_claim(ctx, subject)
    done = await ctx.graphql(APPROVE, {"input": {"taskId": submitted["task"]}},
                             as_user="kantoor.admin")  # fmt: skip
    assert done["data"]["approveTask"]["errors"] == [], done
    return submitted["instance"]


async def address_update_task(ctx: Ctx, subject: int) -> str:
    """The open TASK of an address update of the subject (role Salarisprofessional)."""
    address = {"street": "Laan", "houseNumber": "1", "postcode": "1234 AB", "city": "Ede"}
    result = await ctx.graphql(ADDRESS, {"input": address}, as_user=username_of(subject))
    payload = result["data"]["submitAddressUpdate"]
    assert payload["errors"] == [] and payload["instance"]["openTask"]["kind"] == "TASK", payload
    return payload["instance"]["openTask"]["id"]


async def activate_workflows(ctx: Ctx, *types: str) -> None:
    query = """mutation ($e: ID!, $t: WorkflowType!) { setWorkflowActive(input: {employerId: $e,
      type: $t, active: true}) { errors { code } } }"""
    for type_ in types:
        result = await ctx.graphql(query, {"e": await ctx.ids.employer(), "t": type_},
                                   as_user="werkgever.hr")  # fmt: skip
        assert result["data"]["setWorkflowActive"]["errors"] == [], result


async def fixed_term_contracts(ctx: Ctx) -> None:
    """wn001 and wn005 get a contract end, so that extending it is a valid request."""
    import datetime as dt

    from sqlalchemy import update

    from app.db import models as m

    async with ctx.db.writer() as s:
        await s.execute(
            update(m.Employee)
            .where(m.Employee.employee_number.in_([1, 5]))
            .values(contract_end=dt.date(2026, 12, 31))
        )


async def new_role(ctx: Ctx) -> str:
    """A role of the demo office, linked to nobody: its id."""
    query = """mutation ($n: String!) { createRole(input: {name: $n}) {
      role { id } errors { code } } }"""
    result = await ctx.graphql(query, {"n": f"Matrixrol {next(ctx.serial)}"},
                               as_user="kantoor.admin")  # fmt: skip
    return result["data"]["createRole"]["role"]["id"]


async def new_role_link(ctx: Ctx) -> str:
    """A new role linked to werkgever.directie at the demo employer: the link's id."""
    query = """mutation ($r: ID!, $u: ID!, $e: ID!) { linkRole(input: {roleId: $r, userId: $u,
      employerId: $e}) { roleLink { id } errors { code } } }"""
    variables = {
        "r": await new_role(ctx),
        "u": await ctx.ids.user("werkgever.directie"),
        "e": await ctx.ids.employer(),
    }
    result = await ctx.graphql(query, variables, as_user="kantoor.admin")
    return result["data"]["linkRole"]["roleLink"]["id"]


async def started_migration(ctx: Ctx) -> None:
    """A collective action in the message centre (employee wn041 moved to MijnLoket)."""
    query = """mutation ($e: ID!, $p: [ID!]!) { startMijnLoketMigration(input: {employerId: $e,
      employeeIds: $p}) { errors { code } } }"""
    variables = {"e": await ctx.ids.employer(), "p": [await ctx.ids.employee(41)]}
    result = await ctx.graphql(query, variables, as_user="kantoor.admin")
    assert result["data"]["startMijnLoketMigration"]["errors"] == [], result


async def export_of(ctx: Ctx, username: str) -> str:
    """An export of the process overview, asked for by `username`: its id."""
    query = """mutation ($e: ID!) { exportProcessOverview(input: {employerId: $e, tab: OPEN}) {
      export { id } errors { code } } }"""
    result = await ctx.graphql(query, {"e": await ctx.ids.employer()}, as_user=username)
    assert result["data"]["exportProcessOverview"]["errors"] == [], result
    return result["data"]["exportProcessOverview"]["export"]["id"]


def definition_id(employer_pk: str, type_: str) -> str:
    return to_global_id("WorkflowDefinition", f"{employer_pk}.{type_}")


def connection_count(data: Any) -> int:
    return data["totalCount"]

