"""Who may call the HTTP APIs: a bearer key from RAG_API__KEYS, or anyone on loopback only."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rag.errors import AuthenticationError

_bearer = HTTPBearer(auto_error=False, description="One of the keys in RAG_API__KEYS")


def is_loopback(host: str) -> bool:
    """True when a listening address is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def api_access(keys: list[str], host: str) -> tuple[bool, str]:
    """Whether to serve the APIs, and the start-up line that says how (never the keys)."""
    if keys:
        count = f"{len(keys)} key" + ("s" if len(keys) > 1 else "")
        return True, f"APIs at /v1 and /api: a bearer key is required ({count} configured)"
    if is_loopback(host):
        return True, "APIs at /v1 and /api: open to this machine only (loopback, no keys set)"
    return False, (
        f"APIs not served: {host} is not a loopback address and RAG_API__KEYS is empty; "
        "set RAG_API__KEYS to serve them"
    )


def key_check(keys: list[str]) -> Callable[..., None]:
    """A FastAPI dependency that refuses a missing or wrong key when keys are configured."""
    expected = [key.encode() for key in keys]

    def check(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> None:
        if not expected:
            return
        given = credentials.credentials.encode() if credentials else b""
        # Compare with every key, always: how long it takes says nothing about which is close.
        matches = [secrets.compare_digest(given, key) for key in expected]
        if credentials is None:
            raise AuthenticationError("Missing API key: send it as 'Authorization: Bearer KEY'.")
        if not any(matches):
            raise AuthenticationError("Wrong API key.")

    return check
