"""Component sets through HTTP (issue 16 point 3, DOMAIN.md section 8): createComponentSet,
updateComponentSet, setDefaultComponentSet, addComponent, updateComponent, archiveComponent.
What the user sees, what the database and the administration log hold; a new rate never changes
a submitted claim; an archived component is no longer offered nor declarable, staff still see it.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.db import models as m
from app.schema.ids import decode_id
from tests.api.test_requests import claim, component_id
from tests.conftest import errors_of

EDITOR = "werkgever.hr"
COMPONENT = "id name label displayName unit rate archived archivedAt"
SET = f"id name isDefault components {{ {COMPONENT} }}"
ERRORS = "errors { code message field }"

CREATE_SET = f"""mutation ($e: ID!, $n: String!) {{ createComponentSet(input: {{employerId: $e,
  name: $n}}) {{ componentSet {{ {SET} }} {ERRORS} }} }}"""
UPDATE_SET = f"""mutation ($s: ID!, $n: String!) {{ updateComponentSet(input: {{
  componentSetId: $s, name: $n}}) {{ componentSet {{ {SET} }} {ERRORS} }} }}"""
SET_DEFAULT = f"""mutation ($s: ID!) {{ setDefaultComponentSet(input: {{componentSetId: $s}}) {{
  componentSet {{ {SET} }} {ERRORS} }} }}"""
ADD = f"""mutation ($input: AddComponentInput!) {{ addComponent(input: $input) {{
  component {{ {COMPONENT} }} {ERRORS} }} }}"""
UPDATE = f"""mutation ($input: UpdateComponentInput!) {{ updateComponent(input: $input) {{
  component {{ {COMPONENT} }} {ERRORS} }} }}"""
ARCHIVE = f"""mutation ($c: ID!) {{ archiveComponent(input: {{componentId: $c}}) {{
  component {{ {COMPONENT} }} {ERRORS} }} }}"""
SETS = f"""query ($id: ID!) {{ node(id: $id) {{ ... on Employer {{
  componentSets {{ {SET} }} }} }} }}"""
OFFERED = "{ viewer { employments { declarableComponents { name displayName rate } } } }"
CLAIM_AMOUNT = """query ($id: ID!) { node(id: $id) { ... on WorkflowInstance {
  expenseClaim { value amount component { name rate archived } } } } }"""
OVERVIEW = """query ($e: ID) { processOverview(employerId: $e, tab: OPEN) {
  edges { node { id expenseClaim { value amount component { name } } } } } }"""


async def log(db, action: str) -> list[m.AdministrationEntry]:
    async with db.reader() as s:
        stmt = select(m.AdministrationEntry).where(m.AdministrationEntry.action == action)
        return list(await s.scalars(stmt.order_by(m.AdministrationEntry.id)))


async def sets_of(graphql, employer: str, user: str = EDITOR) -> list[dict]:
    result = await graphql(SETS, {"id": employer}, as_user=user)
    return result["data"]["node"]["componentSets"]


async def offered(graphql, user: str = "wn001") -> list[str]:
    result = await graphql(OFFERED, as_user=user)
    return [c["name"] for c in result["data"]["viewer"]["employments"][0]["declarableComponents"]]


async def test_a_deviating_set_from_nothing_to_declared(graphql, db, ids):
    employer = await ids.employer()
    created = await graphql(CREATE_SET, {"e": employer, "n": " Chauffeurs "}, as_user=EDITOR)
    payload = created["data"]["createComponentSet"]
    assert payload["errors"] == []
    new_set = payload["componentSet"]
    assert (new_set["name"], new_set["isDefault"], new_set["components"]) == (
        "Chauffeurs",
        False,
        [],
    )
    # Listed at once, though still empty.
    assert [(s["name"], s["isDefault"]) for s in await sets_of(graphql, employer)] == [
        ("Standaard", True),
        ("Chauffeurs", False),
        ("Oproepkrachten", False),
    ]

    add = {
        "componentSetId": new_set["id"],
        "name": "Ritkilometers",
        "unit": "KM",
        "rate": "0.19",
        "label": "Gereden kilometers",
    }
    added = (await graphql(ADD, {"input": add}, as_user=EDITOR))["data"]["addComponent"]
    assert added["errors"] == []
    assert {k: added["component"][k] for k in ("name", "displayName", "unit", "rate")} == {
        "name": "Ritkilometers",
        "displayName": "Gereden kilometers",
        "unit": "KM",
        "rate": "0.1900",
    }
    assert (added["component"]["archived"], added["component"]["archivedAt"]) == (False, None)

    renamed = await graphql(UPDATE_SET, {"s": new_set["id"], "n": "Rijders"}, as_user=EDITOR)
    assert renamed["data"]["updateComponentSet"]["componentSet"]["name"] == "Rijders"
    assert [
        c["name"] for c in renamed["data"]["updateComponentSet"]["componentSet"]["components"]
    ] == ["Ritkilometers"]

    # The set becomes the default: wn001 (no deviating set) declares from it at once.
    assert "Kilometers onbelast" in await offered(graphql)
    made = await graphql(SET_DEFAULT, {"s": new_set["id"]}, as_user=EDITOR)
    assert made["data"]["setDefaultComponentSet"]["errors"] == []
    assert made["data"]["setDefaultComponentSet"]["componentSet"]["isDefault"] is True
    listed = await sets_of(graphql, employer)
    assert [(s["name"], s["isDefault"]) for s in listed] == [
        ("Rijders", True),
        ("Oproepkrachten", False),
        ("Standaard", False),
    ]
    assert await offered(graphql) == ["Ritkilometers"]
    declared = await claim(graphql, db, "wn001", name="Ritkilometers", value="100")
    assert declared["errors"] == []
    assert declared["instance"]["expenseClaim"]["amount"] == "19.00"

    async with db.reader() as s:
        defaults = list(
            await s.scalars(
                select(m.ComponentSet.name).where(
                    m.ComponentSet.employer_id == decode_id(employer, "Employer"),
                    m.ComponentSet.is_default,
                )
            )
        )
        row = await s.scalar(select(m.Component).where(m.Component.name == "Ritkilometers"))
    assert defaults == ["Rijders"]
    assert (row.rate, row.label, row.set_id) == (
        Decimal("0.19"),
        "Gereden kilometers",
        decode_id(new_set["id"], "ComponentSet"),
    )
    hr = decode_id(await ids.user(EDITOR), "User")
    for action, subject in (
        ("createComponentSet", "ComponentSet"),
        ("addComponent", "Component"),
        ("updateComponentSet", "ComponentSet"),
        ("setDefaultComponentSet", "ComponentSet"),
    ):
        [entry] = await log(db, action)
        assert (entry.actor_id, entry.subject_type) == (hr, subject), action
        assert entry.employer_id == decode_id(employer, "Employer")


async def test_a_new_rate_never_changes_a_submitted_claim(graphql, db, ids):
    first = (await claim(graphql, db, "wn001", value="42"))["instance"]
    assert first["expenseClaim"]["amount"] == "9.66"  # 42 km × €0,23
    km = await component_id(db, "Kilometers onbelast")
    change = {"componentId": km, "rate": "0.30"}  # name and label left out: kept
    updated = (await graphql(UPDATE, {"input": change}, as_user=EDITOR))["data"]["updateComponent"]
    assert updated["errors"] == []
    assert {k: updated["component"][k] for k in ("name", "label", "rate")} == {
        "name": "Kilometers onbelast",
        "label": "Zakelijke kilometers",
        "rate": "0.3000",
    }

    seen = await graphql(CLAIM_AMOUNT, {"id": first["id"]}, as_user=EDITOR)
    assert seen["data"]["node"]["expenseClaim"] == {
        "value": "42.00",
        "amount": "9.66",
        "component": {"name": "Kilometers onbelast", "rate": "0.3000", "archived": False},
    }
    overview = await graphql(OVERVIEW, {"e": await ids.employer()}, as_user="kantoor.admin")
    [row] = [
        e["node"]
        for e in overview["data"]["processOverview"]["edges"]
        if e["node"]["id"] == first["id"]
    ]
    assert row["expenseClaim"]["amount"] == "9.66"
    second = (await claim(graphql, db, "wn001", value="42"))["instance"]
    assert second["expenseClaim"]["amount"] == "12.60"  # the new rate, for new claims only
    async with db.reader() as s:
        amounts = sorted(await s.scalars(select(m.ExpenseClaim.amount)))
    assert amounts == [Decimal("9.66"), Decimal("12.60")]
    [entry] = await log(db, "updateComponent")
    assert entry.details == {"changed": ["rate"], "rate": {"from": "0.2300", "to": "0.3000"}}


async def test_an_archived_component_is_kept_but_no_longer_declarable(graphql, db, ids):
    earlier = (await claim(graphql, db, "wn001", value="10"))["instance"]
    km = await component_id(db, "Kilometers onbelast")
    archived = (await graphql(ARCHIVE, {"c": km}, as_user=EDITOR))["data"]["archiveComponent"]
    assert archived["errors"] == []
    assert archived["component"]["archived"] is True and archived["component"]["archivedAt"]

    # Employees: no longer offered, and refused when named anyway.
    assert "Kilometers onbelast" not in await offered(graphql)
    refused = await claim(graphql, db, "wn001", value="10")
    assert [(e["code"], e["field"]) for e in refused["errors"]] == [
        ("COMPONENT_NOT_DECLARABLE", ["componentId"])
    ]
    # Staff still see it, marked; the earlier claim keeps it and its amount.
    [standard] = [s for s in await sets_of(graphql, await ids.employer()) if s["isDefault"]]
    kept = next(c for c in standard["components"] if c["name"] == "Kilometers onbelast")
    assert kept["archived"] is True
    seen = await graphql(CLAIM_AMOUNT, {"id": earlier["id"]}, as_user="wn001")
    assert seen["data"]["node"]["expenseClaim"]["amount"] == "2.30"
    assert seen["data"]["node"]["expenseClaim"]["component"]["archived"] is True

    async with db.reader() as s:
        row = await s.scalar(select(m.Component).where(m.Component.name == "Kilometers onbelast"))
        claims = list(await s.scalars(select(m.ExpenseClaim)))
    assert row.archived_at is not None
    assert [(c.component_id, c.amount) for c in claims] == [(row.id, Decimal("2.30"))]
    [entry] = await log(db, "archiveComponent")
    assert (entry.subject_type, entry.subject_id) == ("Component", row.id)


async def test_refusals_say_why_and_change_nothing(graphql, db, ids):
    employer = await ids.employer()
    taken = await graphql(CREATE_SET, {"e": employer, "n": "STANDAARD"}, as_user=EDITOR)
    assert [(e["code"], e["field"]) for e in taken["data"]["createComponentSet"]["errors"]] == [
        ("NAME_TAKEN", ["name"])
    ]
    standard = next(s for s in await sets_of(graphql, employer) if s["isDefault"])["id"]
    for add, field in (
        ({"name": "Km", "unit": "KM"}, "rate"),  # kilometres need a rate
        ({"name": "Km", "unit": "KM", "rate": "0.23001"}, "rate"),
        ({"name": "Km", "unit": "KM", "rate": "-0.23"}, "rate"),
        ({"name": "Tol", "unit": "EUR", "rate": "1"}, "rate"),
        ({"name": "Brandstofkosten", "unit": "EUR"}, "name"),
    ):
        result = await graphql(ADD, {"input": {"componentSetId": standard, **add}}, as_user=EDITOR)
        [error] = result["data"]["addComponent"]["errors"]
        assert error["field"] == [field] and error["message"], add
    async with db.reader() as s:
        names = list(await s.scalars(select(m.Component.name)))
    assert "Km" not in names and "Tol" not in names
    assert await log(db, "addComponent") == [] and await log(db, "createComponentSet") == []


async def test_not_for_department_managers_nor_employees(graphql, db, ids):
    employer = await ids.employer()
    for user in ("manager.verkoop", "wn001", "werkgever.directie"):
        result = await graphql(CREATE_SET, {"e": employer, "n": "Nee"}, as_user=user)
        assert errors_of(result) == ["FORBIDDEN"], user
        fuel = await component_id(db, "Brandstofkosten")
        assert errors_of(await graphql(ARCHIVE, {"c": fuel}, as_user=user)) == ["FORBIDDEN"]
    async with db.reader() as s:
        assert await s.scalar(select(m.ComponentSet).where(m.ComponentSet.name == "Nee")) is None
        fuel_row = await s.scalar(select(m.Component).where(m.Component.name == "Brandstofkosten"))
    assert fuel_row.archived_at is None
