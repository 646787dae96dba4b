"""Query limits: what a hostile or sloppy client may ask in one operation (issue 8).

Checked before validation, on the parsed document with fragments expanded, so that neither an
operation nor a fragment named `__schema` or `__type`, nor an introspection query, escapes them:
- size in UTF-8 bytes, and tokens (counted by graphql-core's lexer before parsing, so a huge
  document is refused early);
- depth (nesting of fields), aliases, and a cost that multiplies by list sizes, measured in
  one pass over the document and stopping at the first limit exceeded (app/schema/cost.py);
- in production, introspection (`__schema`, `__type`) is off altogether;
- `variables`: at most `max_variable_items` items in any list or object, and no lone surrogate.
Each limit comes from the settings; the refusal is a GraphQL error with a stable code. Then
queries and subscriptions spend their cost from the user's budget per minute
(LOKETFLOW_RATE_LIMIT_QUERY_COST_PER_MINUTE, app/web/ratelimit.py), so that many operations each
within the limit cannot hold a process either (issue 13.9).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, Source, TokenKind
from graphql.language.lexer import Lexer
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from app.schema.cost import measure
from app.schema.extensions import refuse_for_now
from app.web.ratelimit import QUERY_COST


def _not_utf8(text: str) -> bool:
    """A lone UTF-16 surrogate: JSON lets a client send "\\ud800", text that cannot be stored or
    sent as UTF-8."""
    if text.isascii():  # a flag in CPython: most text is not encoded to find out
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_variables(variables: Any, max_items: int | None) -> None:
    """Refuse variables with a lone surrogate in any key or string, or a list or object of
    more than `max_items` items (a 300,000-item list held the event loop a second in
    coercion). One pass without recursion, each list or object measured before its items are
    visited, so that no nesting or size makes the check itself expensive."""
    stack = [variables]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if _not_utf8(value):
                raise LimitExceeded("BAD_USER_INPUT", "De invoer bevat ongeldige tekens.")
        elif isinstance(value, (dict, list)):
            if max_items is not None and len(value) > max_items:
                raise LimitExceeded(
                    "BAD_USER_INPUT",
                    f"Een lijst of object in de variabelen heeft hoogstens {max_items} elementen.",
                )
            if isinstance(value, dict):
                stack.extend(value.keys())
                stack.extend(value.values())
            else:
                stack.extend(value)


def _utf8_size(text: str) -> int:
    """Bytes as sent (UTF-8): an accented name counts two. ASCII text (`isascii` reads a flag in
    CPython) is not encoded to find out."""
    return len(text) if text.isascii() else len(text.encode("utf-8"))


class LimitExceeded(GraphQLError):
    def __init__(self, code: str, message: str):
        super().__init__(message, extensions={"code": code})


def count_tokens(query: str, limit: int) -> int:
    """Tokens up to `limit + 1` (enough to refuse), without building a syntax tree."""
    if len(query) <= limit:
        return len(query.split())  # every token is at least one character: cannot be over
    lexer = Lexer(Source(query))
    count = 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
        if count > limit:
            break
    return count


class QueryLimits(SchemaExtension):
    """The limits of `context.settings`, before the document is validated or executed."""

    def _settings(self):
        return getattr(self.execution_context.context, "settings", None)

    def on_parse(self):
        settings, query = self._settings(), self.execution_context.query
        if isinstance(query, str) and _not_utf8(query):
            raise LimitExceeded("BAD_USER_INPUT", "De invoer bevat ongeldige tekens.")
        max_items = settings.max_variable_items if settings is not None else None
        check_variables(self.execution_context.variables, max_items)
        if settings is not None and query is not None:
            size = settings.max_query_bytes
            if len(query) > size or _utf8_size(query) > size:
                raise LimitExceeded("QUERY_TOO_LARGE", "Deze query is te groot.")
            if count_tokens(query, settings.max_query_tokens) > settings.max_query_tokens:
                raise LimitExceeded(
                    "TOO_MANY_TOKENS",
                    f"Deze query heeft meer dan {settings.max_query_tokens} onderdelen.",
                )
        yield

    async def on_validate(self):
        settings = self._settings()
        document = self.execution_context.graphql_document
        if settings is not None and document is not None:
            walk = measure(
                self.execution_context.schema._schema,
                document,
                self.execution_context.operation_name,
                self.execution_context.variables or {},
                (settings.max_query_depth, settings.max_query_aliases, settings.max_query_cost),
            )
            # The walk stops at the first limit exceeded, so the figures may be lower bounds:
            # the messages name the maximum, not the figure.
            if walk.introspection and settings.is_production:
                raise LimitExceeded("INTROSPECTION_DISABLED", "Introspectie staat uit.")
            if walk.depth > settings.max_query_depth:
                raise LimitExceeded(
                    "QUERY_TOO_DEEP",
                    f"Deze query is te diep: het maximum is {settings.max_query_depth} niveaus.",
                )
            if walk.aliases > settings.max_query_aliases:
                raise LimitExceeded(
                    "TOO_MANY_ALIASES",
                    "Deze query gebruikt te veel aliassen: het maximum is "
                    f"{settings.max_query_aliases}.",
                )
            if walk.total > settings.max_query_cost:
                raise LimitExceeded(
                    "QUERY_TOO_COSTLY",
                    f"Deze query kost te veel: het maximum is {settings.max_query_cost} punten. "
                    "Vraag kleinere pagina's (first).",
                )
            await self._spend(walk.total)
        yield

    async def _spend(self, cost: int) -> None:
        """Queries and subscriptions spend their cost from the user's budget per minute
        (mutations count apart, app/schema/extensions.py): refused before they run once it
        is spent, with the seconds until it is enough again."""
        ctx = self.execution_context.context
        limiter = getattr(ctx, "rate_limiter", None)
        if limiter is None:
            return
        try:
            kind = self.execution_context.operation_type
        except RuntimeError:  # no operation to run: validation says why
            return
        if kind is OperationType.MUTATION:
            return
        wait = await limiter.hit(QUERY_COST, ctx.rate_limit_key, cost)
        if wait is not None:
            per_minute = limiter.budgets[QUERY_COST]
            raise refuse_for_now(
                ctx,
                wait,
                "QUERY_BUDGET_EXCEEDED",
                f"U heeft in korte tijd te veel opgevraagd (hoogstens {per_minute} punten per "
                "minuut). Probeer het over {seconds} seconden opnieuw.",
            )
