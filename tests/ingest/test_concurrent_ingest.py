"""Questions are answered while an ingest writes, from whole files: those committed so far."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from rag.engine import Engine
from rag.ingest.ingestor import IngestProgress
from rag.types import Answer
from tests.fixtures import NSCALE, NSCALE_SOURCE, SEEDS, make_settings


def test_questions_are_answered_between_the_batches_of_an_ingest(
    seeded_copy: Path, tmp_path: Path, embed_model: Any
) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    for seed in sorted(SEEDS.iterdir()):
        (folder / f"copy_{seed.name}").write_text(seed.read_text(encoding="utf-8"), "utf-8")
    seen: list[tuple[int, int, int, int, str]] = []
    with Engine.open(make_settings(seeded_copy, ingest={"batch_chunks": 8}), embed_model) as engine:

        def ask_meanwhile(progress: IngestProgress) -> None:
            # The writer is inside the ingest (it holds the writers' lock) while this asks.
            found: list[Answer] = []
            asker = threading.Thread(target=lambda: found.append(engine.ask(NSCALE)))
            asker.start()
            asker.join(timeout=300)
            assert found, "the question waited for the ingest"
            sources = engine.sources()
            seen.append(
                (
                    progress.files_written,
                    len(sources),
                    engine.store.count(),
                    sum(len(f.ids) for f in engine.store.files().values()),
                    found[0].citations[0].source,
                )
            )

        report = engine.ingest([folder], on_progress=ask_meanwhile)
        final = engine.store.count()
    assert len(report.added) == 5
    assert len(seen) >= 2
    for written, sources, points, recorded, cited in seen:
        # Every file written so far is seen whole: its points and its manifest rows.
        assert sources == 5 + written
        assert points == recorded
        assert cited in (NSCALE_SOURCE, f"copy_{NSCALE_SOURCE}")
    assert seen[-1][2] == final
