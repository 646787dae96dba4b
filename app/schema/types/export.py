"""An Excel download of the process overview: its progress and, once ready, its link."""

from __future__ import annotations

import datetime as dt

import strawberry

from app.db import models as m
from app.db.models import ExportStatus as _ExportStatus
from app.domain.overview import ProcessTab as _ProcessTab
from app.schema.enums import ExportStatus, ProcessTab
from app.schema.types.lazy import LazyEmployer
from app.schema.types.node import Node, global_id, rows_of


def download_url(info: strawberry.Info, token: str) -> str:
    """An absolute link on this service (or on LOKETFLOW_PUBLIC_URL behind a proxy)."""
    ctx = info.context
    base = ctx.settings.public_url
    if not base and ctx.request is not None:
        base = str(ctx.request.base_url).replace("ws://", "http://", 1)
        base = base.replace("wss://", "https://", 1)
    return f"{(base or '').rstrip('/')}/exports/{token}"


@strawberry.type(
    description="An Excel download of the process overview (`exportProcessOverview`). Only "
    "the user who asked can see it and download its file."
)
class Export(Node):
    id: strawberry.ID = global_id("Export")
    is_type_of = rows_of(m.Export)
    row_count: int | None = strawberry.field(
        description="Rows in the file; while running, the rows expected."
    )
    rows_written: int
    file_name: str
    size_bytes: int | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    expires_at: dt.datetime | None = strawberry.field(description="When `url` stops working.")
    error: str | None = strawberry.field(description="Why it failed (Dutch), when FAILED.")

    @strawberry.field
    def status(root) -> ExportStatus:
        return root.status

    @strawberry.field(description="From 0 to 1.")
    def progress(root) -> float:
        if root.status is _ExportStatus.READY:
            return 1.0
        if not root.row_count:
            return 0.0
        return min(1.0, root.rows_written / root.row_count)

    @strawberry.field
    def tab(root) -> ProcessTab:
        return _ProcessTab(root.query["tab"])

    @strawberry.field(description="Null for the overview over all employers.")
    async def employer(root, info: strawberry.Info) -> LazyEmployer | None:
        if root.employer_id is None:
            return None
        return await info.context.loaders.employer.load(root.employer_id)

    @strawberry.field(
        description="`GET` downloads the .xlsx, with the same `Authorization` header as the "
        "API: the link works only for you, and only until `expiresAt`. Null until READY."
    )
    def url(root, info: strawberry.Info) -> str | None:
        if root.status is not _ExportStatus.READY or root.expires_at is None:
            return None
        if root.expires_at <= m.utcnow():
            return None
        return download_url(info, root.token)
