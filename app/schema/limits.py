"""Query limits: what a hostile or sloppy client may ask in one operation (issue 8).

Checked before validation, on the parsed document with fragments expanded, so that neither an
operation nor a fragment named `__schema` or `__type`, nor an introspection query, escapes them:
- tokens (counted by graphql-core's lexer before parsing, so a huge document is refused early);
- depth (nesting of fields), aliases, and a cost that multiplies by page sizes: a field costs 1,
  and a connection's selections count `first` times (its default when not given);
- in production, introspection (`__schema`, `__type`) is off altogether.
Each limit comes from the settings; the refusal is a GraphQL error with a stable code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    Source,
    TokenKind,
    VariableNode,
    get_named_type,
)
from graphql.language.lexer import Lexer
from strawberry.extensions import SchemaExtension

from app.db.queries.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

INTROSPECTION = frozenset({"__schema", "__type"})


def _has_surrogate(value: Any, depth: int = 0) -> bool:
    """A lone UTF-16 surrogate anywhere in a string, list or object (nested, bounded)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if depth > 50:
        return False
    if isinstance(value, dict):
        return any(
            _has_surrogate(k, depth + 1) or _has_surrogate(v, depth + 1) for k, v in value.items()
        )
    if isinstance(value, list):
        return any(_has_surrogate(v, depth + 1) for v in value)
    return False


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


class _Walk:
    def __init__(self, schema, fragments, variables: dict[str, Any]):
        self.schema, self.fragments, self.variables = schema, fragments, variables
        self.depth = 0
        self.aliases = 0
        self.introspection = False

    def _first(self, node: FieldNode, field_def) -> int:
        if field_def is None or "first" not in field_def.args:
            return 1
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value = argument.value
            if isinstance(value, IntValueNode):
                return max(1, min(int(value.value), MAX_PAGE_SIZE))
            if isinstance(value, VariableNode):
                given = self.variables.get(value.name.value)
                if isinstance(given, int) and not isinstance(given, bool):
                    return max(1, min(given, MAX_PAGE_SIZE))
                return DEFAULT_PAGE_SIZE if given is None else MAX_PAGE_SIZE
            return MAX_PAGE_SIZE
        return DEFAULT_PAGE_SIZE

    def _fields(self, selections, parent, seen) -> Iterator[tuple[FieldNode, Any]]:
        for node in selections:
            if isinstance(node, FieldNode):
                yield node, parent
            elif isinstance(node, InlineFragmentNode):
                target = parent
                if node.type_condition is not None:
                    target = self.schema.get_type(node.type_condition.name.value) or parent
                yield from self._fields(node.selection_set.selections, target, seen)
            elif isinstance(node, FragmentSpreadNode):
                name = node.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue  # unknown or cyclic: validation refuses it afterwards
                target = self.schema.get_type(fragment.type_condition.name.value) or parent
                yield from self._fields(fragment.selection_set.selections, target, seen | {name})

    def cost(self, selection_set, parent, depth: int, seen=frozenset()) -> int:
        if selection_set is None:
            return 0
        self.depth = max(self.depth, depth)
        total = 0
        for node, owner in self._fields(selection_set.selections, parent, seen):
            name = node.name.value
            if node.alias is not None:
                self.aliases += 1
            if name in INTROSPECTION:
                self.introspection = True
            field_def = owner.fields.get(name) if isinstance(owner, GraphQLObjectType) else None
            if name == "__schema":
                child = self.schema.get_type("__Schema")
            elif name == "__type":
                child = self.schema.get_type("__Type")
            else:
                child = get_named_type(field_def.type) if field_def is not None else None
            inner = self.cost(node.selection_set, child, depth + 1, seen)
            total += 1 + self._first(node, field_def) * inner
        return total


def measure(schema, document, operation_name: str | None, variables: dict[str, Any]) -> _Walk:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walk = _Walk(schema, fragments, variables or {})
    walk.total = 0
    for definition in document.definitions:
        if not isinstance(definition, OperationDefinitionNode):
            continue
        if operation_name and definition.name and definition.name.value != operation_name:
            continue
        root = schema.get_root_type(definition.operation)
        walk.total += walk.cost(definition.selection_set, root, 1)
    return walk


class QueryLimits(SchemaExtension):
    """The limits of `context.settings`, before the document is validated or executed."""

    def _settings(self):
        return getattr(self.execution_context.context, "settings", None)

    def on_parse(self):
        settings, query = self._settings(), self.execution_context.query
        if _has_surrogate(query) or _has_surrogate(self.execution_context.variables):
            # JSON lets a client send "\ud800": text that cannot be stored or sent as UTF-8.
            raise LimitExceeded("BAD_USER_INPUT", "De invoer bevat ongeldige tekens.")
        if settings is not None and query is not None:
            if len(query) > settings.max_query_bytes:
                raise LimitExceeded("QUERY_TOO_LARGE", "Deze query is te groot.")
            if count_tokens(query, settings.max_query_tokens) > settings.max_query_tokens:
                raise LimitExceeded(
                    "TOO_MANY_TOKENS",
                    f"Deze query heeft meer dan {settings.max_query_tokens} onderdelen.",
                )
        yield

    def on_validate(self):
        settings = self._settings()
        document = self.execution_context.graphql_document
        if settings is not None and document is not None:
            walk = measure(
                self.execution_context.schema._schema,
                document,
                self.execution_context.operation_name,
                self.execution_context.variables or {},
            )
            if walk.introspection and settings.is_production:
                raise LimitExceeded("INTROSPECTION_DISABLED", "Introspectie staat uit.")
            if walk.depth > settings.max_query_depth:
                raise LimitExceeded(
                    "QUERY_TOO_DEEP",
                    f"Deze query is {walk.depth} niveaus diep; het maximum is "
                    f"{settings.max_query_depth}.",
                )
            if walk.aliases > settings.max_query_aliases:
                raise LimitExceeded(
                    "TOO_MANY_ALIASES",
                    f"Deze query gebruikt {walk.aliases} aliassen; het maximum is "
                    f"{settings.max_query_aliases}.",
                )
            if walk.total > settings.max_query_cost:
                raise LimitExceeded(
                    "QUERY_TOO_COSTLY",
                    f"Deze query kost {walk.total} punten; het maximum is "
                    f"{settings.max_query_cost}. Vraag kleinere pagina's (first).",
                )
        yield
