"""The authorization matrix's machinery (tests/api/test_authorization_matrix.py): the actors, the
outcomes, how a response is classified, and what each case sets up for an actor.

An actor is a user asking about a *subject*, the employee the request or record is about: wn001
(Verkoop) for every actor except `manager.verkoop:out`, which is the same department manager
asking about wn005 (Magazijn), outside its departments. So `wn001` is "the employee of the
request" and `wn005` "another employee".
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse
from sqlalchemy import select, update

from app.db import models as m
from app.db.session import Database
from app.domain.authz import PROVIDER_ONLY_RIGHTS, UserType
from app.schema.ids import from_global_id, to_global_id
from tests import factories
from tests.api.live import subscribe
from tests.api.test_requests import component_id
from tests.conftest import errors_of


class Outcome(StrEnum):
    ALLOW = "ALLOW"  # no auth error; a list holds something; a mutation gives its payload
    EMPTY = "EMPTY"  # allowed, but the list (or the export) holds nothing
    DENY = "DENY"  # a GraphQL error FORBIDDEN or NOT_FOUND (out of scope looks like absent)
    DENY_AUTH = "DENY_AUTH"  # a GraphQL error UNAUTHENTICATED
    # Denied by the resolver, as data: a UserError NOT_FOUND, NOT_ALLOWED or NOT_ASSIGNED in the
    # payload (for batches, in an item's result). This is how mutations refuse an object named
    # in their input that the caller may not see or act on (tests/api/test_requests.py).
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
    Actor("kantoor.salaris", "kantoor.salaris", 1),  # provider user, PROCESS_MANAGEMENT + VIEW_WE
    Actor("kantoor.y", "kantoor.y", 1),  # provider user of another office, every right there
    Actor("werkgever.hr", "werkgever.hr", 1),  # employer user with the rights; also wn002
    Actor("werkgever.directie", "werkgever.directie", 1),  # employer user, VIEW_EMPLOYEES only
    Actor("manager.verkoop", "manager.verkoop", 1),  # department manager, in scope (wn001)
    Actor("manager.verkoop:out", "manager.verkoop", 5),  # ... out of scope (wn005, Magazijn)
    Actor("manager.allrights", "manager.allrights", 1),  # manager of Verkoop with every right
    Actor("wn001", "wn001", 1),  # the employee the request is about
    Actor("wn005", "wn005", 1),  # another employee
)
ACTOR_NAMES = [a.name for a in ACTORS]

Expected = tuple[dict[str, Outcome], dict[str, str]]


def expect(
    *, allow="", empty="", deny="", deny_auth="", refused="", known: dict[str, str] | None = None
) -> Expected:
    """The intended outcome per actor, as space-separated actor names; every actor exactly once.

    `known` names the actors for whom the app does something else today (what, and why that is
    wrong). The case still expects the intended outcome: it xfails while only known
    discrepancies remain, and fails once one is fixed, so that its entry is removed."""
    table: dict[str, Outcome] = {}
    groups = {ALLOW: allow, EMPTY: empty, DENY: deny, DENY_AUTH: deny_auth, REFUSED: refused}
    for outcome, names in groups.items():
        for name in names.split():
            assert name in ACTOR_NAMES, f"unknown actor {name!r}"
            assert name not in table, f"actor {name!r} listed twice"
            table[name] = outcome
    missing = [n for n in ACTOR_NAMES if n not in table]
    assert not missing, f"no outcome for {missing}"
    assert set(known or {}) <= set(table), f"known discrepancy for an unknown actor: {known}"
    return table, dict(known or {})


@dataclass
class Ctx:
    """What setting up needs: `graphql(query, variables, as_user=...)`, the database, the demo's
    ids (tests/conftest.py), a counter for unique names, and what `prepare` made."""

    graphql: Callable[..., Awaitable[dict[str, Any]]]
    db: Database
    ids: Any
    serial: itertools.count = field(default_factory=lambda: itertools.count(1))
    memo: dict[str, Any] = field(default_factory=dict)


Variables = Callable[[Ctx, int], Awaitable[dict[str, Any]]]


async def no_variables(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Case:
    """One root field: a small valid operation; its variables for an actor's subject, built
    anew for each actor (so that what one actor changes never decides another's outcome);
    `prepare`, run once first; and what each actor must get. `count`: how many things a result
    holds, for fields where EMPTY differs from ALLOW."""

    field: str
    operation: str
    expected: Expected
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


# --- Observing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Observed:
    outcome: Outcome | str  # a str: what no outcome describes (an unexpected error)
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
    if codes := errors_of(result):
        detail = "; ".join(
            f"{code}: {e.get('message')}" for code, e in zip(codes, result["errors"], strict=True)
        )
        if "UNAUTHENTICATED" in codes:
            return Observed(DENY_AUTH, detail)
        if set(codes) <= {"FORBIDDEN", "NOT_FOUND"}:
            return Observed(DENY, detail)
        return Observed(f"ERROR {codes}", detail)
    data = (result.get("data") or {}).get(case.field)
    user_codes = sorted(_payload_codes(data))
    detail = f"UserError {user_codes}" if user_codes else ""
    if REFUSAL_CODES.intersection(user_codes):
        return Observed(REFUSED, detail)
    if case.count is not None and case.count(data) == 0:
        return Observed(EMPTY, detail)
    return Observed(ALLOW, detail)


async def observe_subscription(
    case: Case, base: str, token: str | None, variables: dict[str, Any], expected: Outcome
) -> Observed:
    """Allowed: no error within a moment (a first `next` with data is allowed too). Denied: an
    `error` message, or a `next` whose payload has errors. An actor expected to be denied gets
    longer to say so, so that a slow refusal is never taken for an allowance."""
    moment = 3.0 if expected in (DENY, DENY_AUTH) else 0.4
    async with subscribe(base, token, case.operation, variables) as sub:
        try:
            message = await sub.next(within=moment)
        except TimeoutError:
            return Observed(ALLOW, "")
    if message["type"] == "error":
        return observe(case, {"errors": message["payload"]})
    if message["type"] == "next" and message["payload"].get("errors"):
        return observe(case, message["payload"])
    return Observed(ALLOW, message["type"])


def check_outcomes(case: Case, seen: list[tuple[Actor, Observed]]) -> None:
    """Fail with every mismatch of this field, each named by actor; xfail while only the known
    discrepancies remain."""
    failures, still_known = [], []
    for actor, observed in seen:
        expected = case.outcomes[actor.name]
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


# --- Setting up: users and data beyond the demo -------------------------------------------------


async def extra_users(db: Database) -> None:
    """kantoor.y: a provider user of a second office, with every right there (none here).
    manager.allrights: a second manager of Verkoop holding every employer-level right, which
    shows that "never department managers" does not depend on the rights a manager holds."""
    office = await factories.provider(db, "Kantoor Y")
    await factories.user(
        db, "kantoor.y", UserType.PROVIDER, provider_id=office, rights=tuple(m.Right)
    )
    async with db.reader() as s:
        verkoop = await s.scalar(select(m.Department).where(m.Department.name == "Verkoop"))
    manager = await factories.user(
        db,
        "manager.allrights",
        UserType.DEPARTMENT_MANAGER,
        employer_id=verkoop.employer_id,
        rights=tuple(r for r in m.Right if r not in PROVIDER_ONLY_RIGHTS),
        rights_at=verkoop.employer_id,
    )
    async with db.writer() as s:
        s.add(m.UserDepartment(user_id=int(from_global_id(manager)[1]), department_id=verkoop.id))


CLAIM = """mutation ($c: ID!) { submitExpenseClaim(input: {componentId: $c, value: "12"}) {
  instance { id openTask { id } } errors { code } } }"""
ADDRESS = """mutation { submitAddressUpdate(input: {street: "Laan", houseNumber: "1",
  postcode: "1234 AB", city: "Ede"}) { instance { id openTask { id kind } } errors { code } } }"""
APPROVE = "mutation ($id: ID!) { approveTask(input: {taskId: $id}) { errors { code } } }"
ACTIVATE = """mutation ($e: ID!, $t: WorkflowType!) { setWorkflowActive(input: {employerId: $e,
  type: $t, active: true}) { errors { code } } }"""
CREATE_ROLE = """mutation ($n: String!) { createRole(input: {name: $n}) {
  role { id } errors { code } } }"""
LINK_ROLE = """mutation ($r: ID!, $u: ID!, $e: ID!) { linkRole(input: {roleId: $r, userId: $u,
  employerId: $e}) { roleLink { id } errors { code } } }"""
MIGRATE = """mutation ($e: ID!, $p: [ID!]!) { startMijnLoketMigration(input: {employerId: $e,
  employeeIds: $p}) { errors { code } } }"""
EXPORT = """mutation ($e: ID!) { exportProcessOverview(input: {employerId: $e, tab: OPEN}) {
  export { id } errors { code } } }"""


def _payload(result: dict[str, Any], name: str) -> dict[str, Any]:
    payload = result["data"][name]
    assert payload["errors"] == [], result
    return payload


async def submitted_claim(ctx: Ctx, subject: int) -> dict[str, str]:
    """An expense claim of the subject, waiting for approval: its {instance, task} ids."""
    variables = {"c": await component_id(ctx.db, "Kilometers onbelast")}
    result = await ctx.graphql(CLAIM, variables, as_user=f"wn{subject:03d}")
    instance = _payload(result, "submitExpenseClaim")["instance"]
    return {"instance": instance["id"], "task": instance["openTask"]["id"]}


async def claims_of_both(ctx: Ctx) -> None:
    """An open claim of wn001 (Verkoop) and one of wn005 (Magazijn), for the lists."""
    for number in (1, 5):
        await submitted_claim(ctx, number)


async def activate_workflows(ctx: Ctx, *types: str) -> None:
    for type_ in types:
        variables = {"e": await ctx.ids.employer(), "t": type_}
        _payload(
            await ctx.graphql(ACTIVATE, variables, as_user="werkgever.hr"), "setWorkflowActive"
        )


async def personal_data_workflows(ctx: Ctx) -> None:
    await activate_workflows(
        ctx, "MARITAL_STATUS_UPDATE", "EMERGENCY_CONTACTS_UPDATE", "IBAN_UPDATE"
    )


async def contract_extensions(ctx: Ctx) -> None:
    """The workflow on, and fixed-term contracts for wn001 and wn005 (so extending is valid)."""
    await activate_workflows(ctx, "CONTRACT_EXTENSION")
    async with ctx.db.writer() as s:
        await s.execute(
            update(m.Employee)
            .where(m.Employee.employee_number.in_([1, 5]))
            .values(contract_end=dt.date(2026, 12, 31))
        )


async def terminations(ctx: Ctx) -> None:
    await activate_workflows(ctx, "EMPLOYMENT_TERMINATION")


async def started_migration(ctx: Ctx) -> None:
    """A collective action in the message centre (wn041 moved to MijnLoket)."""
    variables = {"e": await ctx.ids.employer(), "p": [await ctx.ids.employee(41)]}
    _payload(
        await ctx.graphql(MIGRATE, variables, as_user="kantoor.admin"), "startMijnLoketMigration"
    )


async def export_of_hr(ctx: Ctx) -> None:
    """An export of the process overview, asked for by werkgever.hr."""
    result = await ctx.graphql(EXPORT, {"e": await ctx.ids.employer()}, as_user="werkgever.hr")
    ctx.memo["export"] = _payload(result, "exportProcessOverview")["export"]["id"]


# --- Variables for an actor's subject ----------------------------------------------------------


async def employer(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"e": await ctx.ids.employer()}


async def subject_employee(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"id": await ctx.ids.employee(subject)}


async def claim_instance(ctx: Ctx, subject: int) -> dict[str, Any]:
    """A new open claim of the subject."""
    return {"id": (await submitted_claim(ctx, subject))["instance"]}


async def claim_task(ctx: Ctx, subject: int) -> dict[str, Any]:
    """The approval of a new claim of the subject."""
    return {"id": (await submitted_claim(ctx, subject))["task"]}


async def approved_claim(ctx: Ctx, subject: int) -> dict[str, Any]:
    """A new claim of the subject, approved by the office (COMPLETED)."""
    submitted = await submitted_claim(ctx, subject)
    result = await ctx.graphql(APPROVE, {"id": submitted["task"]}, as_user="kantoor.admin")
    _payload(result, "approveTask")
    return {"id": submitted["instance"]}


async def address_task(ctx: Ctx, subject: int) -> dict[str, Any]:
    """The open TASK (for role Salarisprofessional) of a new address update of the subject."""
    result = await ctx.graphql(ADDRESS, as_user=f"wn{subject:03d}")
    task = _payload(result, "submitAddressUpdate")["instance"]["openTask"]
    assert task["kind"] == "TASK", result
    return {"id": task["id"]}


async def overview_of_subject(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"e": await ctx.ids.employer(), "f": {"employeeIds": [await ctx.ids.employee(subject)]}}


async def tasks_of_subject(ctx: Ctx, subject: int) -> dict[str, Any]:
    """The task centre narrowed to the subject's expense claims."""
    async with ctx.db.reader() as s:
        name = await s.scalar(select(m.Employee.name).where(m.Employee.employee_number == subject))
    return {"f": {"employeeSearch": name, "types": ["EXPENSE_CLAIM"]}}


async def claim_input(ctx: Ctx, subject: int) -> dict[str, Any]:
    component = await component_id(ctx.db, "Kilometers onbelast")
    return {"c": component, "id": await ctx.ids.employee(subject)}


async def new_role_name(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"n": f"Nieuwe rol {next(ctx.serial)}"}


async def hr_role(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"r": await ctx.ids.role("HR")}


async def unused_role(ctx: Ctx, subject: int) -> dict[str, Any]:
    """A new role of the demo office, linked to nobody."""
    variables = {"n": f"Matrixrol {next(ctx.serial)}"}
    result = await ctx.graphql(CREATE_ROLE, variables, as_user="kantoor.admin")
    return {"r": _payload(result, "createRole")["role"]["id"]}


async def role_for_hr(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {
        "r": await ctx.ids.role("Directie"),
        "u": await ctx.ids.user("werkgever.hr"),
        "e": await ctx.ids.employer(),
    }


async def role_link(ctx: Ctx, subject: int) -> dict[str, Any]:
    """A new role linked to werkgever.directie at the demo employer."""
    variables = {
        "r": (await unused_role(ctx, subject))["r"],
        "u": await ctx.ids.user("werkgever.directie"),
        "e": await ctx.ids.employer(),
    }
    result = await ctx.graphql(LINK_ROLE, variables, as_user="kantoor.admin")
    return {"l": _payload(result, "linkRole")["roleLink"]["id"]}


async def directie_at_employer(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"u": await ctx.ids.user("werkgever.directie"), "e": await ctx.ids.employer()}


async def directie_for_subject(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"id": await ctx.ids.employee(subject), "u": await ctx.ids.user("werkgever.directie")}


async def fuel_component(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"c": await component_id(ctx.db, "Brandstofkosten")}


async def werknemerloket_employee(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"e": await ctx.ids.employer(), "p": [await ctx.ids.employee(41)]}


async def expense_claim_definition(ctx: Ctx, subject: int) -> dict[str, Any]:
    employer_pk = from_global_id(await ctx.ids.employer())[1]
    return {"d": to_global_id("WorkflowDefinition", f"{employer_pk}.EXPENSE_CLAIM")}


async def hr_export(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"id": ctx.memo["export"]}


def total_count(data: Any) -> int:
    return data["totalCount"]


# --- The office's set-up (issue 16) ------------------------------------------------------------


async def new_employer_name(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"n": f"Nieuwe werkgever {next(ctx.serial)}"}


async def demo_employer_named(ctx: Ctx, subject: int) -> dict[str, Any]:
    """The demo employer, "renamed" to its own name: allowed, and the next actor still finds it."""
    return {"e": await ctx.ids.employer(), "n": "De Ideale Klant B.V."}


async def new_department_name(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"e": await ctx.ids.employer(), "n": f"Nieuwe afdeling {next(ctx.serial)}"}


async def _department(ctx: Ctx, name: str) -> str:
    async with ctx.db.reader() as s:
        pk = await s.scalar(select(m.Department.id).where(m.Department.name == name))
    return to_global_id("Department", pk)


async def magazijn_named(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"d": await _department(ctx, "Magazijn"), "n": "Magazijn"}


async def verkoop_managers(ctx: Ctx, subject: int) -> dict[str, Any]:
    """Verkoop with the managers it has (manager.verkoop, manager.allrights): nothing changes."""
    users = [await ctx.ids.user(u) for u in ("manager.verkoop", "manager.allrights")]
    return {"d": await _department(ctx, "Verkoop"), "u": users}


async def signatory(ctx: Ctx, subject: int) -> dict[str, Any]:
    return {"w": f"Ondertekenaar {next(ctx.serial)}"}


async def new_employer_user(ctx: Ctx, subject: int) -> dict[str, Any]:
    """createUser: a fresh username at the demo employer, for each actor."""
    return {"e": await ctx.ids.employer(), "n": f"werkgever.matrix{next(ctx.serial)}"}


async def staff_user_to_deactivate(ctx: Ctx, subject: int) -> dict[str, Any]:
    """deactivateUser: a fresh employer user of the demo employer, for each actor."""
    employer_pk = int(from_global_id(await ctx.ids.employer())[1])
    username = f"werkgever.weg{next(ctx.serial)}"
    user = await factories.user(ctx.db, username, UserType.EMPLOYER, employer_id=employer_pk)
    return {"u": user}


async def new_component_set(ctx: Ctx, subject: int) -> dict[str, Any]:
    """createComponentSet: a fresh set name at the demo employer, for each actor."""
    return {"e": await ctx.ids.employer(), "n": f"Matrixset {next(ctx.serial)}"}


async def on_call_set(ctx: Ctx, subject: int) -> dict[str, Any]:
    """The demo's on-call workers' set (found once: an actor may rename it), and a fresh name
    (for the set or a component)."""
    if "on_call_set" not in ctx.memo:
        async with ctx.db.reader() as s:
            pk = await s.scalar(
                select(m.ComponentSet.id).where(m.ComponentSet.name == "Oproepkrachten")
            )
        ctx.memo["on_call_set"] = to_global_id("ComponentSet", pk)
    return {"s": ctx.memo["on_call_set"], "n": f"Matrixnaam {next(ctx.serial)}"}
