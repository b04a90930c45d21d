"""`rag eval`: score answers against a file of test questions, with gates for CI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rag.config import ANSWER_MODES
from rag.engine import Engine
from rag.errors import ConfigError
from rag.evaluation import reports as report_files
from rag.evaluation.metrics import METRICS, failed_gates
from rag.evaluation.metrics import evaluate as score
from rag.evaluation.questions import load_questions
from ui.cli.registry import always, command


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", type=Path, help="questions, .jsonl or .csv")
    parser.add_argument("--out", type=Path, metavar="DIR", help="write report.json/.md/.html")
    parser.add_argument(
        "--min",
        action="append",
        default=[],
        metavar="METRIC=VALUE",
        help=f"exit 1 when a metric falls below VALUE; metrics: {', '.join(METRICS)}",
    )
    parser.add_argument("--compare", type=Path, metavar="OLD.json", help="show what changed")
    parser.add_argument(
        "--mode",
        choices=ANSWER_MODES,
        help="answer mode for this run (default: RAG_LLM__MODE)",
    )
    parser.add_argument("--top-k", type=int, metavar="N", help="passages to retrieve")
    parser.add_argument(
        "--judge", action="store_true", help="also score with an LLM judge (needs an LLM mode)"
    )


@command("eval", "score answers against a file of test questions", _options, reads_index=always)
def evaluate(args: argparse.Namespace, engine: Engine) -> int:
    """Answer every question of the file, print the scores, write reports, check the gates."""
    from tqdm import tqdm

    gates = parse_gates(args.min)
    old = report_files.load(args.compare) if args.compare else None
    loaded = load_questions(args.file)
    for line, reason in loaded.errors:
        print(f"{args.file}:{line}: skipped: {reason}", file=sys.stderr)
    if not loaded.questions:
        raise ConfigError(f"{args.file}: no usable questions")
    report = score(
        engine,
        loaded.questions,
        top_k=args.top_k,
        progress=lambda items: tqdm(items, desc="Evaluating", unit="q", file=sys.stderr),
    )
    report["load_errors"] = [{"line": n, "reason": r} for n, r in loaded.errors]
    if args.judge:
        from rag.evaluation.judge import judge

        report["judge"] = judge(
            engine,
            loaded.questions,
            report["results"],
            progress=lambda items: tqdm(items, desc="Judging", unit="q", file=sys.stderr),
        )
        if "skipped" in report["judge"]:
            print(f"--judge: skipped, {report['judge']['skipped']}", file=sys.stderr)
    print(report_files.console_table(report))
    if old is not None:
        print()
        print(report_files.compare(old, report))
    if args.out:
        for path in report_files.write(report, args.out):
            print(f"wrote {path}", file=sys.stderr)
    failed = failed_gates(report["metrics"], gates)
    for problem in failed:
        print(f"gate failed: {problem}", file=sys.stderr)
    return 1 if failed else 0


def parse_gates(specs: list[str]) -> dict[str, float]:
    """METRIC=VALUE pairs of --min, checked against the metric names."""
    gates = {}
    for spec in specs:
        name, _, value = spec.partition("=")
        if name not in METRICS:
            raise ConfigError(
                f"--min {spec}: unknown metric {name!r}; use one of {', '.join(METRICS)}"
            )
        try:
            gates[name] = float(value)
        except ValueError as exc:
            raise ConfigError(f"--min {spec}: {value!r} is not a number") from exc
    return gates
