"""What a hostile file costs to refuse, and what the questions asked meanwhile wait.

Usage: python bench/hostile_files.py [--questions N] [--keep]. Makes each file in build/hostile/
(nothing is committed), reads it in a fresh interpreter per file (wall time, and peak memory
above what the interpreter held before reading: VmHWM reset to VmRSS, then read again), then asks
N questions of an index of the seeds, each the moment an ingest of a refused file starts.
Prints a Markdown table (docs/limits.md) and writes bench/results/hostile_files.json.
Nothing here is asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from rag.config import Settings
from rag.engine import Engine
from rag.evaluation.metrics import percentile
from tests.fixtures import SEEDS, make_settings
from tests.fixtures.hostile import (
    dense_html,
    huge_text_pdf,
    many_elements_docx,
    many_entries_docx,
    many_pages_pdf,
    random_text_docx,
    zip_bomb_docx,
)

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "build" / "hostile"
QUESTION = "How much did Nscale raise, and at what valuation?"

# name → (what it is, how to make it); the last two are within the limits, and accepted.
FILES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "bomb.docx": ("the issue's zip bomb: XML unpacking to 197 MB", lambda p: zip_bomb_docx(p, 197)),
    "packed.docx": ("XML unpacking to 20 MB, 340× its size", lambda p: zip_bomb_docx(p, 20)),
    "entries.docx": ("a zip of 5,000 entries", lambda p: many_entries_docx(p, 5000)),
    "pages.pdf": ("a PDF of 10,000 pages", lambda p: many_pages_pdf(p, 10_000)),
    "understated.pdf": (
        "10,000 pages, the page tree declaring 1",
        lambda p: many_pages_pdf(p, 10_000, declared=1),
    ),
    "text.pdf": (
        "3 pages of 20 million characters each (60 KB)",
        lambda p: huge_text_pdf(p, 3, 20_000_000),
    ),
    "dense.html": ("2.5 MB of tiny nested tags", lambda p: dense_html(p, 2.5)),
    # Within the limits: the most work a file can ask for and still be read.
    "dense-within.html": ("1.95 MB of tiny nested tags", lambda p: dense_html(p, 1.95)),
    "elements-within.docx": (
        "24 MB of XML, 4 million empty elements in one paragraph",
        lambda p: many_elements_docx(p, 24),
    ),
    "text-within.docx": (
        "9 MB of XML, 8.3 million characters of text",
        lambda p: random_text_docx(p, 9),
    ),
}
# Accepted (or refused only once read whole): their ingest would embed millions of characters.
WITHIN = {"dense-within.html", "elements-within.docx", "text-within.docx"}

_CHILD = """
import json, sys, time
from pathlib import Path
from rag.errors import DocumentError
from rag.ingest.loaders import load_document
import lxml.etree, pypdf  # imported before the baseline: they are loaded once per process

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024

# Reset the peak to what is held now (Linux: 5 > clear_refs), so imports' peak is not counted.
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
held = status("VmRSS")
started = time.perf_counter()
try:
    outcome = "accepted, %d characters" % len(load_document(Path(sys.argv[1])).text)
except DocumentError as exc:
    outcome = str(exc)
seconds = time.perf_counter() - started
peak = status("VmHWM")
print(json.dumps({"seconds": seconds, "extra_mb": max(0, peak - held) / 1e6, "outcome": outcome}))
"""


def read_alone(path: Path) -> dict[str, Any]:
    """Read one file in a fresh interpreter: time, peak memory above the baseline, outcome."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=600,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def latencies(engine: Engine, rounds: int, during: Path | None) -> list[float]:
    """Milliseconds per question, each asked the moment an ingest of `during` starts, if given.

    As a question asked while someone uploads the file: it waits for what the ingest holds.
    """
    times = []
    for _ in range(rounds):
        worker = None
        if during is not None:
            worker = threading.Thread(target=engine.ingest, args=([during],), daemon=True)
            worker.start()
        started = time.perf_counter()
        engine.ask(QUESTION)
        times.append((time.perf_counter() - started) * 1000)
        if worker is not None:
            worker.join()
    return times


def main() -> None:
    """Make the files, measure each alone, then questions beside the refused ones' ingest."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--keep", action="store_true", help="keep build/hostile/ afterwards")
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    results: dict[str, Any] = {"files": {}, "questions": {}}
    limits = Settings.model_fields["ingest"].default
    results["limits"] = limits.model_dump()
    try:
        for name, (what, make) in FILES.items():
            path = WORK / name
            make(path)
            measured = read_alone(path)
            results["files"][name] = {"what": what, "bytes": path.stat().st_size, **measured}
            print(f"read {name}: {measured}", file=sys.stderr)
        settings = make_settings(WORK / "index")
        with Engine.open(settings) as engine:
            engine.ingest([SEEDS])
            engine.warm_up()
            latencies(engine, 3, None)
            quiet = latencies(engine, args.questions, None)
            results["questions"]["none"] = _summary(quiet)
            for name in FILES:
                if name in WITHIN:
                    continue  # accepted: its ingest would embed millions of characters
                during = latencies(engine, args.questions, WORK / name)
                results["questions"][name] = _summary(during)
                print(f"questions beside {name}: {results['questions'][name]}", file=sys.stderr)
    finally:
        if not args.keep:
            shutil.rmtree(WORK, ignore_errors=True)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "hostile_files.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    print("| file | what it is | size | read for | extra memory | outcome |")
    print("|---|---|---|---|---|---|")
    for name, r in results["files"].items():
        print(
            f"| {name} | {r['what']} | {r['bytes'] / 1e6:.2f} MB | {r['seconds']:.2f} s "
            f"| {r['extra_mb']:.0f} MB | {r['outcome'].removeprefix(name + ': ')} |"
        )
    print()
    print("| a question asked as an ingest of this starts | p50 | p95 | max |")
    print("|---|---|---|---|")
    for name, q in results["questions"].items():
        label = "nothing (alone)" if name == "none" else name
        print(f"| {label} | {q['p50']:.0f} ms | {q['p95']:.0f} ms | {q['max']:.0f} ms |")


def _summary(times: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(times), "p95": percentile(times, 95), "max": max(times)}


if __name__ == "__main__":
    main()
