"""Schema extensions that give every operation the same lifecycle."""

from __future__ import annotations

import logging
import math
import re
import time

from graphql import GraphQLError
from strawberry.extensions import MaskErrors, SchemaExtension
from strawberry.types.graphql import OperationType

from app.domain.errors import AccessError
from app.web.observability import operation, request_id, user
from app.web.ratelimit import MUTATIONS

log = logging.getLogger("loketflow.graphql")


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
        # The client quotes this id; the log line of the original error carries the same one.
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id.get()}
        return masked

    def _process_result(self, result: object) -> None:
        settings = getattr(self.execution_context.context, "settings", None)
        if settings is not None and settings.is_production:
            super()._process_result(result)
            # No field suggestions ("Did you mean ...?"): they would map the schema for a
            # caller who may not introspect it.
            for error in getattr(result, "errors", None) or []:
                error.message = _SUGGESTION.sub("", error.message)


_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def mask_for_client(errors: list[GraphQLError], settings) -> list[GraphQLError]:
    """Errors as MaskUnexpectedErrors leaves them, outside an operation (the live fan-out)."""
    if settings is None or not settings.is_production:
        return errors
    masker = MaskUnexpectedErrors()
    return [masker.anonymise_error(e) if _is_unexpected(e) else e for e in errors]


class ObserveOperations(SchemaExtension):
    """Per operation: the user and operation name on every log line, a log line of its own,
    latency by operation and errors by code in the metrics."""

    async def on_operation(self):
        ctx = self.execution_context.context
        principal = getattr(ctx, "principal", None)
        user_token = user.set(principal.username if principal else None)
        name_token = operation.set(self.execution_context.operation_name)
        started = time.perf_counter()
        refusal = None
        try:
            yield
        except GraphQLError as error:  # a document refused before it ran (app/schema/limits.py)
            refusal = error
            raise
        finally:
            elapsed = time.perf_counter() - started
            try:
                kind = self.execution_context.operation_type.value
            except Exception:  # never parsed: no operation type
                kind = "unknown"
            name = self.execution_context.operation_name or "anonymous"
            result = self.execution_context.result
            codes = [
                (e.extensions or {}).get("code", "GRAPHQL_ERROR")
                for e in (getattr(result, "errors", None) or [])
            ]
            if refusal is not None:
                codes.append((refusal.extensions or {}).get("code", "GRAPHQL_ERROR"))
            metrics = getattr(ctx, "metrics", None)
            if metrics is not None:
                metrics.operations.labels(kind, name).observe(elapsed)
                for code in codes:
                    metrics.errors.labels(code).inc()
            log.info(
                "graphql %s %s %.1f ms",
                kind,
                name,
                elapsed * 1000,
                extra={"duration_ms": round(elapsed * 1000, 1), "error_codes": codes},
            )
            user.reset(user_token)
            operation.reset(name_token)

    def on_parse(self):
        yield
        # Without `operationName` from the client the name is known only now, from the document
        # (the selected operation's own name); the log lines from here on carry it.
        operation.set(self.execution_context.operation_name)


def refuse_for_now(ctx, wait: float, code: str, message: str) -> GraphQLError:
    """A rate-limit refusal: HTTP 429 with Retry-After (whole seconds, rounded up), and the
    same seconds in the error for WebSocket clients, which get no headers."""
    seconds = max(1, math.ceil(wait))
    response = getattr(ctx, "response", None)
    if response is not None and hasattr(response, "status_code"):
        response.status_code = 429
        response.headers["Retry-After"] = str(seconds)
    return GraphQLError(
        message.format(seconds=seconds), extensions={"code": code, "retryAfter": seconds}
    )


class RateLimitMutations(SchemaExtension):
    """Mutations per user per minute (app/web/ratelimit.py): over the limit, a RATE_LIMITED error,
    HTTP 429 and Retry-After, and nothing is executed. Queries spend their cost instead
    (app/schema/limits.py)."""

    async def on_execute(self):
        ctx = self.execution_context.context
        limiter = getattr(ctx, "rate_limiter", None)
        try:
            kind = self.execution_context.operation_type
        except RuntimeError:
            kind = None
        if limiter is not None and kind is OperationType.MUTATION:
            wait = await limiter.hit(MUTATIONS, ctx.rate_limit_key)
            if wait is not None:
                raise refuse_for_now(
                    ctx,
                    wait,
                    "RATE_LIMITED",
                    "Te veel wijzigingen in korte tijd. Probeer het over {seconds} seconden "
                    "opnieuw.",
                )
        yield
