"""Thumbs up / down on answers, appended to a JSON Lines file a person or the evaluator can read."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from rag.errors import StoreUnavailableError
from rag.types import Answer

Vote = Literal["up", "down"]


class FeedbackLog:
    """One JSON object per vote: time, channel, question, answer, citations and the vote."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def record(self, answer: Answer, vote: Vote, channel: str) -> dict[str, Any]:
        """Append one vote and return what was written."""
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "channel": channel,
            "vote": vote,
            "question": answer.question,
            "answer": answer.text,
            "declined": answer.declined,
            "citations": [c.to_dict() for c in answer.citations],
            "mode": answer.mode,
        }
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as out:
                    out.write(line)
        except OSError as exc:
            raise StoreUnavailableError(
                f"Cannot save feedback to {self.path}: {exc.strerror or exc}. "
                "Set RAG_WEB__FEEDBACK_PATH to a writable file."
            ) from exc
        return entry

    def read(self) -> list[dict[str, Any]]:
        """Every vote recorded so far."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
