"""Old names of the helpers every mutation shares, while the resolvers move to their new homes
(issue 14): the runner in app/schema/runner.py, lookups in app/db/lookup.py, IDs in
app/schema/ids.py, names in app/domain/validation.py. Goes when nothing imports it."""

from __future__ import annotations

from app.db.lookup import visible as get_visible
from app.domain.validation import name as clean_name
from app.schema.ids import input_pk
from app.schema.runner import write

__all__ = ["clean_name", "get_visible", "input_pk", "write"]
