"""Products and the derived MijnLoket variant (DOMAIN.md section 2)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.db import models as m
from app.domain.catalogue import Product
from app.schema.ids import decode_id
from tests import factories
from tests.conftest import errors_of

SET = """
mutation ($input: SetProductActiveInput!) {
  setProductActive(input: $input) {
    employer { mijnLoketVariant activeProducts }
    errors { code message field }
  }
}
"""

HISTORY = """
query ($id: ID!) { node(id: $id) { ... on Employer {
  productHistory { totalCount edges { node { kind product variantBefore variantAfter
    user { username } } } }
} } }
"""


async def _set(graphql, employer, product, active, as_user="kantoor.admin"):
    variables = {"input": {"employerId": employer, "product": product, "active": active}}
    return await graphql(SET, variables, as_user=as_user)


async def _rows(db, model) -> int:
    async with db.reader() as s:
        return await s.scalar(select(func.count()).select_from(model))


async def test_variant_follows_the_active_products_up_and_down(graphql, db):
    employer = await factories.employer(db, "Start B.V.", products=(Product.MIJNLOKET,))
    steps = [
        ("MIJNLOKET_EXPENSE_CLAIMS", True, "PLUS"),
        ("MIJNLOKET_PREBOARDING", True, "PRO"),
        ("MIJNLOKET_EXPENSE_CLAIMS", False, "PRO"),  # Preboarding alone keeps it PRO
        ("MIJNLOKET_PREBOARDING", False, "START"),
        ("WORKFLOW_EDITOR", True, "START"),  # additional products leave the variant alone
    ]
    for product, active, variant in steps:
        result = await _set(graphql, employer, product, active)
        payload = result["data"]["setProductActive"]
        assert payload["errors"] == [], (product, payload)
        assert payload["employer"]["mijnLoketVariant"] == variant, (product, active)
        assert (product in payload["employer"]["activeProducts"]) is active

    async with db.reader() as s:
        rows = await s.execute(
            select(m.ProductEvent.kind, m.ProductEvent.product, m.ProductEvent.variant_after)
            .where(m.ProductEvent.employer_id == decode_id(employer, "Employer"))
            .order_by(m.ProductEvent.id)
        )
        events = [(k.value, p.value if p else None, v.name if v else None) for k, p, v in rows]
    assert events == [
        ("ACTIVATED", "MIJNLOKET_EXPENSE_CLAIMS", None),
        ("VARIANT_CHANGED", None, "PLUS"),
        ("ACTIVATED", "MIJNLOKET_PREBOARDING", None),
        ("VARIANT_CHANGED", None, "PRO"),
        ("DEACTIVATED", "MIJNLOKET_EXPENSE_CLAIMS", None),
        ("DEACTIVATED", "MIJNLOKET_PREBOARDING", None),
        ("VARIANT_CHANGED", None, "START"),
        ("ACTIVATED", "WORKFLOW_EDITOR", None),
    ]

    history = await graphql(HISTORY, {"id": employer}, as_user="kantoor.admin")
    newest = history["data"]["node"]["productHistory"]["edges"][0]["node"]
    assert newest == {
        "kind": "ACTIVATED",
        "product": "WORKFLOW_EDITOR",
        "variantBefore": None,
        "variantAfter": None,
        "user": {"username": "kantoor.admin"},
    }
    assert history["data"]["node"]["productHistory"]["totalCount"] == 8


async def test_switching_to_the_current_state_records_nothing(graphql, db, ids):
    before = await _rows(db, m.ProductEvent)
    result = await _set(graphql, await ids.employer(), "MIJNLOKET_PREBOARDING", True)
    assert result["data"]["setProductActive"]["errors"] == []
    assert result["data"]["setProductActive"]["employer"]["mijnLoketVariant"] == "PRO"
    assert await _rows(db, m.ProductEvent) == before


async def test_mijnloket_needs_the_offices_addendum(graphql, db):
    office = await factories.provider(db, "Kantoor zonder addendum", addendum=False)
    await factories.user(
        db, "beheer.z", m.UserType.PROVIDER, provider_id=office, rights=(m.Right.MANAGE_PRODUCTS,)
    )
    employer = await factories.employer(db, "Klant Z", provider_id=office)
    before = await _rows(db, m.ProductActivation)
    result = await _set(graphql, employer, "MIJNLOKET", True, as_user="beheer.z")
    payload = result["data"]["setProductActive"]
    assert payload["employer"] is None
    [error] = payload["errors"]
    assert error["code"] == "ADDENDUM_REQUIRED" and error["field"] == ["product"]
    assert "addendum" in error["message"]
    assert await _rows(db, m.ProductActivation) == before


async def test_mijnloket_features_need_mijnloket_and_keep_it_on(graphql, db):
    employer = await factories.employer(db, "Kaal B.V.")
    refused = await _set(graphql, employer, "MIJNLOKET_EXPENSE_CLAIMS", True)
    [error] = refused["data"]["setProductActive"]["errors"]
    assert (error["code"], error["field"]) == ("PRODUCT_REQUIRED", ["product"])
    assert "MijnLoket" in error["message"]

    assert (await _set(graphql, employer, "MIJNLOKET", True))["data"]["setProductActive"][
        "employer"
    ]["mijnLoketVariant"] == "START"
    await _set(graphql, employer, "MIJNLOKET_EXPENSE_CLAIMS", True)
    events = await _rows(db, m.ProductEvent)
    off = await _set(graphql, employer, "MIJNLOKET", False)
    [error] = off["data"]["setProductActive"]["errors"]
    assert error["code"] == "PRODUCT_IN_USE" and "Declaraties" in error["message"]
    assert await _rows(db, m.ProductEvent) == events  # nothing half-written


async def test_only_holders_of_manage_products_may_switch(graphql, db, ids):
    employer = await ids.employer()
    for user in ("werkgever.hr", "manager.verkoop", "wn001", "kantoor.salaris"):
        result = await _set(graphql, employer, "LEAVE_SCHEME", True, as_user=user)
        assert errors_of(result) == ["FORBIDDEN"], user
        assert result["data"] is None
    assert errors_of(await _set(graphql, employer, "LEAVE_SCHEME", True, as_user=None)) == [
        "UNAUTHENTICATED"
    ]
    async with db.reader() as s:
        assert (
            await s.scalar(
                select(m.ProductActivation).where(
                    m.ProductActivation.product == Product.LEAVE_SCHEME
                )
            )
            is None
        )


async def test_employer_of_another_office_is_not_found(graphql, db):
    office = await factories.provider(db, "Ander kantoor")
    employer = await factories.employer(db, "Klant van een ander", provider_id=office)
    result = await _set(graphql, employer, "LEAVE_SCHEME", True)
    assert errors_of(result) == ["NOT_FOUND"]
    assert errors_of(await _set(graphql, "bm9uc2Vuc2U", "LEAVE_SCHEME", True)) == ["NOT_FOUND"]


async def test_product_history_needs_manage_products(graphql, ids):
    result = await graphql(HISTORY, {"id": await ids.employer()}, as_user="werkgever.hr")
    assert errors_of(result) == ["FORBIDDEN"]


async def test_products_lists_every_product_with_dutch_names(graphql, ids):
    query = """query ($id: ID!) { node(id: $id) { ... on Employer {
        products { product active displayName } } } }"""
    result = await graphql(query, {"id": await ids.employer()}, as_user="werkgever.directie")
    products = {p["product"]: p for p in result["data"]["node"]["products"]}
    assert len(products) == len(Product)
    assert products["MIJNLOKET_EXPENSE_CLAIMS"] == {
        "product": "MIJNLOKET_EXPENSE_CLAIMS",
        "active": True,
        "displayName": "MijnLoket - Declaraties",
    }
    assert products["LEAVE_SCHEME"]["active"] is False
