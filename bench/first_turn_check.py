"""Which questions of the shared sets and the own set the first-turn check takes for no question.

Each is a real question about its documents, so every one found here is a false first turn.
Usage: RAG_BENCHMARKS=../shared/benchmarks PYTHONPATH=. python bench/first_turn_check.py
"""

from __future__ import annotations

import json
import sys

from bench.fitting_cases import BENCHMARKS, OWN
from rag.answering.first_turns import classify


def main() -> int:
    """Print every question taken for a first turn and the total; exit 1 when there is one."""
    files = [*sorted(BENCHMARKS.glob("*/questions.jsonl")), OWN]
    questions = [
        str(json.loads(line)["question"])
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    found = [(q, turn.kind) for q in questions if (turn := classify(q)) is not None]
    for question, kind in found:
        print(f"{kind}: {question}")
    print(f"{len(found)} of {len(questions)} questions in {len(files)} files taken for first turns")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
