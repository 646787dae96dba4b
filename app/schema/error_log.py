"""How GraphQL errors reach the server log (issue 13, point 12).

strawberry logs every error of every operation at ERROR with its traceback. Most are refusals
the service gives on purpose: NOT_FOUND, FORBIDDEN, UNAUTHENTICATED, BAD_USER_INPUT, a query
limit, the rate limit, a document that does not validate. A client probing ids could fill the
log with 2 kB tracebacks of them and bury the errors that matter. Those refusals are logged at
INFO, one line without a traceback; everything else (a bug, an outage) stays at ERROR with its
traceback, as strawberry logs it.
"""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.utils.logging import StrawberryLogger

from app.domain.errors import AccessError


def is_expected(error: GraphQLError) -> bool:
    """A refusal the service gives on purpose, rather than an error nobody meant."""
    original = error.original_error
    if isinstance(original, AccessError):
        return True
    if original is not None and not isinstance(original, GraphQLError):
        return False  # an exception we did not raise on purpose
    # A request error (syntax, validation, a limit: no path), or a GraphQL error raised on
    # purpose with its code; "Cannot return null for non-nullable field" has neither.
    return error.path is None or "code" in (error.extensions or {})


class Schema(strawberry.Schema):
    """strawberry's Schema, logging expected refusals at INFO without a traceback."""

    def process_errors(self, errors, execution_context=None) -> None:
        unexpected = []
        for error in errors:
            if not is_expected(error):
                unexpected.append(error)
                continue
            code = (error.extensions or {}).get("code", "GRAPHQL_ERROR")
            StrawberryLogger.logger.info(
                "refused %s: %s",
                code,
                error.message,
                extra={"error_code": code, "path": error.path},
            )
        super().process_errors(unexpected, execution_context)


__all__ = ["Schema", "is_expected"]
