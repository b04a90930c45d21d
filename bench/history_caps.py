"""What a 19.5 MB history item costs: the caps' own time, and a question asked alongside it.

Usage: python bench/history_caps.py. Builds a temporary index of seeds/, then times (1) the
question and history caps on a 19.5 MB item, (2) a follow-up asked with that item as its
history, (3) a simple question asked at the same moment from another thread, against the
same simple question asked alone, and (4) a 19.5 MB question. Prints the times in ms as JSON.
"""

from __future__ import annotations

import json
import tempfile
import threading
import time
from pathlib import Path

from rag.engine import Engine, prepare_history, prepare_question
from tests.fixtures import NSCALE, SEEDS, make_settings

SIMPLE = "Who leads the data centre project in Norway?"


def ms(started: float) -> float:
    """Milliseconds since `started`."""
    return round((time.perf_counter() - started) * 1000, 1)


def main() -> None:
    """Time the caps and the two questions; print the times."""
    huge = NSCALE + " " + "x" * 19_500_000
    with (
        tempfile.TemporaryDirectory(prefix="rag-bench-caps-") as tmp,
        Engine.open(make_settings(Path(tmp) / "index")) as engine,
    ):
        engine.ingest([SEEDS])
        engine.warm_up()
        started = time.perf_counter()
        prepare_history([huge], engine.settings.answer)
        prepare_question(huge, engine.settings.answer.max_question_chars)
        caps = ms(started)
        engine.ask("What is the valuation?")
        engine.encoder._cache.clear()
        started = time.perf_counter()
        engine.ask(SIMPLE)
        alone = ms(started)
        engine.encoder._cache.clear()
        times: dict[str, float] = {}

        def follow_up() -> None:
            started = time.perf_counter()
            answer = engine.ask("And at what valuation?", history=[huge])
            times["follow_up_with_19_5_mb_history"] = ms(started)
            times["standalone_chars"] = len(answer.standalone_question)

        thread = threading.Thread(target=follow_up)
        thread.start()
        started = time.perf_counter()
        engine.ask(SIMPLE)
        times["simple_question_meanwhile"] = ms(started)
        thread.join()
        # The question itself that long: its kind is read from the part answered only.
        started = time.perf_counter()
        engine.ask(huge)
        times["question_of_19_5_mb"] = ms(started)
    print(json.dumps({"caps_on_19_5_mb": caps, "simple_question_alone": alone, **times}, indent=2))


if __name__ == "__main__":
    main()
