"""Users, API keys, grants, login sessions and the audit log, in one SQLite file."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import sqlite3
import threading
from contextlib import AbstractContextManager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from rag.access.roles import EVERY, Principal, Role
from rag.errors import AccessError
from rag.querylog import connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, hash TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, hash TEXT NOT NULL, created TEXT NOT NULL,
    expires TEXT, revoked TEXT
);
CREATE TABLE IF NOT EXISTS grants (
    kind TEXT NOT NULL, principal TEXT NOT NULL, collection TEXT NOT NULL, role INTEGER NOT NULL,
    PRIMARY KEY (kind, principal, collection)
);
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY, user TEXT NOT NULL, created TEXT NOT NULL, expires TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, actor TEXT NOT NULL,
    action TEXT NOT NULL, target TEXT NOT NULL, collection TEXT NOT NULL, detail TEXT NOT NULL
);
"""
USER_NAME = r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}"
# Not a user name (those start with a letter or digit): the Slack bot's grants go under it.
SLACK = "@slack"
_KEY = re.compile(r"rag_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")
# argon2 takes ~0.1-0.4 s of CPU and 64 MB per check: one at a time, so logins can't starve answers.
_HASHING = threading.Semaphore(1)
_HASHER = PasswordHasher()
# Checked against when the user is unknown, so a wrong name costs as long as a wrong password.
_DUMMY = _HASHER.hash("not a password")


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(secret: str) -> str:
    # Keys and session tokens are 256 random bits: a fast hash is enough to keep them unreadable.
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewKey:
    """A key just created: its id (for listing and revoking) and the key itself, shown once."""

    id: str
    key: str


@dataclass(frozen=True)
class KeyInfo:
    """A key as listed: never the key itself."""

    id: str
    label: str
    created: str
    expires: str | None
    revoked: str | None
    grants: dict[str, Role]


@dataclass(frozen=True)
class AuditRow:
    """One write someone made."""

    time: str
    actor: str
    action: str
    target: str
    collection: str
    detail: str


class AccessStore:
    """Who exists and what they may do; the file is readable by its owner only."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with self._db() as db, db:
            db.executescript(_SCHEMA)
        # Password and key hashes: readable by the server's own user only.
        with suppress(OSError):
            os.chmod(path, 0o600)

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        return connect(self.path, "access file", "RAG_ACCESS__PATH")

    # Users

    def add_user(self, name: str, password: str, grants: dict[str, Role]) -> None:
        """A new user with a password (hashed with argon2) and roles; AccessError if taken."""
        if not re.fullmatch(USER_NAME, name):
            raise AccessError(
                f"{name!r} is not a usable user name: letters, digits, . _ @ - (at most 64)."
            )
        if len(password) < 8:
            raise AccessError("The password is too short: use at least 8 characters.")
        with _HASHING:
            hashed = _HASHER.hash(password)
        with self._db() as db, db:
            if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise AccessError(f"A user named {name!r} already exists.")
            db.execute("INSERT INTO users VALUES (?, ?, ?)", (name, hashed, _now().isoformat()))
            self._set_grants(db, "user", name, grants)

    def remove_user(self, name: str) -> None:
        """Delete a user, its roles and its open sessions (its next request gets 401)."""
        with self._db() as db, db:
            if not db.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount:
                raise AccessError(f"There is no user named {name!r}; `rag users list` shows them.")
            db.execute("DELETE FROM grants WHERE kind = 'user' AND principal = ?", (name,))
            db.execute("DELETE FROM sessions WHERE user = ?", (name,))

    def users(self) -> list[tuple[str, dict[str, Role]]]:
        """Every user with its roles, by name."""
        with self._db() as db:
            names = [r["name"] for r in db.execute("SELECT name FROM users ORDER BY name")]
            return [(n, self._grants(db, "user", n)) for n in names]

    def check_password(self, name: str, password: str) -> Principal | None:
        """The user, when the password is right; None otherwise (same cost either way)."""
        with self._db() as db:
            row = db.execute("SELECT hash FROM users WHERE name = ?", (name,)).fetchone()
        with _HASHING:
            try:
                _HASHER.verify(row["hash"] if row else _DUMMY, password)
            except (VerificationError, InvalidHashError):
                return None
        return self.user(name) if row else None

    def user(self, name: str) -> Principal | None:
        """A user as a principal, or None if there is no such user (any more)."""
        with self._db() as db:
            if not db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                return None
            return Principal(name, "user", self._grants(db, "user", name))

    # Keys

    def create_key(self, label: str, grants: dict[str, Role], days: int | None = None) -> NewKey:
        """A new API key; only its hash is kept, so this is the one time it can be shown."""
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        expires = (_now() + timedelta(days=days)).isoformat() if days else None
        with self._db() as db, db:
            db.execute(
                "INSERT INTO keys VALUES (?, ?, ?, ?, ?, NULL)",
                (key_id, label, _digest(secret), _now().isoformat(), expires),
            )
            self._set_grants(db, "key", key_id, grants)
        return NewKey(key_id, f"rag_{key_id}_{secret}")

    def api_keys(self) -> list[KeyInfo]:
        """Every key, newest first, without the keys themselves."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM keys ORDER BY created DESC").fetchall()
            return [
                KeyInfo(
                    r["id"],
                    r["label"],
                    r["created"],
                    r["expires"],
                    r["revoked"],
                    self._grants(db, "key", r["id"]),
                )
                for r in rows
            ]

    def api_key_principal(self, key_id: str) -> Principal | None:
        """A key's principal by its id (whether or not it is still valid), for listing rights."""
        with self._db() as db:
            if not db.execute("SELECT 1 FROM keys WHERE id = ?", (key_id,)).fetchone():
                return None
            return Principal(f"key:{key_id}", "key", self._grants(db, "key", key_id))

    def revoke_key(self, key_id: str) -> None:
        """Refuse a key from now on; AccessError if there is no such key."""
        with self._db() as db, db:
            changed = db.execute(
                "UPDATE keys SET revoked = ? WHERE id = ? AND revoked IS NULL",
                (_now().isoformat(), key_id),
            ).rowcount
        if not changed:
            raise AccessError(
                f"There is no active key with id {key_id!r}; `rag keys list` shows them."
            )

    def key(self, token: str) -> Principal:
        """The key's principal; AccessError saying why when it is not valid (never the key)."""
        found = _KEY.fullmatch(token)
        if not found:
            raise AccessError("Wrong API key.")
        key_id, secret = found.groups()
        with self._db() as db:
            row = db.execute("SELECT * FROM keys WHERE id = ?", (key_id,)).fetchone()
            if row is None or not hmac.compare_digest(row["hash"], _digest(secret)):
                raise AccessError("Wrong API key.")
            if row["revoked"]:
                raise AccessError(
                    f"The API key {key_id} was revoked; ask an administrator for a new one."
                )
            if row["expires"] and datetime.fromisoformat(row["expires"]) <= _now():
                raise AccessError(
                    f"The API key {key_id} expired on {row['expires'][:10]}; ask an "
                    "administrator for a new one."
                )
            return Principal(f"key:{key_id}", "key", self._grants(db, "key", key_id))

    # Roles

    def grant(self, kind: str, name: str, role: Role | None, collection: str) -> None:
        """Give a user, key or the Slack bot a role on a collection (or "*"); None takes it away."""
        with self._db() as db, db:
            table, column = ("users", "name") if kind == "user" else ("keys", "id")
            exists = db.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", (name,)).fetchone()
            if kind != "slack" and not exists:
                raise AccessError(f"There is no {kind} {name!r}; `rag {kind}s list` shows them.")
            db.execute(
                "DELETE FROM grants WHERE kind = ? AND principal = ? AND collection = ?",
                (kind, name, collection),
            )
            if role is not None:
                self._set_grants(db, kind, name, {collection: role})

    def slack(self) -> Principal:
        """The Slack bot: its grants (`rag users grant @slack`), else a reader of everything."""
        with self._db() as db:
            grants = self._grants(db, "slack", SLACK)
        # Before any grant the bot reads every collection its channels map to, as it always did.
        return Principal(SLACK, "slack", grants or {EVERY: Role.READER})

    def has_credentials(self) -> bool:
        """Whether any user or active key exists: then every request needs one."""
        with self._db() as db:
            return bool(
                db.execute(
                    "SELECT 1 FROM users UNION ALL SELECT 1 FROM keys WHERE revoked IS NULL"
                ).fetchone()
            )

    @staticmethod
    def _grants(db: sqlite3.Connection, kind: str, name: str) -> dict[str, Role]:
        rows = db.execute(
            "SELECT collection, role FROM grants WHERE kind = ? AND principal = ?", (kind, name)
        )
        return {r["collection"]: Role(r["role"]) for r in rows}

    @staticmethod
    def _set_grants(db: sqlite3.Connection, kind: str, name: str, grants: dict[str, Role]) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO grants VALUES (?, ?, ?, ?)",
            [(kind, name, collection, int(role)) for collection, role in grants.items()],
        )

    # Sessions

    def start_session(self, user: str, hours: float) -> str:
        """A new login session's token, for the browser's cookie; only its hash is kept."""
        token = secrets.token_urlsafe(32)
        now = _now()
        with self._db() as db, db:
            db.execute("DELETE FROM sessions WHERE expires <= ?", (now.isoformat(),))
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)",
                (_digest(token), user, now.isoformat(), (now + timedelta(hours=hours)).isoformat()),
            )
        return token

    def session_user(self, token: str) -> str | None:
        """The user name of a live session token; None when unknown, ended or expired."""
        with self._db() as db:
            row = db.execute(
                "SELECT user FROM sessions WHERE token = ? AND expires > ?",
                (_digest(token), _now().isoformat()),
            ).fetchone()
        return row["user"] if row else None

    def end_session(self, token: str) -> None:
        """Log out: the token is refused from now on."""
        with self._db() as db, db:
            db.execute("DELETE FROM sessions WHERE token = ?", (_digest(token),))

    # Audit

    def audit(
        self, actor: str, action: str, target: str, collection: str = "", detail: str = ""
    ) -> None:
        """Record one write: who did what to which thing."""
        with self._db() as db, db:
            db.execute(
                "INSERT INTO audit (time, actor, action, target, collection, detail) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (_now().isoformat(timespec="seconds"), actor, action, target, collection, detail),
            )

    def audit_rows(self, limit: int = 50) -> list[AuditRow]:
        """The latest writes, newest first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT time, actor, action, target, collection, detail FROM audit "
                "ORDER BY id DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [AuditRow(*tuple(r)) for r in rows]


def grants_of(role: Role, collections: list[str]) -> dict[str, Role]:
    """A role on each collection named, or on all of them when none is."""
    return {c: role for c in collections} if collections else {EVERY: role}
