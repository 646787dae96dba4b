"""Rows read once per event for every group of subscriptions (app/events/fanout.py)."""

from __future__ import annotations


class SharedReads:
    """The reads of one event, shared by the groups rendered for it."""

    def __init__(self, db):
        self.db = db

    def attach(self, loaders, context) -> None:
        """Point the group's loaders at the shared reads where they can be shared."""

    async def close(self) -> None:
        """Give back the read connection."""
