"""Inputs of the role mutations: roles of the office, and their links to users."""

from __future__ import annotations

import strawberry


@strawberry.input
class CreateRoleInput:
    name: str


@strawberry.input
class RenameRoleInput:
    role_id: strawberry.ID
    name: str


@strawberry.input
class DeleteRoleInput:
    role_id: strawberry.ID


@strawberry.input
class LinkRoleInput:
    role_id: strawberry.ID
    user_id: strawberry.ID
    employer_id: strawberry.ID


@strawberry.input
class UnlinkRoleInput:
    role_link_id: strawberry.ID
