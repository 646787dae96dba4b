"""`GET /exports/{token}`: the file of a READY export, streamed part by part.

The link alone is not enough: the request must carry the `Authorization` of the user who asked
for the export, and that user must still hold process management where the export looked. An
export of someone else answers 404, exactly like an unknown link.
"""

from __future__ import annotations

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from app.db import models as m
from app.db.scoping import restrict
from app.domain.authz import Right, refusal
from app.export.build import may_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message}},
        status_code=status,
        headers={"Cache-Control": "no-store", **headers},
    )


def download_export(graphql, db):
    async def endpoint(request: Request) -> Response:
        principal, error, _expires = await graphql.sign_in(request.headers.get("authorization"))
        if principal is None:
            message = error.message if error else "Log in om dit bestand te downloaden."
            return _error(401, "UNAUTHENTICATED", message, **{"WWW-Authenticate": "Bearer"})
        token = request.path_params["token"]
        async with db.reader() as session:
            export = await session.scalar(
                restrict(select(m.Export).where(m.Export.token == token), principal, m.Export)
            )
            parts = (
                list(
                    await session.scalars(
                        select(m.ExportPart.seq)
                        .where(m.ExportPart.export_id == export.id)
                        .order_by(m.ExportPart.seq)
                    )
                )
                if export is not None
                else []
            )
        if export is None:
            return _error(404, "NOT_FOUND", "Dit bestand bestaat niet (meer).")
        if not may_export(principal, export.employer_id):
            return _error(403, "FORBIDDEN", refusal(Right.PROCESS_MANAGEMENT, where="anywhere"))
        if export.status is not m.ExportStatus.READY:
            return _error(409, "NOT_READY", "Dit bestand is nog niet klaar.")
        if export.expires_at is None or export.expires_at <= m.utcnow() or not parts:
            return _error(410, "EXPIRED", "Deze link is verlopen; vraag de download opnieuw aan.")

        async def body():
            # One part (1 MiB) in memory at a time, each read on its own short session.
            for seq in parts:
                async with db.reader() as session:
                    data = await session.scalar(
                        restrict(
                            select(m.ExportPart.data).where(
                                m.ExportPart.export_id == export.id, m.ExportPart.seq == seq
                            ),
                            principal,
                            m.ExportPart,
                        )
                    )
                if data is None:  # removed meanwhile: break off, never send a short file
                    raise RuntimeError(f"export {export.id}: part {seq} is gone")
                yield data

        return StreamingResponse(
            body(),
            media_type=XLSX,
            headers={
                "Content-Disposition": f'attachment; filename="{export.file_name}"',
                "Content-Length": str(export.size_bytes),
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    return endpoint
