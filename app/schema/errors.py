"""`UserError`: an expected business failure, returned as data in a mutation's payload."""

from __future__ import annotations

import strawberry

from app.domain.errors import DomainError
from app.schema.enums import ErrorCode


@strawberry.type(description="An expected failure: `code` for programs, `message` in Dutch.")
class UserError:
    code: ErrorCode
    message: str
    field: list[str] | None = strawberry.field(
        default=None, description="Path of the input field the error is about, if any."
    )

    @classmethod
    def of(cls, error: DomainError) -> UserError:
        return cls(code=error.code, message=error.message, field=error.field)
