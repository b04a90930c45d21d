"""One principal's view of the store: the collections it may see, and their engines by role."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rag.access.roles import Principal, Role
from rag.access.store import AccessStore
from rag.collections import Collections
from rag.engine import Engine, Removed
from rag.errors import CollectionError, ForbiddenError
from rag.service import UploadResult, add_uploads, remove_document, uploads_folder

_NEEDED_FOR = {Role.READER: "ask", Role.EDITOR: "add or remove documents", Role.ADMIN: "manage it"}


class Scope:
    """Every front end reaches a collection through this, so a role is checked in one place."""

    def __init__(
        self, principal: Principal, collections: Collections, audit: AccessStore | None = None
    ) -> None:
        self.principal = principal
        self.collections = collections
        self._audit = audit

    def names(self) -> list[str]:
        """The collections this principal may read (the default one always exists)."""
        default = self.collections.default.collection
        return self.principal.visible(sorted({default, *self.collections.names()}))

    def default(self) -> str | None:
        """The collection a request that names none goes to: the default one if readable."""
        names = self.names()
        default = self.collections.default.collection
        return default if default in names else (names[0] if names else None)

    def engine(self, name: str | None = None, need: Role = Role.READER) -> Engine:
        """A collection's engine; CollectionError if unseen, ForbiddenError if the role is low."""
        name = name or self.default()
        if name is None:
            raise ForbiddenError(
                f"{self.principal.name} has no role on any collection; an administrator can "
                "give one with `rag users grant` or `rag keys create`."
            )
        role = self.principal.role(name)
        if role is None:
            # Said as for a collection that does not exist: naming it must not reveal it.
            raise CollectionError(f"There is no collection named {name!r}.")
        if role < need:
            raise ForbiddenError(
                f"{self.principal.name} is a {role} of the collection {name!r}; the {need} role "
                f"(or higher) is needed to {_NEEDED_FOR[need]}."
            )
        return self.collections.engine(name)

    def require(self, need: Role, name: str | None = None) -> str:
        """The collection's name after checking the role on it (ForbiddenError/CollectionError)."""
        return self.engine(name, need).collection

    def record(self, action: str, target: str, collection: str = "", detail: str = "") -> None:
        """Add a write to the audit log, under this principal's name."""
        if self._audit is not None:
            self._audit.audit(self.principal.name, action, target, collection, detail)

    def add_documents(
        self,
        files: Sequence[tuple[Path, str]],
        collection: str | None = None,
        progress: Callable[[Any], Any] | None = None,
        uploads: Path | None = None,
    ) -> list[UploadResult]:
        """Uploads (temporary path, name sent) saved and indexed, for an editor of a collection."""
        engine = self.engine(collection, Role.EDITOR)
        folder = self.uploads(engine, uploads)
        limit = engine.settings.web.max_upload_mb * 1_000_000
        results = add_uploads(engine, files, folder, limit, progress)
        for result in results:
            if result.status in ("added", "updated"):
                self.record(f"document {result.status}", result.name, engine.collection)
        return results

    def remove_document(
        self,
        source: str,
        collection: str | None = None,
        uploads: Path | None = None,
        path: str | None = None,
    ) -> tuple[Removed, bool]:
        """Take a document out, for an editor of the collection; an uploaded file goes too."""
        engine = self.engine(collection, Role.EDITOR)
        folder = self.uploads(engine, uploads)
        removed, deleted = remove_document(engine, source, folder, path)
        self.record("document removed", source, engine.collection, f"{removed.chunks} chunks")
        return removed, deleted

    def uploads(self, engine: Engine, base: Path | None = None) -> Path:
        """The uploads folder of a collection's engine (under `base` instead of the setting's)."""
        return uploads_folder(engine, self.collections.default.collection, base)
