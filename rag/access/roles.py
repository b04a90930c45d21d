"""Roles on collections, and the principal (user, key or this machine) that holds them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum

# A grant on this name covers every collection, those made later included.
EVERY = "*"


class Role(IntEnum):
    """What a principal may do in a collection; each role may do what the one below may."""

    READER = 1  # ask, open sources, vote
    EDITOR = 2  # + add and remove documents
    ADMIN = 3  # + create and delete collections, read the query log

    @classmethod
    def named(cls, name: str) -> Role:
        """The role of a name such as "reader"; ValueError naming the choices otherwise."""
        try:
            return cls[name.upper()]
        except KeyError:
            raise ValueError(f"{name!r} is not a role: use reader, editor or admin") from None

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Principal:
    """Whoever a request comes from, with its roles by collection."""

    name: str
    kind: str  # "user", "key", "local" or "slack"
    grants: Mapping[str, Role] = field(default_factory=dict)

    def role(self, collection: str) -> Role | None:
        """The highest role held on a collection, directly or through a grant on all of them."""
        held = [r for r in (self.grants.get(collection), self.grants.get(EVERY)) if r is not None]
        return max(held) if held else None

    def can(self, collection: str, need: Role) -> bool:
        """Whether the principal holds `need` (or more) on the collection."""
        role = self.role(collection)
        return role is not None and role >= need

    @property
    def edits_any(self) -> bool:
        """Whether the principal may add documents to at least one collection."""
        return any(role >= Role.EDITOR for role in self.grants.values())

    @property
    def admin_of_all(self) -> bool:
        """An administrator of every collection: manages users, keys and collections anywhere."""
        return self.grants.get(EVERY) == Role.ADMIN

    def visible(self, names: list[str]) -> list[str]:
        """The collections among `names` this principal may read."""
        return [n for n in names if self.role(n) is not None]


# No login is configured and the server listens on loopback: the machine's own user does all.
LOCAL = Principal("local", "local", {EVERY: Role.ADMIN})
