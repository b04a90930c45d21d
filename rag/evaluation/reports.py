"""Evaluation reports: console table, report.json, report.md, report.html, and comparisons."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from rag.errors import DocumentError
from rag.wording import counted

_ROWS = [
    ("hit_at_k", "Retrieval hit@k"),
    ("mrr", "Retrieval MRR"),
    ("key_fact_accuracy", "Key-fact accuracy"),
    ("source_accuracy", "Source accuracy"),
    ("citation_validity", "Citation validity"),
    ("decline_accuracy", "Decline accuracy"),
    ("false_declines", "False declines"),
    ("grounding_interventions", "Grounding interventions"),
    ("noted_answers", "Answers noting no date/number"),
    ("noted_wrong", "… of them wrong"),
    ("accuracy", "Overall accuracy"),
    ("total_p50_ms", "Latency p50 (ms)"),
    ("total_p95_ms", "Latency p95 (ms)"),
]
_KIND_COLUMNS = ["questions", "accuracy", "key_fact_accuracy", "decline_accuracy", "hit_at_k"]


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}" if value <= 1 else f"{value:.1f}"
    return str(value)


def judge_line(report: dict[str, Any]) -> str | None:
    """The LLM judge's scores, reported apart from the deterministic metrics."""
    judged = report.get("judge")
    if not judged:
        return None
    if "skipped" in judged:
        return f"LLM judge: skipped ({judged['skipped']})"
    return (
        f"LLM judge ({judged['model']}, separate from the scores above): faithfulness "
        f"{_fmt(judged['faithfulness'])}, correctness mean {_fmt(judged['correctness_mean'])} of 5"
    )


def console_table(report: dict[str, Any]) -> str:
    """The summary a person reads in the terminal."""
    metrics, kinds = report["metrics"], report["by_kind"]
    width = max(len(label) for _, label in _ROWS)
    lines = [f"{'metric':<{width}}  value", f"{'-' * width}  -----"]
    lines += [f"{label:<{width}}  {_fmt(metrics.get(key))}" for key, label in _ROWS]
    lines.append("")
    lines.append(f"{'kind':<14}" + "".join(f"{c[:12]:>14}" for c in _KIND_COLUMNS))
    for kind, values in kinds.items():
        lines.append(f"{kind:<14}" + "".join(f"{_fmt(values.get(c)):>14}" for c in _KIND_COLUMNS))
    judged = judge_line(report)
    return "\n".join([*lines, "", judged] if judged else lines)


def markdown(report: dict[str, Any]) -> str:
    """report.md: the tables and the questions that failed."""
    metrics, kinds = report["metrics"], report["by_kind"]
    lines = ["# Evaluation report", "", f"Mode `{report['config']['mode']}`, top-k "]
    lines[-1] += f"{report['config']['top_k']}, {counted(metrics['questions'], 'question')}.\n"
    skipped = report.get("load_errors") or []
    if skipped:
        lines += [f"{_skipped(skipped)}:", ""]
        lines += [f"- line {e['line']}: {e['reason']}" for e in skipped]
        lines.append("")
    lines += ["| metric | value |", "|---|---|"]
    lines += [f"| {label} | {_fmt(metrics.get(key))} |" for key, label in _ROWS]
    lines += ["", "## By kind", "", "| kind | " + " | ".join(_KIND_COLUMNS) + " |"]
    lines.append("|---" * (len(_KIND_COLUMNS) + 1) + "|")
    for kind, values in kinds.items():
        cells = " | ".join(_fmt(values.get(c)) for c in _KIND_COLUMNS)
        lines.append(f"| {kind} | {cells} |")
    judged = judge_line(report)
    if judged:
        lines += ["", judged]
    wrong = [r for r in report["results"] if not r["correct"]]
    lines += ["", f"## Not right ({len(wrong)})", ""]
    for r in wrong:
        failed = ", ".join(k for k, v in r["checks"].items() if v is False and k != "false_decline")
        why = r["error"] or failed or ("declined" if r["declined"] else "answered")
        lines.append(f"- `{r['id']}` ({r['kind']}): {r['question']} — {why}")
    return "\n".join(lines) + "\n"


def _skipped(errors: list[dict[str, Any]]) -> str:
    return f"{counted(len(errors), 'row')} of the questions file skipped, not counted above"


def _skipped_html(errors: list[dict[str, Any]]) -> str:
    if not errors:
        return ""
    items = "".join(f"<li>line {e['line']}: {html.escape(str(e['reason']))}</li>" for e in errors)
    return f'<p class="skipped">{_skipped(errors)}:</p><ul>{items}</ul>'


def _bar_chart(kinds: dict[str, dict[str, Any]]) -> str:
    """An inline SVG bar chart of accuracy by question kind."""
    bar, gap, left, width = 26, 12, 120, 360
    height = len(kinds) * (bar + gap) + 40
    parts = [
        f'<svg role="img" aria-label="Accuracy by question kind" width="{left + width + 70}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" '
        'font-size="13">'
    ]
    for i, (kind, values) in enumerate(kinds.items()):
        y = 20 + i * (bar + gap)
        share = values.get("accuracy") or 0.0
        parts.append(
            f'<text x="{left - 8}" y="{y + 18}" text-anchor="end">{html.escape(kind)}</text>'
        )
        parts.append(f'<rect x="{left}" y="{y}" width="{width}" height="{bar}" fill="#eee"/>')
        parts.append(
            f'<rect class="bar" x="{left}" y="{y}" width="{share * width:.1f}" height="{bar}" '
            f'fill="#3b7dd8"><title>{html.escape(kind)}: {share:.3f}</title></rect>'
        )
        label = f"{share:.0%} of {values['questions']}"
        parts.append(f'<text x="{left + width + 6}" y="{y + 18}">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _latency_chart(values: list[float]) -> str:
    """An inline SVG histogram of total latency per question."""
    if not values:
        return ""
    top = max(values) or 1.0
    bins = 12
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int(v / top * bins))] += 1
    peak, w, h = max(counts), 34, 140
    parts = [
        f'<svg role="img" aria-label="Latency distribution" width="{bins * w + 60}" '
        f'height="{h + 50}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" '
        'font-size="11">'
    ]
    for i, count in enumerate(counts):
        bar_h = count / peak * h
        x = 40 + i * w
        parts.append(
            f'<rect x="{x}" y="{h - bar_h + 10:.1f}" width="{w - 4}" height="{bar_h:.1f}" '
            f'fill="#d8843b"><title>{count} questions</title></rect>'
        )
        parts.append(f'<text x="{x}" y="{h + 26}">{top * i / bins:.0f}</text>')
    parts.append(f'<text x="40" y="{h + 44}">total latency per question (ms)</text></svg>')
    return "".join(parts)


def _risk_coverage_chart(curve: dict[str, Any] | None) -> str:
    """An inline SVG of the precision of answered questions against the share answered."""
    points = [
        p for p in (curve or {}).get("points", []) if p["coverage"] and p["precision"] is not None
    ]
    if curve is None or not points:
        return "<p>No confidences were recorded (every question errored).</p>"
    size, left, top, pad = 300, 50, 10, 8
    # The y axis starts at the tenth below the lowest value: precision often spans 0.8 to 1.0.
    lowest = min(min(p["precision"], p["accuracy"]) for p in points)
    floor = min(0.9, int(lowest * 10) / 10)

    def x_of(coverage: float) -> float:
        return left + pad + coverage * (size - 2 * pad)

    def y_of(value: float) -> float:
        return top + pad + (1 - (value - floor) / (1 - floor)) * (size - 2 * pad)

    def line(key: str) -> str:
        return " ".join(f"{x_of(p['coverage']):.1f},{y_of(p[key]):.1f}" for p in points)

    dots = "".join(
        f'<circle cx="{x_of(p["coverage"]):.1f}" cy="{y_of(p["precision"]):.1f}" '
        f'r="{5 if p["threshold"] == curve["threshold"] else 3}" '
        f'fill="{"#b00" if p["threshold"] == curve["threshold"] else "#3b7dd8"}"><title>threshold '
        f"{p['threshold']}: {p['coverage']:.0%} answered, precision {p['precision']:.3f}, right "
        f"overall {p['accuracy']:.3f}</title></circle>"
        for p in sorted(points, key=lambda p: p["threshold"] == curve["threshold"])
    )
    ticks = "".join(
        f'<text x="{x_of(c):.1f}" y="{top + size + 14}" text-anchor="middle">{c:.0%}</text>'
        for c in (0, 0.25, 0.5, 0.75, 1)
    ) + "".join(
        f'<text x="{left - 4}" y="{y_of(v) + 4:.1f}" text-anchor="end">{v:.2f}</text>'
        for v in (floor, (floor + 1) / 2, 1.0)
    )
    # Several thresholds can answer the same questions; with one distinct point a bare dot would
    # read as a broken chart.
    distinct = {(p["coverage"], p["precision"]) for p in points}
    caption = (
        f"<p>Every min confidence from {points[0]['threshold']:.2f} to "
        f"{points[-1]['threshold']:.2f} answers the same questions, so the curve is one point.</p>"
        if len(distinct) == 1 and len(points) > 1
        else ""
    )
    rows = "".join(
        f"<tr><td>{p['threshold']:.2f}</td><td>{_fmt(p['coverage'])}</td>"
        f"<td>{_fmt(p['precision'])}</td><td>{_fmt(p['accuracy'])}</td></tr>"
        for p in points
    )
    return (
        f'<svg role="img" aria-label="Risk-coverage curve" width="{left + size + 20}" '
        f'height="{size + 76}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" '
        f'font-size="11"><rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" '
        f'stroke="#ccc"/>{ticks}<polyline class="overall" points="{line("accuracy")}" '
        'fill="none" stroke="#d8843b" stroke-width="1.5" stroke-dasharray="4 3"/>'
        f'<polyline class="curve" points="{line("precision")}" fill="none" stroke="#3b7dd8" '
        f'stroke-width="2"/>{dots}<text x="{left}" y="{size + 40}">share of questions answered '
        f'→</text><text x="4" y="{top - 1}">precision</text>'
        f'<text x="{left}" y="{size + 56}">blue: precision of answered · dashed orange: right '
        "overall</text>"
        f'<text x="{left}" y="{size + 72}">red: the threshold in use ({curve["threshold"]})</text>'
        f"</svg>{caption}<table><tr><th>min confidence</th><th>share answered</th>"
        f"<th>precision of answered</th><th>right overall</th></tr>{rows}</table>"
    )


def html_report(report: dict[str, Any]) -> str:
    """report.html: self-contained (no scripts, no network), with two charts."""
    metrics, results = report["metrics"], report["results"]
    rows = "".join(
        f"<tr><td>{html.escape(label)}</td><td>{_fmt(metrics.get(key))}</td></tr>"
        for key, label in _ROWS
    )
    question_rows = "".join(
        f"<tr class='{'ok' if r['correct'] else 'bad'}'><td>{html.escape(r['id'])}</td>"
        f"<td>{html.escape(r['kind'])}</td><td>{html.escape(r['question'])}</td>"
        f"<td>{html.escape(r['error'] or r['answer'])}</td>"
        f"<td>{'right' if r['correct'] else 'wrong'}</td></tr>"
        for r in results
    )
    latency = [r["latency_ms"]["total"] for r in results if "total" in r["latency_ms"]]
    config = html.escape(json.dumps(report["config"], indent=1))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Evaluation report</title>
<style>
body {{ font-family: sans-serif; margin: 2rem; max-width: 70rem; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 1.5rem; }}
td, th {{ border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; vertical-align: top; }}
tr.bad td:last-child {{ color: #b00; font-weight: bold; }}
tr.ok td:last-child {{ color: #070; }}
code {{ background: #f4f4f4; }}
</style></head><body>
<h1>Evaluation report</h1>
<p>{metrics["questions"]} questions.</p>
{_skipped_html(report.get("load_errors") or [])}
<details><summary>Configuration</summary><pre>{config}</pre></details>
<h2>Accuracy by question kind</h2>
{_bar_chart(report["by_kind"])}
<h2>Metrics</h2><table>{rows}</table>
<p>{html.escape(judge_line(report) or "")}</p>
<h2>Confidence: precision against the share answered</h2>
<p>Each point is a minimum confidence (<code>RAG_ANSWER__MIN_CONFIDENCE</code>): questions below it
are declined. Choose the point that suits your documents.</p>
{_risk_coverage_chart(report.get("risk_coverage"))}
<h2>Latency</h2>
{_latency_chart(latency)}
<h2>Questions</h2>
<table><tr><th>id</th><th>kind</th><th>question</th><th>answer</th><th>result</th></tr>
{question_rows}</table>
</body></html>
"""


def write(report: dict[str, Any], folder: Path) -> list[Path]:
    """Write report.json, report.md and report.html into a folder."""
    folder.mkdir(parents=True, exist_ok=True)
    outputs = {
        "report.json": json.dumps(report, indent=2, ensure_ascii=False),
        "report.md": markdown(report),
        "report.html": html_report(report),
    }
    paths = []
    for name, text in outputs.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def load(path: Path) -> dict[str, Any]:
    """A report.json written earlier."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        # Worded as for the questions file: "cannot be read (No such file or directory)".
        raise DocumentError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentError(f"{path}: not a readable report.json ({exc})") from exc
    if not isinstance(data, dict) or "results" not in data or "metrics" not in data:
        raise DocumentError(f"{path}: not a report.json written by `rag eval --out`")
    return data


def compare(old: dict[str, Any], new: dict[str, Any]) -> str:
    """Metric deltas, then the questions that got better and the ones that broke."""
    lines = ["metric deltas (new - old):"]
    for key, label in _ROWS:
        a, b = old["metrics"].get(key), new["metrics"].get(key)
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            lines.append(f"  {label}: {_fmt(a)} -> {_fmt(b)} ({b - a:+.3f})")
    before = {r["id"]: r for r in old["results"]}
    fixed, broke = [], []
    for r in new["results"]:
        was = before.get(r["id"])
        if was is None:
            continue
        if r["correct"] and not was["correct"]:
            fixed.append(r)
        elif was["correct"] and not r["correct"]:
            broke.append(r)
    lines.append(f"better ({len(fixed)}):")
    lines += [f"  + {r['id']}: {r['question']}" for r in fixed]
    lines.append(f"broke ({len(broke)}):")
    lines += [f"  - {r['id']}: {r['question']}" for r in broke]
    added = sorted({r["id"] for r in new["results"]} - set(before))
    if added:
        lines.append(f"new questions: {', '.join(added)}")
    return "\n".join(lines)
