"""What the app sends a Qdrant server by URL, recorded by a small fake server on loopback."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlparse

import pytest

from rag.engine import Engine
from tests.fixtures import SEEDS, make_settings
from tests.fixtures.loopback import QuietHandler, serve

NSCALE_FILE = "004_f7653a61b53defd5.txt"


class RecordingQdrant(QuietHandler):
    """Answers what qdrant-client asks of a server, keeping the points and every request."""

    requests: ClassVar[list[tuple[str, str, Any]]] = []
    points: ClassVar[dict[str, dict[str, Any]]] = {}
    created: ClassVar[dict[str, Any]] = {}
    lock = threading.Lock()

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length)) if length else None

    def _ok(self, result: Any) -> None:
        self.send_json({"result": result, "status": "ok", "time": 0.0})

    def _handle(self, method: str) -> None:
        path = urlparse(self.path).path
        body = self._body()
        with self.lock:
            self.requests.append((method, path, body))
        done = {"operation_id": 1, "status": "completed"}
        if path == "/":
            self.send_json({"title": "qdrant", "version": "1.15.0"})
        elif path == "/collections":
            self._ok({"collections": [{"name": n} for n in self.created]})
        elif path.endswith("/exists"):
            self._ok({"exists": "articles" in self.created})
        elif path == "/collections/articles" and method == "PUT":
            self.created["articles"] = body
            self._ok(True)
        elif path == "/collections/articles" and method == "GET":
            self._ok(self._info())
        elif path.endswith("/index"):
            self._ok(done)
        elif path.endswith("/points") and method == "PUT":
            with self.lock:
                for point in body["points"]:
                    self.points[str(point["id"])] = point
            self._ok(done)
        elif path.endswith("/points/scroll"):
            records = [{"id": i, "payload": p["payload"]} for i, p in sorted(self.points.items())]
            self._ok({"points": records, "next_page_offset": None})
        elif path.endswith("/points/count"):
            self._ok({"count": len(self.points)})
        elif path.endswith("/points/query"):
            wanted = body["prefetch"][0].get("filter")
            source = wanted["must"][0]["must"][0]["match"]["value"] if wanted else None
            hits = [
                {"id": i, "version": 1, "score": 1.0 / (n + 2), "payload": p["payload"]}
                for n, (i, p) in enumerate(
                    (i, p)
                    for i, p in sorted(self.points.items())
                    if source in (None, p["payload"]["source"])
                )
            ]
            self._ok({"points": hits[: body["limit"]]})
        elif path.endswith("/points/delete"):
            with self.lock:
                for point_id in body.get("points", []):
                    self.points.pop(str(point_id), None)
            self._ok(done)
        else:
            self.send_json({"status": {"error": f"not faked: {method} {path}"}}, status=404)

    def _info(self) -> dict[str, Any]:
        params = self.created["articles"]
        return {
            "status": "green",
            "optimizer_status": "ok",
            "segments_count": 1,
            "points_count": len(self.points),
            "indexed_vectors_count": 0,
            "config": {
                "params": {
                    "vectors": params["vectors"],
                    "sparse_vectors": params["sparse_vectors"],
                    "shard_number": params.get("shard_number") or 1,
                    "replication_factor": params.get("replication_factor") or 1,
                },
                "hnsw_config": {"m": 16, "ef_construct": 100, "full_scan_threshold": 10000},
                "optimizer_config": {
                    "deleted_threshold": 0.2,
                    "vacuum_min_vector_number": 1000,
                    "default_segment_number": 0,
                    "flush_interval_sec": 5,
                },
                "wal_config": {"wal_capacity_mb": 32, "wal_segments_ahead": 0},
            },
            "payload_schema": {},
        }

    def do_GET(self) -> None:
        self._handle("GET")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_POST(self) -> None:
        self._handle("POST")


@pytest.mark.slow  # whole indexes from the seeds, or a model export: seconds each
def test_collection_creation_upserts_and_hybrid_query(tmp_path: Path, embed_model: Any) -> None:
    RecordingQdrant.requests, RecordingQdrant.points, RecordingQdrant.created = [], {}, {}
    server = serve(RecordingQdrant)
    url = f"http://127.0.0.1:{server.server_port}"
    qdrant = {"url": url, "shard_number": 3, "replication_factor": 2}
    settings = make_settings(tmp_path / "unused", qdrant=qdrant, ingest={"batch_chunks": 16})
    try:
        with Engine.open(settings, embed_model) as engine:
            report = engine.ingest([SEEDS])
            assert len(report.added) == 5 and report.chunks_embedded == 45
            answer = engine.ask("How much did Nscale raise?", source=NSCALE_FILE)
    finally:
        server.shutdown()
        server.server_close()
    sent = RecordingQdrant.requests
    created = [b for m, p, b in sent if (m, p) == ("PUT", "/collections/articles")]
    assert created == [
        {
            "vectors": {"text-dense": {"size": 384, "distance": "Cosine"}},
            "shard_number": 3,
            "replication_factor": 2,
            "sparse_vectors": {"text-sparse-new": {"modifier": "idf"}},
        }
    ]
    indexes = [b for m, p, b in sent if p == "/collections/articles/index"]
    assert indexes == [
        {"field_name": "doc_id", "field_schema": "keyword"},
        {"field_name": "source", "field_schema": "keyword"},
    ]
    upserts = [b["points"] for m, p, b in sent if (m, p) == ("PUT", "/collections/articles/points")]
    # Whole files per model call until 16 chunks or more, one upsert per call.
    per_file = [
        next(
            p["payload"]["chunk_count"]
            for p in RecordingQdrant.points.values()
            if p["payload"]["source"] == seed.name
        )
        for seed in sorted(SEEDS.iterdir())
    ]
    expected, batch = [], 0
    for count in per_file:
        batch += count
        if batch >= 16:
            expected, batch = [*expected, batch], 0
    expected += [batch] if batch else []
    assert [len(points) for points in upserts] == expected
    assert sum(expected) == 45 and len(expected) > 1
    first = upserts[0][0]
    assert set(first["vector"]) == {"text-dense", "text-sparse-new"}
    assert len(first["vector"]["text-dense"]) == 384
    assert first["payload"]["chunk_count"] >= 1
    queries = [b for m, p, b in sent if p == "/collections/articles/points/query"]
    assert len(queries) == 1
    query = queries[0]
    source_filter = {"must": [{"must": [{"key": "source", "match": {"value": NSCALE_FILE}}]}]}
    dense, bm25 = query["prefetch"]
    assert (dense["using"], dense["limit"], len(dense["query"])) == ("text-dense", 20, 384)
    assert bm25["using"] == "text-sparse-new" and bm25["limit"] == 20
    assert set(bm25["query"]) == {"indices", "values"} and set(bm25["query"]["values"]) == {1.0}
    assert _clean(dense["filter"]) == _clean(bm25["filter"]) == source_filter
    assert (query["query"], query["limit"], query["with_payload"]) == ({"fusion": "rrf"}, 5, True)
    assert {p.source for p in answer.retrieved} == {NSCALE_FILE}


def _clean(value: Any) -> Any:
    """A JSON body without the null fields qdrant-client sends along."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value
