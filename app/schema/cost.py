"""The measure of an operation, on the parsed document with fragments expanded: its depth (nesting
of fields), its aliases, whether it introspects, and a cost that multiplies by list sizes.

A field costs 1, a connection's selections count `first` times (its default when not given),
any other list's as many times as it can hold items (app/schema/list_bounds.py), and a list of
values one per value. Measured in one pass over the document, each fragment once, stopping at the
first limit exceeded; app/schema/limits.py refuses what is over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    VariableNode,
    get_named_type,
    is_list_type,
    is_non_null_type,
)

from app.db.queries.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from app.schema.list_bounds import UNLISTED, bound_of

INTROSPECTION = frozenset({"__schema", "__type"})


class _Over(Exception):
    """A limit is exceeded: the rest of the document need not be walked."""


@dataclass(frozen=True)
class _Fragment:
    """What a fragment adds wherever it is spread: the cost of its fields (which the page size
    of a connection around the spread then multiplies), the selection levels it nests below
    the spread, its aliases, and whether it introspects."""

    cost: int
    height: int
    aliases: int
    introspection: bool


class _Walk:
    """Cost, depth and aliases of the operation, fragments expanded, in time linear in the
    document: each fragment is walked once and reused at every spread. Expanding at each spread
    instead doubles the work per level of `fragment F2 on Query { ...F1 ...F1 }`: 30 such
    fragments, well within the token limit, held the event loop for half an hour.

    With `limits` (depth, aliases, cost) the walk stops at the first one exceeded: any partial
    figure is a lower bound of the whole (page sizes only multiply up), and a refusal needs no
    more. The figures are then those reached when it stopped."""

    def __init__(self, schema, fragments, variables: dict[str, Any], limits=None):
        self.schema, self.fragments, self.variables = schema, fragments, variables
        self.limits: tuple[int, int, int] | None = limits
        self.depth = 0
        self.aliases = 0
        self.total = 0
        self.introspection = False
        self._walked: dict[str, _Fragment] = {}
        self._walking: set[str] = set()

    def _check(self, depth: int, cost: int) -> None:
        self.depth = max(self.depth, depth)
        if self.limits is None:
            return
        max_depth, max_aliases, max_cost = self.limits
        if depth > max_depth or self.aliases > max_aliases or cost > max_cost:
            self.total = max(self.total, cost)
            raise _Over

    def _first(self, node: FieldNode) -> int:
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

    def selections(self, selections, parent, depth: int) -> tuple[int, int]:
        """Cost and height (selection levels nested below) of selections at level `depth`."""
        total = height = 0
        for node in selections:
            if isinstance(node, FieldNode):
                cost, below = self._field(node, parent, depth)
            elif isinstance(node, InlineFragmentNode):
                target = parent
                if node.type_condition is not None:
                    target = self.schema.get_type(node.type_condition.name.value) or parent
                cost, below = self.selections(node.selection_set.selections, target, depth)
            elif isinstance(node, FragmentSpreadNode):
                fragment = self._fragment(node.name.value, parent)
                if fragment is None:
                    continue
                self.aliases += fragment.aliases
                self.introspection = self.introspection or fragment.introspection
                cost, below = fragment.cost, fragment.height
            else:
                continue
            total += cost
            height = max(height, below)
            self._check(depth + height, total)
        return total, height

    def _items(self, node: FieldNode, owner, field_def) -> int:
        """How many times the selections under this field count: a connection's `first`, a
        list's bound (app/schema/list_bounds.py), else once."""
        if field_def is None:
            return 1
        if "first" in field_def.args:
            return self._first(node)
        kind = field_def.type.of_type if is_non_null_type(field_def.type) else field_def.type
        if not is_list_type(kind):
            return 1
        item = get_named_type(kind).name
        found = bound_of(self.schema, owner.name, node.name.value, item)
        return UNLISTED if found is None else found

    def _field(self, node: FieldNode, owner, depth: int) -> tuple[int, int]:
        name = node.name.value
        if node.alias is not None:
            self.aliases += 1
        if name in INTROSPECTION:
            self.introspection = True
        has_fields = isinstance(owner, (GraphQLObjectType, GraphQLInterfaceType))
        field_def = owner.fields.get(name) if has_fields else None
        items = self._items(node, owner, field_def)
        if node.selection_set is None:
            return items, 0  # a value costs 1; a list of values, one per value
        if name == "__schema":
            child = self.schema.get_type("__Schema")
        elif name == "__type":
            child = self.schema.get_type("__Type")
        else:
            child = get_named_type(field_def.type) if field_def is not None else None
        inner, below = self.selections(node.selection_set.selections, child, depth + 1)
        return 1 + items * inner, below + 1

    def _fragment(self, name: str, parent) -> _Fragment | None:
        if name in self._walked:
            return self._walked[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self._walking:
            return None  # unknown or cyclic: validation refuses it afterwards
        target = self.schema.get_type(fragment.type_condition.name.value) or parent
        # Walked on its own, at the top level (a lower bound of any level it is spread at);
        # its aliases and introspection are counted at each spread, this one included.
        aliases, introspection = self.aliases, self.introspection
        self.introspection = False
        self._walking.add(name)
        try:
            cost, height = self.selections(fragment.selection_set.selections, target, 1)
        finally:
            self._walking.discard(name)
        walked = _Fragment(cost, height, self.aliases - aliases, self.introspection)
        self.aliases, self.introspection = aliases, introspection
        self._walked[name] = walked
        return walked


def measure(
    schema,
    document,
    operation_name: str | None,
    variables: dict[str, Any],
    limits: tuple[int, int, int] | None = None,
) -> _Walk:
    """The figures of the selected operation(s); with `limits` (depth, aliases, cost), stopped
    at the first one exceeded."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    walk = _Walk(schema, fragments, variables or {}, limits)
    try:
        for definition in document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            if operation_name and definition.name and definition.name.value != operation_name:
                continue
            root = schema.get_root_type(definition.operation)
            cost, height = walk.selections(definition.selection_set.selections, root, 1)
            walk.depth = max(walk.depth, 1 + height)
            walk.total += cost
    except _Over:
        pass
    # Whole points: introspection lists count fractions (app/schema/list_bounds.py), and
    # their sums carry float rounding.
    walk.total = math.ceil(round(walk.total, 6))
    return walk
