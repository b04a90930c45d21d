"""`rag users`, `rag keys` and `rag audit`: who may log in, with which roles, and what they did."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from rag.access import AccessStore, Role
from rag.access.store import SLACK, grants_of
from rag.config import Settings
from rag.errors import AccessError
from ui.cli.registry import command, record_write


def _role(value: str) -> Role:
    try:
        return Role.named(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _grant_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", type=_role, required=True, help="reader, editor or admin")
    parser.add_argument(
        "--on",
        action="append",
        default=[],
        metavar="COLLECTION",
        help="a collection the role is on (repeat for several; none: every collection)",
    )


def _users_options(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a user (the password is asked, or read from stdin)")
    add.add_argument("name")
    _grant_options(add)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    actions.add_parser("list", help="the users and their roles")
    remove = actions.add_parser("remove", help="remove a user; its sessions end at once")
    remove.add_argument("name")
    grant = actions.add_parser(
        "grant", help="give a user (or @slack, the Slack bot) a role; --role none takes it"
    )
    grant.add_argument("name")
    grant.add_argument("--role", required=True, help="reader, editor, admin or none")
    grant.add_argument("--on", action="append", default=[], metavar="COLLECTION")


def _grants_text(grants: dict[str, Role]) -> str:
    return (
        ", ".join(
            f"{role} of {'every collection' if c == '*' else c}"
            for c, role in sorted(grants.items())
        )
        or "no role"
    )


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != first:
        raise AccessError("The two passwords differ; nothing was changed.")
    return first


@command("users", "add, list, remove users, and grant them roles", _users_options, engine=False)
def users(args: argparse.Namespace, settings: Settings) -> int:
    """Manage the web users of `rag serve` (passwords hashed with argon2)."""
    store = AccessStore(settings.access_path())
    match args.action:
        case "add":
            grants = grants_of(args.role, args.on)
            store.add_user(args.name, _password(args), grants)
            record_write(settings, "user added", args.name, detail=_grants_text(grants))
            print(f"Added the user {args.name!r}: {_grants_text(grants)}.")
        case "list":
            found = store.users()
            for name, grants in found:
                print(f"{name:<24} {_grants_text(grants)}")
            if not found:
                print("No users yet: `rag users add NAME --role admin` creates the first.")
        case "remove":
            store.remove_user(args.name)
            record_write(settings, "user removed", args.name)
            print(f"Removed the user {args.name!r}; its open sessions have ended.")
        case "grant":
            role = None if args.role.lower() == "none" else Role.named(args.role)
            kind = "slack" if args.name == SLACK else "user"
            for collection in args.on or ["*"]:
                store.grant(kind, args.name, role, collection)
            change = f"{role or 'no role'} on {', '.join(args.on) or 'every collection'}"
            record_write(settings, "user granted", args.name, detail=change)
            now = store.slack() if kind == "slack" else store.user(args.name)
            print(f"{args.name}: now {_grants_text(dict(now.grants) if now else {})}.")
    return 0


def _keys_options(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="create an API key; it is shown once")
    create.add_argument("label", help="what the key is for, e.g. open-webui")
    _grant_options(create)
    create.add_argument("--days", type=int, help="expire after this many days (default: never)")
    actions.add_parser("list", help="the keys (never the keys themselves)")
    revoke = actions.add_parser("revoke", help="refuse a key from now on")
    revoke.add_argument("id", help="the key's id, as listed")


@command("keys", "create, list or revoke API keys", _keys_options, engine=False)
def keys(args: argparse.Namespace, settings: Settings) -> int:
    """Manage the API keys of `rag serve` (only their hashes are kept)."""
    store = AccessStore(settings.access_path())
    match args.action:
        case "create":
            if args.days is not None and args.days < 1:
                raise AccessError("--days must be 1 or more.")
            grants = grants_of(args.role, args.on)
            made = store.create_key(args.label, grants, args.days)
            record_write(
                settings, "key created", made.id, detail=f"{args.label}: {_grants_text(grants)}"
            )
            print(made.key)
            print(
                f"Key {made.id} ({args.label}): {_grants_text(grants)}. Copy it now: only its "
                "hash is kept, so it cannot be shown again.",
                file=sys.stderr,
            )
        case "list":
            for key in store.api_keys():
                state = (
                    "revoked"
                    if key.revoked
                    else f"expires {key.expires[:10]}"
                    if key.expires
                    else "active"
                )
                print(f"{key.id}  {key.label:<20} {state:<18} {_grants_text(key.grants)}")
        case "revoke":
            store.revoke_key(args.id)
            record_write(settings, "key revoked", args.id)
            print(f"Revoked the key {args.id}.")
    return 0


def _audit_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=50, metavar="N", help="rows (default 50)")
    parser.add_argument("--json", action="store_true", help="print one JSON list")


@command(
    "audit",
    "who added or removed documents, collections, users and keys",
    _audit_options,
    engine=False,
)
def audit(args: argparse.Namespace, settings: Settings) -> int:
    """Print the latest writes, newest first."""
    rows = AccessStore(settings.access_path()).audit_rows(args.limit)
    if args.json:
        print(json.dumps([row.__dict__ for row in rows], ensure_ascii=False))
        return 0
    for row in rows:
        where = f" in {row.collection}" if row.collection else ""
        detail = f" ({row.detail})" if row.detail else ""
        print(f"{row.time}  {row.actor:<20} {row.action} {row.target}{where}{detail}")
    if not rows:
        print("Nothing recorded yet.")
    return 0
