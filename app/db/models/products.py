"""Products per employer and their history."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db.models.base import Base, UTCDateTime, _enum, utcnow
from app.domain.catalogue import MijnLoketVariant, Product


class ProductActivation(Base):
    """Current state of one product at one employer; the history is in `ProductEvent`."""

    __tablename__ = "product_activations"

    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), primary_key=True)
    product: Mapped[Product] = mapped_column(_enum(Product, "product"), primary_key=True)
    active: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ProductEventKind(StrEnum):
    ACTIVATED = "ACTIVATED"
    DEACTIVATED = "DEACTIVATED"
    VARIANT_CHANGED = "VARIANT_CHANGED"


class ProductEvent(Base):
    __tablename__ = "product_events"
    __table_args__ = (Index("ix_product_events_employer_id", "employer_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    kind: Mapped[ProductEventKind] = mapped_column(_enum(ProductEventKind, "product_event_kind"))
    product: Mapped[Product | None] = mapped_column(_enum(Product, "product"))
    variant_before: Mapped[MijnLoketVariant | None] = mapped_column(
        _enum(MijnLoketVariant, "variant_before")
    )
    variant_after: Mapped[MijnLoketVariant | None] = mapped_column(
        _enum(MijnLoketVariant, "variant_after")
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
