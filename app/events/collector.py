"""The cyclic garbage collector, kept out of the way of live updates.

A full collection walks every object the process tracks (hundreds of thousands with 1,000 open
subscriptions) and held the event loop for about half a second in the middle of a fan-out
(bench/subscriptions.py). Two measures:
- at the end of startup, what the app allocated to run (modules, the schema, caches) is frozen
  (`gc.freeze`): it lives as long as the process and is never walked again;
- while an event is fanned out the collector waits (`collector_paused`); it runs, if it is due,
  right after, between events.
Memory is still freed as before: nearly everything is freed by reference counting at once, and
the collector still finds cycles, only at moments of its own.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_paused = 0


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection inside; nested uses are fine. A collection that became due
    runs once the outermost pause ends, with the next allocation, between events."""
    global _paused
    was_enabled = gc.isenabled()
    if _paused == 0 and was_enabled:
        gc.disable()
    _paused += 1
    try:
        yield
    finally:
        _paused -= 1
        if _paused == 0 and was_enabled:
            gc.enable()


def freeze_startup() -> None:
    """Move what startup allocated out of the collector's reach for good (see above)."""
    gc.collect()
    gc.freeze()


def thaw() -> None:
    """Hand the frozen objects back to the collector (the app stops; in tests, the next app
    of the same process freezes what is alive then)."""
    gc.unfreeze()
