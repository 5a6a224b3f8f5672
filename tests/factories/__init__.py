"""Factories: real rows through the same code paths the server uses, one small module per domain.

``Tenants`` is the entry point: ``ws = await tenants.workspace()`` gives an owner with a token;
``member = await ws.member(role="Regular User")`` adds an active member with a token of their own.
"""

from tests.factories.workspace import ApiClient, Member, Tenants, WorkspaceFixture

__all__ = ["ApiClient", "Member", "Tenants", "WorkspaceFixture"]
