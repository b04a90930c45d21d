"""Who may do what: users, API keys, roles per collection, login sessions and the audit log."""

from rag.access.roles import LOCAL, Principal, Role
from rag.access.scope import Scope
from rag.access.store import AccessStore, NewKey

__all__ = ["LOCAL", "AccessStore", "NewKey", "Principal", "Role", "Scope"]
