"""Search by similarity over the memory's episodes and skills: a hybrid index per kind (BM25 + rapidfuzz,
fused with sentence embeddings when an embedder is set), brought up to date incrementally, with the
embeddings kept in ``learn_vectors`` so a process computes each vector once.
"""

from __future__ import annotations

import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DatabaseError, OperationalError

from metricmind.embedding import Embedder
from metricmind.errors import StoreError
from metricmind.learn import schema
from metricmind.learn.similarity import Hit
from metricmind.learn.vectors import HybridIndex, from_blob, to_blob


class MemorySearch:
    """The search half of :class:`metricmind.learn.memory.Memory` (which sets these attributes)."""

    engine: sa.Engine
    embedder: Embedder | None
    _lock: threading.Lock
    _indexes: dict[str, tuple[HybridIndex, int]]

    def _index(self, name: str) -> HybridIndex:
        """The index of episodes or skills, brought up to date incrementally.

        With an embedder, the vectors of new items are read from ``learn_vectors`` or, when missing,
        computed and stored there (a failed write only means they are computed again next time). The
        store is read and the embeddings computed outside the lock (a first use may embed thousands of
        items): only adding them to the index holds it, so concurrent searches are not kept waiting.
        """
        table = schema.episodes if name == "episodes" else schema.skills
        text = table.c.question if name == "episodes" else table.c.text
        with self._lock:
            seen = self._indexes[name][1] if name in self._indexes else 0
        query = sa.select(table.c.id, text, table.c.pattern).where(table.c.id > seen).order_by(table.c.id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            stored = self._stored_vectors(conn, name, seen) if rows else {}
        items = [(int(i), str(t or p)) for i, t, p in rows]
        missing = [(key, value) for key, value in items if key not in stored]
        if missing and self.embedder is not None:
            fresh = self.embedder.embed([value for _, value in missing])
            stored.update({key: fresh[n] for n, (key, _) in enumerate(missing)})
            self._store_vectors(name, [(key, fresh[n]) for n, (key, _) in enumerate(missing)])
        with self._lock:  # another thread may have added some of them meanwhile
            index, now_seen = self._indexes.get(name, (HybridIndex(self.embedder), 0))
            dropped = now_seen < seen  # the index was dropped meanwhile (a skill changed)
            if not dropped:
                added = [(key, value) for key, value in items if key > now_seen]
                for key, value in added:
                    index.add_vector(key, value, stored.get(key))
                if added:
                    index.freeze()
                    self._indexes[name] = (index, added[-1][0])
                return index
        return self._index(name)  # read it all again

    def _stored_vectors(self, conn: sa.Connection, kind: str, after: int) -> dict[int, Any]:
        if self.embedder is None:
            return {}
        v = schema.vectors
        query = sa.select(v.c.item_id, v.c.vector).where(
            v.c.kind == kind, v.c.model == self.embedder.name, v.c.item_id > after
        )
        found = {}
        for item_id, blob in conn.execute(query):
            vector = from_blob(bytes(blob))
            if vector is not None:
                found[int(item_id)] = vector
        return found

    def _store_vectors(self, kind: str, vectors: list[tuple[int, Any]]) -> None:
        if self.embedder is None or not vectors:
            return
        rows = [
            {"kind": kind, "item_id": key, "model": self.embedder.name, "vector": to_blob(vector)}
            for key, vector in vectors
        ]
        try:
            with self.engine.begin() as conn:
                conn.execute(schema.vectors.insert(), rows)
        except (DatabaseError, OperationalError):  # another process stored them first, or a busy store
            pass

    def search(self, text: str, *, kind: str = "skills", k: int = 5, min_score: float = 0.0) -> list[Hit]:
        """The ``k`` episodes or skills most similar to ``text`` (BM25 + rapidfuzz, fused with embeddings).

        Raises:
            StoreError: ``kind`` is neither ``episodes`` nor ``skills``.
        """
        if kind not in ("episodes", "skills"):
            raise StoreError(f"Cannot search {kind!r}", hint="Search 'episodes' or 'skills'.")
        index = self._index(kind)
        with self._lock:  # an index is appended to under the lock
            return index.search(text, k, min_score)
