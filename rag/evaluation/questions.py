"""Test-question files (JSONL or CSV) for the evaluator, with per-row error reports."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import DocumentError

_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}
_SPACE = re.compile(r"\s+")
_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})


@dataclass(frozen=True)
class TestQuestion:
    """One row of a test file: the question and what a right answer holds."""

    __test__ = False  # a data class, not a pytest test class

    id: str
    question: str
    reference: str = ""
    must_include: list[list[str]] = field(default_factory=list)
    # Text a right answer never contains (e.g. what an injected instruction asked for).
    must_not_include: list[str] = field(default_factory=list)
    expected_sources: list[str] = field(default_factory=list)
    answerable: bool = True
    kind: str = "unlabelled"

    def answered_by(self, text: str) -> bool:
        """True when a text holds every key-fact group (some alternative of each)."""
        return all(has_fact(text, group) for group in self.must_include)


@dataclass
class QuestionFile:
    """The questions a file holds and the rows that could not be read, by line number."""

    questions: list[TestQuestion]
    errors: list[tuple[int, str]]


def normalise(text: str) -> str:
    """Lower case, plain quotes and dashes, single spaces: the form facts are matched in."""
    return _SPACE.sub(" ", text.translate(_FOLD).lower()).strip()


def has_fact(text: str, group: list[str]) -> bool:
    """True when any alternative of a key-fact group occurs in the text."""
    folded = normalise(text)
    return any(normalise(alt) in folded for alt in group if alt.strip())


def load_questions(path: Path) -> QuestionFile:
    """Read a .jsonl or .csv test file; a bad row is reported, the others still load."""
    try:
        data_bytes = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    rows: list[tuple[int, dict[str, Any] | str]] = []
    if path.suffix.lower() == ".csv":
        try:
            raw = data_bytes.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            # A CSV field may span lines, so the file is read whole: say where it breaks.
            broken = data_bytes.count(b"\n", 0, exc.start) + 1
            raise DocumentError(
                f"{path}: not valid UTF-8 (byte 0x{data_bytes[exc.start]:02x} on line {broken}); "
                "save it as UTF-8"
            ) from exc
        reader = csv.DictReader(io.StringIO(raw))
        try:
            for record in reader:
                rows.append((reader.line_num, dict(record)))
        except csv.Error as exc:
            rows.append((max(1, reader.line_num), f"unreadable CSV: {exc}"))
    else:
        # Each line on its own: one with a stray byte is reported, the others still load.
        for number, encoded in enumerate(data_bytes.splitlines(), start=1):
            try:
                line = encoded.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                rows.append((number, f"not valid UTF-8 (byte 0x{encoded[exc.start]:02x})"))
                continue
            if not line.strip():
                continue
            try:
                data: Any = json.loads(line)
            except json.JSONDecodeError as exc:
                rows.append((number, f"not valid JSON ({exc.msg})"))
                continue
            rows.append((number, data if isinstance(data, dict) else "not a JSON object"))
    result = QuestionFile(questions=[], errors=[])
    seen: set[str] = set()
    for number, row in rows:
        try:
            if isinstance(row, str):
                raise ValueError(row)
            question = _parse(row, number)
            if question.id in seen:
                raise ValueError(f"duplicate id {question.id!r}")
        except ValueError as exc:
            result.errors.append((number, str(exc)))
            continue
        seen.add(question.id)
        result.questions.append(question)
    return result


def _parse(row: dict[str, Any], number: int) -> TestQuestion:
    text = row.get("question") or row.get("user_input")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("missing 'question' (or 'user_input')")
    answerable = _boolean(row.get("answerable", True))
    groups = _groups(row.get("must_include"))
    return TestQuestion(
        id=str(row.get("id") or f"line-{number}"),
        question=text.strip(),
        reference=str(row.get("reference") or ""),
        must_include=groups,
        must_not_include=_strings(row.get("must_not_include"), "must_not_include"),
        expected_sources=_strings(row.get("expected_sources"), "expected_sources"),
        answerable=answerable,
        kind=str(row.get("kind") or ("unanswerable" if not answerable else "unlabelled")),
    )


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"'answerable' must be true or false, not {value!r}")


def _from_cell(value: Any) -> Any:
    # CSV cells carry lists as JSON, or as "a|b;c" (alternatives | , groups ;).
    if isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                return json.loads(stripped)
            except json.JSONDecodeError as exc:
                raise ValueError(f"bad JSON list {stripped!r} ({exc.msg})") from exc
        return [g.split("|") for g in stripped.split(";")] if stripped else []
    return value


def _groups(value: Any) -> list[list[str]]:
    value = _from_cell(value)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError("'must_include' must be a list of groups of alternatives")
    groups = []
    for group in value:
        alternatives = [group] if isinstance(group, str) else group
        if not isinstance(alternatives, list) or not all(isinstance(a, str) for a in alternatives):
            raise ValueError("'must_include' groups must be strings or lists of strings")
        cleaned = [a.strip() for a in alternatives if a.strip()]
        if cleaned:
            groups.append(cleaned)
    return groups


def _strings(value: Any, name: str) -> list[str]:
    value = _from_cell(value)
    if value is None:
        return []
    if isinstance(value, list) and value and isinstance(value[0], list):
        value = [item for group in value for item in group]  # "a;b" read as groups
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"'{name}' must be a list of file names")
    return [v.strip() for v in value if v.strip()]
