"""Schema extensions that give every operation the same lifecycle."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension

from app.domain.errors import AccessError


class CloseReadSession(SchemaExtension):
    """The request's read session ends with the operation, whatever happened in it."""

    async def on_operation(self):
        try:
            yield
        finally:
            context = self.execution_context.context
            if hasattr(context, "close"):
                await context.close()


def _is_unexpected(error: GraphQLError) -> bool:
    """A bug or an outage, not the client's doing: an exception we did not raise on purpose."""
    original = error.original_error
    return original is not None and not isinstance(original, (AccessError, GraphQLError))


class MaskUnexpectedErrors(MaskErrors):
    """In production, unexpected errors reach the client as a bare INTERNAL_SERVER_ERROR; their
    details (SQL, driver messages) stay in the server log. Development shows them in full."""

    def __init__(self) -> None:
        super().__init__(
            should_mask_error=_is_unexpected,
            error_message="Er ging aan onze kant iets mis. Probeer het later opnieuw.",
        )

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR"}
        return masked

    def _process_result(self, result: object) -> None:
        settings = getattr(self.execution_context.context, "settings", None)
        if settings is not None and settings.is_production:
            super()._process_result(result)
