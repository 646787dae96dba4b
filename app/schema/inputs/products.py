"""Inputs of the product mutations."""

from __future__ import annotations

import strawberry

from app.schema.enums import Product


@strawberry.input
class SetProductActiveInput:
    employer_id: strawberry.ID
    product: Product
    active: bool
