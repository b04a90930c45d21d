"""Saved web conversations: each browser's chats in the history file, deleted after N days."""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.querylog import connect, days_ago, now

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    browser TEXT NOT NULL,
    title TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    messages TEXT NOT NULL,
    questions TEXT NOT NULL,
    collection TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS conversations_browser ON conversations (browser, updated);
CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True)
class Saved:
    """A conversation as listed: its id, its title (the first question) and when it changed."""

    id: str
    title: str
    updated: str
    collection: str = ""


@dataclass(frozen=True)
class Conversation:
    """A conversation as reopened: the chat as shown, and the questions for follow-ups."""

    id: str
    title: str
    messages: list[dict[str, Any]]
    questions: list[str]
    # The collection it was asked of ("" for files saved before collections were recorded).
    collection: str = ""


class Conversations:
    """Each browser's conversations, by the random id the browser keeps."""

    def __init__(self, path: Path, keep_days: int) -> None:
        self.path = path
        self.keep_days = keep_days
        with connect(path) as db, db:
            db.executescript(_SCHEMA)
            columns = {row["name"] for row in db.execute("PRAGMA table_info(conversations)")}
            if "collection" not in columns:
                # A history file from before collections were recorded: its chats keep "".
                db.execute(
                    "ALTER TABLE conversations ADD COLUMN collection TEXT NOT NULL DEFAULT ''"
                )

    def secret(self) -> str:
        """A random secret made once and kept in the file: browsers' ids outlive a restart."""
        with connect(self.path) as db, db:
            db.execute(
                "INSERT OR IGNORE INTO settings (name, value) VALUES ('browser_secret', ?)",
                (secrets.token_urlsafe(32),),
            )
            row = db.execute("SELECT value FROM settings WHERE name = 'browser_secret'").fetchone()
        return str(row[0])

    def save(
        self,
        browser: str,
        conversation: str | None,
        messages: list[dict[str, Any]],
        questions: list[str],
        collection: str = "",
    ) -> str:
        """Create or update a conversation (asked of a collection); its id."""
        conversation = conversation or uuid.uuid4().hex
        title = next((q for q in questions if q.strip()), "New conversation")[:80]
        stamp = now()
        with connect(self.path) as db, db:
            db.execute(
                "INSERT INTO conversations (id, browser, title, created, updated, messages, "
                "questions, collection) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO "
                "UPDATE SET updated = excluded.updated, messages = excluded.messages, "
                "questions = excluded.questions, collection = excluded.collection "
                "WHERE browser = excluded.browser",
                (
                    conversation,
                    browser,
                    title,
                    stamp,
                    stamp,
                    json.dumps(messages, ensure_ascii=False),
                    json.dumps(questions, ensure_ascii=False),
                    collection,
                ),
            )
        return conversation

    def list(self, browser: str, limit: int = 50) -> list[Saved]:
        """A browser's conversations, the latest first."""
        with connect(self.path) as db:
            rows = db.execute(
                "SELECT id, title, updated, collection FROM conversations WHERE browser = ? "
                "ORDER BY updated DESC LIMIT ?",
                (browser, limit),
            ).fetchall()
        return [Saved(row["id"], row["title"], row["updated"], row["collection"]) for row in rows]

    def load(self, browser: str, conversation: str) -> Conversation | None:
        """One of a browser's conversations, or None (unknown, expired or another's)."""
        with connect(self.path) as db:
            row = db.execute(
                "SELECT * FROM conversations WHERE browser = ? AND id = ?", (browser, conversation)
            ).fetchone()
        if row is None:
            return None
        return Conversation(
            row["id"],
            row["title"],
            json.loads(row["messages"]),
            json.loads(row["questions"]),
            row["collection"],
        )

    def delete(self, browser: str, conversation: str) -> bool:
        """Delete one of a browser's conversations; False when there was none."""
        with connect(self.path) as db, db:
            cursor = db.execute(
                "DELETE FROM conversations WHERE browser = ? AND id = ?", (browser, conversation)
            )
        return cursor.rowcount > 0

    def expire(self) -> int:
        """Delete conversations untouched for longer than the configured days; how many."""
        with connect(self.path) as db, db:
            cursor = db.execute(
                "DELETE FROM conversations WHERE updated < ?", (days_ago(self.keep_days),)
            )
        return cursor.rowcount
