"""What makes two subscriptions "ask the same thing" (app/events/fanout.py groups them).

Two subscribe messages share one execution when their documents are the same once the root
field's `after` argument is left out, and the variables the rest of the document uses are equal.
`after` only says where one subscriber's catch-up starts; reconnecting clients each send their
own, and must still share. Anything unusual at the root (fragments, directives) is compared as
written: still correct, only not shared with differently written documents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    OperationDefinitionNode,
    VariableNode,
    parse,
    print_ast,
)
from graphql.language import Visitor, visit

STREAM_ONLY_ARGUMENTS = frozenset({"after"})


@dataclass(frozen=True)
class SharedDocument:
    node: DocumentNode
    operation_name: str | None
    key: str  # the document without the root field's `after`
    stream_only: frozenset[str]  # variables used only as the root field's `after`


@dataclass(frozen=True)
class SharedVariables:
    values: dict[str, Any]  # as sent (`after` included: its definition may require it)
    key: str  # the variables that decide the output, canonical JSON


class _Usages(Visitor):
    def __init__(self, skipped: set[int]):
        super().__init__()
        self.skipped, self.used = skipped, set()

    def enter_argument(self, node: ArgumentNode, *_args):
        if id(node) in self.skipped:
            return self.SKIP
        return None

    def enter_variable_definition(self, *_args):
        return self.SKIP  # a declaration, not a use

    def enter_variable(self, node: VariableNode, *_args):
        self.used.add(node.name.value)


@lru_cache(maxsize=256)
def _document(query: str, operation_name: str | None) -> SharedDocument:
    node = parse(query)
    operations = [d for d in node.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next(
        (o for o in operations if operation_name is None or (o.name and o.name.value ==
                                                                operation_name)),
        None,
    )  # fmt: skip
    if operation is None or operation.directives:
        return SharedDocument(node, operation_name, f"{operation_name}\n{query}", frozenset())
    removed: set[int] = set()
    after_variables: set[str] = set()
    fields = []
    for selection in operation.selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives:
            return SharedDocument(node, operation_name, f"{operation_name}\n{query}", frozenset())
        kept = []
        for argument in selection.arguments or ():
            if argument.name.value in STREAM_ONLY_ARGUMENTS:
                removed.add(id(argument))
                if isinstance(argument.value, VariableNode):
                    after_variables.add(argument.value.name.value)
            else:
                kept.append(argument)
        fields.append(selection.__class__(**{**_fields(selection), "arguments": tuple(kept)}))
    usages = _Usages(removed)
    visit(node, usages)
    stream_only = frozenset(after_variables - usages.used)
    stripped = operation.__class__(
        **{
            **_fields(operation),
            "selection_set": operation.selection_set.__class__(selections=tuple(fields)),
            "variable_definitions": tuple(
                v for v in operation.variable_definitions or ()
                if v.variable.name.value not in stream_only
            ),
        }
    )  # fmt: skip
    others = [d for d in node.definitions if d is not operation]
    key = print_ast(DocumentNode(definitions=(stripped, *others)))
    return SharedDocument(node, operation_name, f"{operation_name}\n{key}", stream_only)


def _fields(node) -> dict[str, Any]:
    return {k: getattr(node, k) for k in node.keys if k != "loc"}


def shared_document(
    query: str, operation_name: str | None, variables: dict[str, Any] | None
) -> tuple[SharedDocument, SharedVariables]:
    document = _document(query, operation_name)
    values = dict(variables or {})
    deciding = {k: v for k, v in values.items() if k not in document.stream_only}
    key = json.dumps(deciding, sort_keys=True, separators=(",", ":"), default=str)
    return document, SharedVariables(values, key)
