from __future__ import annotations

import strawberry

from app.schema.types.viewer import Viewer


def viewer(info: strawberry.Info) -> Viewer:
    """The signed-in user: its type, rights and roles per employer, the employers it can reach
    and its own employments. Fails with UNAUTHENTICATED without a valid token."""
    return info.context.require_principal()
