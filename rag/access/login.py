"""Who a credential belongs to: passwords, API keys and sessions (today's settings too)."""

from __future__ import annotations

import hmac
import threading
import time
from collections import deque

from rag.access.roles import EVERY, Principal, Role
from rag.access.store import AccessStore
from rag.config import Settings
from rag.errors import AccessError, AuthenticationError, TooManyAttemptsError

# RAG_WEB__USERNAME/PASSWORD and RAG_API__KEYS stay what they were: an admin of everything.
_ALL = {EVERY: Role.ADMIN}
_WINDOW_S = 300.0


class Authenticator:
    """Turns a password, a bearer key or a session token into a principal, or refuses it."""

    def __init__(self, settings: Settings, store: AccessStore) -> None:
        self.store = store
        self.session_hours = settings.access.session_hours
        self.attempts = settings.access.login_attempts
        web = settings.web
        self._user = web.username if web.username and web.password else None
        self._password = web.password.get_secret_value().encode() if web.password else b""
        self._keys = [key.encode() for key in settings.api.key_list()]
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def configured(self) -> bool:
        """Whether any credential exists; then every route needs one."""
        return bool(self._user or self._keys) or self.store.has_credentials()

    def summary(self) -> str:
        """What the start-up line says about the credentials (counts, never secrets)."""
        users = len(self.store.users()) + (1 if self._user else 0)
        keys = sum(1 for k in self.store.api_keys() if k.revoked is None) + len(self._keys)
        return f"{users} user{'s' * (users != 1)}, {keys} API key{'s' * (keys != 1)}"

    def password(self, client: str, name: str, password: str) -> Principal:
        """The user whose password this is; AuthenticationError (rate-limited per client)."""
        self._check_rate(client)
        principal: Principal | None = None
        if self._user is not None and hmac.compare_digest(name.encode(), self._user.encode()):
            if hmac.compare_digest(password.encode(), self._password):
                principal = Principal(name, "user", _ALL)
        else:
            principal = self.store.check_password(name, password)
        if principal is None:
            self._fail(client)
            raise AuthenticationError("Wrong user name or password.")
        with self._lock:
            self._failures.pop(client, None)
        return principal

    def bearer(self, token: str) -> Principal:
        """The key's principal; AuthenticationError naming why (the key itself never)."""
        given = token.encode()
        # Compare with every configured key, always: the time taken says nothing of which.
        if any([hmac.compare_digest(given, key) for key in self._keys]):
            return Principal("key:RAG_API__KEYS", "key", _ALL)
        try:
            return self.store.key(token)
        except AccessError as exc:
            raise AuthenticationError(str(exc)) from exc

    def start_session(self, principal: Principal) -> str:
        """A session token for a browser that just logged in."""
        return self.store.start_session(principal.name, self.session_hours)

    def session(self, token: str) -> Principal | None:
        """The user of a live session; None once it ended, expired or its user was removed."""
        name = self.store.session_user(token)
        if name is None:
            return None
        if name == self._user:
            return Principal(name, "user", _ALL)
        return self.store.user(name)

    def _check_rate(self, client: str) -> None:
        with self._lock:
            recent = self._failures.get(client)
            now = time.monotonic()
            while recent and recent[0] < now - _WINDOW_S:
                recent.popleft()
            if recent and len(recent) >= self.attempts:
                wait = int(recent[0] + _WINDOW_S - now) + 1
                raise TooManyAttemptsError(
                    f"Too many failed logins from this address: try again in {wait} s.", wait
                )

    def _fail(self, client: str) -> None:
        with self._lock:
            self._failures.setdefault(client, deque()).append(time.monotonic())
            # Bounded: forget the oldest clients rather than grow without end under a flood.
            while len(self._failures) > 10_000:
                self._failures.pop(next(iter(self._failures)))
