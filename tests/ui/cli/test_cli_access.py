"""`rag users`, `rag keys` and `rag audit` on a real access file."""

from __future__ import annotations

import getpass
import io
import json
from pathlib import Path

import pytest

from rag.access import AccessStore, Role
from ui.cli import main


@pytest.fixture
def access(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RAG_HISTORY__PATH", str(tmp_path / "history.sqlite3"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "access.sqlite3"


def _run(
    args: list[str], capsys: pytest.CaptureFixture[str], stdin: str = ""
) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_users_keys_and_the_audit_log(access: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add = ["users", "add", "alice", "--role", "admin", "--password-stdin"]
    assert _run(add, capsys, "a long password\n") == (
        0,
        "Added the user 'alice': admin of every collection.\n",
        "",
    )
    assert _run(add, capsys, "a long password\n") == (
        2,
        "",
        "error: A user named 'alice' already exists.\n",
    )
    short = ["users", "add", "bob", "--role", "editor", "--on", "finance", "--password-stdin"]
    assert _run(short, capsys, "short\n")[2] == (
        "error: The password is too short: use at least 8 characters.\n"
    )
    assert _run(short, capsys, "long enough\n")[0] == 0
    grant = ["users", "grant", "bob", "--role", "reader", "--on", "legal"]
    assert _run(grant, capsys)[1] == "bob: now editor of finance, reader of legal.\n"
    assert _run(["users", "list"], capsys)[1] == (
        "alice                    admin of every collection\n"
        "bob                      editor of finance, reader of legal\n"
    )
    store = AccessStore(access)
    assert store.check_password("bob", "long enough") is not None
    assert store.check_password("bob", "wrong one") is None

    code, key, note = _run(["keys", "create", "webui", "--role", "reader", "--days", "30"], capsys)
    assert code == 0 and key.startswith("rag_")
    key_id = key.split("_")[1]
    assert note == (
        f"Key {key_id} (webui): reader of every collection. Copy it now: only its hash is kept, "
        "so it cannot be shown again.\n"
    )
    assert store.key(key.strip()).grants == {"*": Role.READER}
    assert key.strip() not in access.read_bytes().decode("latin-1")
    assert _run(["keys", "revoke", key_id], capsys)[1] == f"Revoked the key {key_id}.\n"
    assert _run(["keys", "revoke", key_id], capsys)[2] == (
        f"error: There is no active key with id '{key_id}'; `rag keys list` shows them.\n"
    )
    assert _run(["users", "remove", "bob"], capsys)[1] == (
        "Removed the user 'bob'; its open sessions have ended.\n"
    )

    code, out, _ = _run(["audit", "--json"], capsys)
    actor = f"cli:{getpass.getuser()}"
    assert [(r["actor"], r["action"], r["target"]) for r in json.loads(out)] == [
        (actor, "user removed", "bob"),
        (actor, "key revoked", key_id),
        (actor, "key created", key_id),
        (actor, "user granted", "bob"),
        (actor, "user added", "bob"),
        (actor, "user added", "alice"),
    ]
    assert (access.stat().st_mode & 0o777) == 0o600


def test_a_role_that_does_not_exist_is_named(
    access: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["users", "add", "carol", "--role", "owner"])
    assert stopped.value.code == 2
    assert "'owner' is not a role: use reader, editor or admin" in capsys.readouterr().err
