"""Several collections of one store, each answered by its own engine, opened on first use."""

from __future__ import annotations

import re
import threading

from rag.config import COLLECTION_NAME
from rag.engine import Engine
from rag.errors import CollectionError


def check_name(name: str) -> str:
    """The name, or CollectionError when it can't name a collection (it becomes a folder name)."""
    if not re.fullmatch(COLLECTION_NAME, name):
        raise CollectionError(
            f"{name!r} is not a usable collection name: use letters, digits, - and _ "
            "(at most 64, starting with a letter or digit)."
        )
    return name


class Collections:
    """Engines by collection name, sharing the first engine's settings and embedding model."""

    def __init__(self, default: Engine) -> None:
        self.default = default
        self._engines = {default.collection: default}
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        """The collections that exist, by name."""
        return self.default.collections()

    def engine(self, name: str | None = None) -> Engine:
        """The engine of a collection (the default one for None); CollectionError if missing."""
        name = name or self.default.collection
        with self._lock:
            if name not in self._engines:
                self.require(name)
                self._engines[name] = self._open(name)
            return self._engines[name]

    def require(self, name: str) -> None:
        """CollectionError, saying how to make it, unless a collection of that name exists."""
        if check_name(name) not in self.names():
            raise CollectionError(
                f"There is no collection named {name!r}; nothing was touched. "
                f"`rag collections list` shows them; `rag ingest --collection {name} "
                "FOLDER` creates it."
            )

    def create(self, name: str) -> Engine:
        """Create an empty collection; CollectionError if one of that name exists."""
        with self._lock:
            if check_name(name) in self.names():
                raise CollectionError(f"A collection named {name!r} already exists.")
            self._engines[name] = engine = self._open(name)
        engine.create_collection()
        return engine

    def delete(self, name: str) -> int:
        """Delete a collection and return how many chunks it held; nothing else is touched."""
        self.require(name)
        engine = self.engine(name)
        with self._lock:
            chunks = engine.store.count()
            engine.drop_collection()
            if engine is not self.default:
                engine.close()
                del self._engines[name]
        return chunks

    def _open(self, name: str) -> Engine:
        settings = self.default.settings.model_copy(deep=True)
        settings.qdrant = settings.qdrant.model_copy(update={"collection": name})
        return Engine.open(settings, embed_model=self.default.embed_model)

    def close(self) -> None:
        """Close the engines this opened (the default one belongs to its caller)."""
        with self._lock:
            for engine in self._engines.values():
                if engine is not self.default:
                    engine.close()
            self._engines = {self.default.collection: self.default}
