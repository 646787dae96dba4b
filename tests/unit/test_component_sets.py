"""The component set use cases without HTTP (issue 16 point 3, DOMAIN.md section 8):
createComponentSet, updateComponentSet, setDefaultComponentSet, addComponent, updateComponent,
archiveComponent; what they return, what the database and the administration log hold, what
they refuse; and that a new rate never changes a submitted claim."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.db import models as m
from app.db.claims import entitlement_of
from app.db.principals import load_principal
from app.domain.errors import DomainError, ErrorCode
from app.domain.validation import Unit
from app.resolvers.add_component import AddComponent, add_component
from app.resolvers.archive_component import ArchiveComponent, archive_component
from app.resolvers.create_component_set import CreateComponentSet, create_component_set
from app.resolvers.set_default_component_set import (
    SetDefaultComponentSet,
    set_default_component_set,
)
from app.resolvers.submit_expense_claim import SubmitExpenseClaim, submit_expense_claim
from app.resolvers.update_component import UpdateComponent, update_component
from app.resolvers.update_component_set import UpdateComponentSet, update_component_set
from app.schema.ids import decode_id, to_global_id
from tests import factories

EDITOR = "werkgever.hr"


async def refused(use_case, handler, command, user: str = EDITOR) -> tuple[str, list[str] | None]:
    with pytest.raises(DomainError) as error:
        await use_case(user, handler, command)
    return error.value.code, error.value.field


async def sets(db, employer: str) -> dict[str, bool]:
    """Set name -> is default, of the employer."""
    async with db.reader() as s:
        rows = await s.execute(
            select(m.ComponentSet.name, m.ComponentSet.is_default).where(
                m.ComponentSet.employer_id == decode_id(employer, "Employer")
            )
        )
        return {name: is_default for name, is_default in rows}


async def set_id(db, name: str) -> str:
    async with db.reader() as s:
        pk = await s.scalar(select(m.ComponentSet.id).where(m.ComponentSet.name == name))
    return to_global_id("ComponentSet", pk)


async def component(db, name: str) -> m.Component:
    async with db.reader() as s:
        return await s.scalar(select(m.Component).where(m.Component.name == name))


async def component_id(db, name: str) -> str:
    return to_global_id("Component", (await component(db, name)).id)


async def log(db, action: str) -> list[m.AdministrationEntry]:
    async with db.reader() as s:
        stmt = select(m.AdministrationEntry).where(m.AdministrationEntry.action == action)
        return list(await s.scalars(stmt.order_by(m.AdministrationEntry.id)))


async def user_pk(db, username: str) -> int:
    async with db.reader() as s:
        return await s.scalar(select(m.User.id).where(m.User.username == username))


# --- createComponentSet ------------------------------------------------------------------------


async def test_a_set_is_created_beside_the_default(use_case, db, ids):
    employer = await ids.employer()
    view = await use_case(
        EDITOR, create_component_set, CreateComponentSet(employer, "  Chauffeurs  ")
    )
    assert (view.row.name, view.row.is_default, view.components) == ("Chauffeurs", False, [])
    assert await sets(db, employer) == {
        "Standaard": True,
        "Oproepkrachten": False,
        "Chauffeurs": False,
    }
    [entry] = await log(db, "createComponentSet")
    assert (entry.subject_type, entry.subject_id, entry.employer_id) == (
        "ComponentSet",
        view.row.id,
        decode_id(employer, "Employer"),
    )
    assert entry.actor_id == await user_pk(db, EDITOR)
    assert entry.details == {"changed": ["name"]}


async def test_the_first_set_of_an_employer_becomes_its_default(use_case, db):
    employer = await factories.employer(db, "Nieuwe Klant B.V.")
    first = await use_case(
        "kantoor.admin", create_component_set, CreateComponentSet(employer, "Standaard")
    )
    second = await use_case(
        "kantoor.admin", create_component_set, CreateComponentSet(employer, "Oproep")
    )
    assert (first.row.is_default, second.row.is_default) == (True, False)
    assert (await log(db, "createComponentSet"))[0].details == {"changed": ["name", "isDefault"]}


async def test_a_set_name_is_unique_per_employer_case_aside(use_case, db, ids):
    employer = await ids.employer()
    command = CreateComponentSet(employer, "standaard")
    assert await refused(use_case, create_component_set, command) == (
        ErrorCode.NAME_TAKEN,
        ["name"],
    )
    # Another employer may use the name.
    other = await factories.employer(db, "Buur B.V.")
    view = await use_case("kantoor.admin", create_component_set, CreateComponentSet(other, "Std"))
    assert view.row.name == "Std"
    assert await log(db, "createComponentSet") != []


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "Set\x07"])
async def test_a_bad_set_name_is_refused(use_case, db, ids, name):
    command = CreateComponentSet(await ids.employer(), name)
    assert await refused(use_case, create_component_set, command) == (
        ErrorCode.INVALID_VALUE,
        ["name"],
    )
    assert len(await sets(db, await ids.employer())) == 2


async def test_an_employer_out_of_reach_is_not_found(use_case, db):
    other = await factories.employer(db, "Buur B.V.")
    command = CreateComponentSet(other, "Eigen")
    assert await refused(use_case, create_component_set, command) == (
        ErrorCode.NOT_FOUND,
        ["employerId"],
    )
    assert await sets(db, other) == {}


# --- updateComponentSet ------------------------------------------------------------------------


async def test_a_set_is_renamed(use_case, db, ids):
    on_call = await set_id(db, "Oproepkrachten")
    view = await use_case(EDITOR, update_component_set, UpdateComponentSet(on_call, "Oproep"))
    assert view.row.name == "Oproep"
    assert [c.name for c in view.components] == ["Gewerkte uren", "Gewerkte dagen"]
    assert await sets(db, await ids.employer()) == {"Standaard": True, "Oproep": False}
    [entry] = await log(db, "updateComponentSet")
    assert entry.subject_id == decode_id(on_call, "ComponentSet")
    assert entry.details == {"changed": ["name"]}
    # The same name again changes nothing and logs nothing; another case is a change.
    await use_case(EDITOR, update_component_set, UpdateComponentSet(on_call, "Oproep"))
    await use_case(EDITOR, update_component_set, UpdateComponentSet(on_call, "OPROEP"))
    assert len(await log(db, "updateComponentSet")) == 2


async def test_a_set_cannot_take_the_name_of_another(use_case, db, ids):
    command = UpdateComponentSet(await set_id(db, "Oproepkrachten"), "STANDAARD")
    assert await refused(use_case, update_component_set, command) == (
        ErrorCode.NAME_TAKEN,
        ["name"],
    )
    assert "Oproepkrachten" in await sets(db, await ids.employer())


# --- setDefaultComponentSet --------------------------------------------------------------------


async def test_exactly_one_default_afterwards(use_case, db, ids):
    employer = await ids.employer()
    standard, on_call = await set_id(db, "Standaard"), await set_id(db, "Oproepkrachten")
    view = await use_case(EDITOR, set_default_component_set, SetDefaultComponentSet(on_call))
    assert view.row.is_default and len(view.components) == 2
    assert await sets(db, employer) == {"Standaard": False, "Oproepkrachten": True}
    [entry] = await log(db, "setDefaultComponentSet")
    assert entry.details == {
        "changed": ["isDefault"],
        "previous_default_set_ids": [decode_id(standard, "ComponentSet")],
    }
    # Once more: nothing changes, nothing is logged.
    await use_case(EDITOR, set_default_component_set, SetDefaultComponentSet(on_call))
    assert len(await log(db, "setDefaultComponentSet")) == 1
    # And back (the new default has the lower id: the old one must step down first).
    await use_case(EDITOR, set_default_component_set, SetDefaultComponentSet(standard))
    assert await sets(db, employer) == {"Standaard": True, "Oproepkrachten": False}


async def test_employees_without_a_deviating_set_follow_the_default(use_case, db, ids):
    await use_case(
        EDITOR,
        set_default_component_set,
        SetDefaultComponentSet(await set_id(db, "Oproepkrachten")),
    )
    async with db.writer() as session:
        principal = await load_principal(session, "wn001")
        employee = await session.scalar(select(m.Employee).where(m.Employee.employee_number == 1))
        entitled = await entitlement_of(session, principal, employee)
    assert [c.name for c in entitled.components()] == ["Gewerkte uren", "Gewerkte dagen"]


async def test_a_set_of_another_employer_is_not_found(use_case, db):
    other = await factories.employer(db, "Buur B.V.")
    foreign = await use_case("kantoor.admin", create_component_set, CreateComponentSet(other, "B"))
    command = SetDefaultComponentSet(to_global_id("ComponentSet", foreign.row.id))
    assert await refused(use_case, set_default_component_set, command) == (
        ErrorCode.NOT_FOUND,
        ["componentSetId"],
    )
    command = SetDefaultComponentSet(to_global_id("Employer", 1))
    assert await refused(use_case, set_default_component_set, command) == (
        ErrorCode.INVALID_ID,
        ["componentSetId"],
    )


# --- addComponent ------------------------------------------------------------------------------


async def test_a_kilometre_component_with_its_rate(use_case, db):
    on_call = await set_id(db, "Oproepkrachten")
    command = AddComponent(on_call, " Reiskilometers ", Unit.KM, Decimal("0.19"), " Km ")
    row = await use_case(EDITOR, add_component, command)
    assert (row.name, row.unit, row.rate, row.label, row.archived_at) == (
        "Reiskilometers", Unit.KM, Decimal("0.1900"), "Km", None
    )  # fmt: skip
    stored = await component(db, "Reiskilometers")
    assert (stored.set_id, stored.employer_id, stored.rate) == (
        decode_id(on_call, "ComponentSet"),
        (await component(db, "Gewerkte uren")).employer_id,
        Decimal("0.19"),
    )
    [entry] = await log(db, "addComponent")
    assert (entry.subject_type, entry.subject_id) == ("Component", row.id)
    assert entry.details == {
        "changed": ["name", "unit", "rate", "label"],
        "component_set_id": decode_id(on_call, "ComponentSet"),
        "unit": "KM",
        "rate": "0.1900",
    }


@pytest.mark.parametrize(
    ("unit", "rate", "stored"),
    [
        (Unit.EUR, None, None),
        (Unit.DAYS, None, None),
        (Unit.DAYS, Decimal("2.35"), Decimal("2.35")),  # a homeworking allowance per day
        (Unit.HOURS, Decimal("0"), Decimal("0")),
        (Unit.KM, Decimal("0.2300"), Decimal("0.23")),
        (Unit.KM, Decimal("10"), Decimal("10")),
    ],
)
async def test_rates_by_unit(use_case, db, unit, rate, stored):
    command = AddComponent(await set_id(db, "Standaard"), "Nieuw", unit, rate)
    row = await use_case(EDITOR, add_component, command)
    assert row.rate == stored


@pytest.mark.parametrize(
    ("unit", "rate"),
    [
        (Unit.KM, None),  # kilometres need a rate
        (Unit.EUR, Decimal("1")),  # euros take none
        (Unit.KM, Decimal("-0.01")),
        (Unit.KM, Decimal("0.00001")),  # more than 4 decimals
        (Unit.KM, Decimal("10.0001")),
        (Unit.KM, Decimal("23")),  # 23 for 0,23
        (Unit.HOURS, Decimal("1000.01")),
        (Unit.KM, Decimal("NaN")),
        (Unit.KM, Decimal("sNaN")),
        (Unit.KM, Decimal("Infinity")),
        (Unit.KM, Decimal("1E+999999999")),
        (Unit.KM, Decimal("1E-999999999")),
    ],
)
async def test_bad_rates_are_refused(use_case, db, unit, rate):
    command = AddComponent(await set_id(db, "Standaard"), "Nieuw", unit, rate)
    assert await refused(use_case, add_component, command) == (ErrorCode.INVALID_VALUE, ["rate"])
    assert await component(db, "Nieuw") is None
    assert await log(db, "addComponent") == []


async def test_a_component_name_is_unique_in_its_set(use_case, db):
    standard, on_call = await set_id(db, "Standaard"), await set_id(db, "Oproepkrachten")
    command = AddComponent(standard, "brandstofkosten", Unit.EUR)
    assert await refused(use_case, add_component, command) == (ErrorCode.NAME_TAKEN, ["name"])
    # Another set may have a component of that name.
    row = await use_case(EDITOR, add_component, AddComponent(on_call, "Brandstofkosten", Unit.EUR))
    assert row.set_id == decode_id(on_call, "ComponentSet")


async def test_an_archived_component_keeps_its_name_taken(use_case, db):
    fuel = await component_id(db, "Brandstofkosten")
    await use_case(EDITOR, archive_component, ArchiveComponent(fuel))
    command = AddComponent(await set_id(db, "Standaard"), "Brandstofkosten", Unit.EUR)
    assert await refused(use_case, add_component, command) == (ErrorCode.NAME_TAKEN, ["name"])


# --- updateComponent ---------------------------------------------------------------------------


async def test_name_label_and_rate_are_replaced(use_case, db):
    km = await component_id(db, "Kilometers onbelast")
    command = UpdateComponent(km, "Kilometers zakelijk", "  ", Decimal("0.25"))
    row = await use_case(EDITOR, update_component, command)
    assert (row.name, row.label, row.rate) == ("Kilometers zakelijk", None, Decimal("0.25"))
    stored = await component(db, "Kilometers zakelijk")
    assert (stored.label, stored.rate, stored.unit) == (None, Decimal("0.25"), Unit.KM)
    [entry] = await log(db, "updateComponent")
    assert entry.details == {
        "changed": ["name", "label", "rate"],
        "rate": {"from": "0.2300", "to": "0.2500"},
    }
    # The same values again: nothing changes, nothing is logged.
    await use_case(
        EDITOR, update_component, UpdateComponent(km, "Kilometers zakelijk", None, row.rate)
    )
    assert len(await log(db, "updateComponent")) == 1


async def test_what_is_left_out_is_kept(use_case, db):
    km = await component_id(db, "Kilometers onbelast")
    row = await use_case(EDITOR, update_component, UpdateComponent(km, rate=Decimal("0.25")))
    assert (row.name, row.label, row.rate) == (
        "Kilometers onbelast",
        "Zakelijke kilometers",
        Decimal("0.25"),
    )
    row = await use_case(EDITOR, update_component, UpdateComponent(km, label="Km"))
    assert (row.name, row.label, row.rate) == ("Kilometers onbelast", "Km", Decimal("0.25"))
    assert [e.details["changed"] for e in await log(db, "updateComponent")] == [["rate"], ["label"]]
    # A rate cleared where the unit allows it.
    days = await component_id(db, "Thuiswerkdagen")
    await use_case(EDITOR, update_component, UpdateComponent(days, rate=Decimal("2.35")))
    row = await use_case(EDITOR, update_component, UpdateComponent(days, rate=None))
    assert row.rate is None and (await component(db, "Thuiswerkdagen")).rate is None


async def test_update_refusals_change_nothing(use_case, db):
    km = await component_id(db, "Kilometers onbelast")
    before = await component(db, "Kilometers onbelast")
    rate = Decimal("0.23")
    cases = [
        (UpdateComponent(km, "Kilometers belast", None, rate), ErrorCode.NAME_TAKEN, "name"),
        (UpdateComponent(km, "Kilometers onbelast", None, None), ErrorCode.INVALID_VALUE, "rate"),
        (UpdateComponent(km, "", None, rate), ErrorCode.INVALID_VALUE, "name"),
        (UpdateComponent(km, name=None), ErrorCode.INVALID_VALUE, "name"),
        (UpdateComponent(km, rate=Decimal("0.000001")), ErrorCode.INVALID_VALUE, "rate"),
        (UpdateComponent(km, "Km", "\x00", rate), ErrorCode.INVALID_VALUE, "label"),
    ]
    for command, code, field in cases:
        assert await refused(use_case, update_component, command) == (code, [field])
    after = await component(db, "Kilometers onbelast")
    assert (after.name, after.label, after.rate) == (before.name, before.label, before.rate)
    assert await log(db, "updateComponent") == []


async def test_a_new_rate_never_changes_a_submitted_claim(use_case, db):
    km = await component_id(db, "Kilometers onbelast")
    first = await use_case("wn001", submit_expense_claim, SubmitExpenseClaim(km, Decimal("42")))
    await use_case(
        EDITOR, update_component, UpdateComponent(km, "Kilometers onbelast", None, Decimal("0.30"))
    )
    second = await use_case("wn001", submit_expense_claim, SubmitExpenseClaim(km, Decimal("42")))
    async with db.reader() as s:
        rows = await s.execute(select(m.ExpenseClaim.instance_id, m.ExpenseClaim.amount))
        amounts = {instance: amount for instance, amount in rows}
    assert amounts == {first: Decimal("9.66"), second: Decimal("12.60")}  # 42 × 0,23; × 0,30


# --- archiveComponent --------------------------------------------------------------------------


async def test_an_archived_component_is_no_longer_declarable(use_case, db):
    km = await component_id(db, "Kilometers onbelast")
    earlier = await use_case("wn001", submit_expense_claim, SubmitExpenseClaim(km, Decimal("10")))
    row = await use_case(EDITOR, archive_component, ArchiveComponent(km))
    assert row.archived_at is not None
    stored = await component(db, "Kilometers onbelast")
    assert stored.archived_at is not None  # archived, not deleted
    [entry] = await log(db, "archiveComponent")
    assert (entry.subject_id, entry.details) == (stored.id, {"changed": ["archivedAt"]})

    command = SubmitExpenseClaim(km, Decimal("10"))
    assert await refused(use_case, submit_expense_claim, command, user="wn001") == (
        ErrorCode.COMPONENT_NOT_DECLARABLE,
        ["componentId"],
    )
    async with db.writer() as session:
        principal = await load_principal(session, "wn001")
        employee = await session.scalar(select(m.Employee).where(m.Employee.employee_number == 1))
        offered = [
            c.name for c in (await entitlement_of(session, principal, employee)).components()
        ]
        claim = await session.get(m.ExpenseClaim, earlier)
    assert "Kilometers onbelast" not in offered and "Kilometers belast" in offered
    assert (claim.component_id, claim.amount) == (stored.id, Decimal("2.30"))

    # Archiving again changes nothing: the first moment stays, no second log entry.
    again = await use_case(EDITOR, archive_component, ArchiveComponent(km))
    assert again.archived_at == stored.archived_at
    assert len(await log(db, "archiveComponent")) == 1


async def test_a_component_of_another_office_is_not_found(use_case, db):
    office = await factories.provider(db, "Kantoor Y")
    other = await factories.employer(db, "Vreemd B.V.", provider_id=office)
    async with db.writer() as s:
        foreign_set = m.ComponentSet(employer_id=decode_id(other, "Employer"), name="Y")
        s.add(foreign_set)
        await s.flush()
        foreign = m.Component(
            employer_id=foreign_set.employer_id, set_id=foreign_set.id, name="Y", unit=Unit.EUR
        )
        s.add(foreign)
        await s.flush()
        foreign_id = to_global_id("Component", foreign.id)
    for handler, command in (
        (archive_component, ArchiveComponent(foreign_id)),
        (update_component, UpdateComponent(foreign_id, "Z")),
    ):
        assert await refused(use_case, handler, command, user="kantoor.admin") == (
            ErrorCode.NOT_FOUND,
            ["componentId"],
        )
    assert (await component(db, "Y")).archived_at is None


async def test_concurrent_changes_of_the_default_leave_exactly_one(use_case, db, ids):
    employer = await ids.employer()
    extra = await use_case(EDITOR, create_component_set, CreateComponentSet(employer, "Extra"))
    candidates = [
        await set_id(db, "Standaard"),
        await set_id(db, "Oproepkrachten"),
        to_global_id("ComponentSet", extra.row.id),
    ]
    await asyncio.gather(
        *(
            use_case(EDITOR, set_default_component_set, SetDefaultComponentSet(s))
            for s in candidates * 4
        )
    )
    assert sum((await sets(db, employer)).values()) == 1
