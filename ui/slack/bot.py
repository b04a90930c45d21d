"""The Slack bot on slack-bolt: mentions and DMs answered in threads, over Socket Mode or HTTP."""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt import App, BoltResponse
from slack_bolt.adapter.fastapi import SlackRequestHandler
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.request.internals import parse_body
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.signature import SignatureVerifier

from rag.access import AccessStore, Scope
from rag.collections import Collections
from rag.config import SlackSettings
from rag.engine import Engine
from rag.errors import ConfigError, RagError
from rag.feedback import FeedbackLog, Vote
from rag.session import EMPTY, ChatSession, Reply, record_vote
from ui.connections import timed_protocol
from ui.limits import BodyLimit
from ui.slack.blocks import (
    ASK_MEANT,
    CLICKED,
    MAX_BLOCKS,
    NOT_MEANT,
    VOTE_DOWN,
    VOTE_UP,
    answer_blocks,
    fallback_text,
    mrkdwn_escape,
)

log = logging.getLogger(__name__)


class _SameToken(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN goes unused when given a client: ours holds that token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


logging.getLogger("slack_bolt.App").addFilter(_SameToken())

SLASH_COMMAND = "/ask"
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


class _Refusal:
    """Stands in for a session when a channel's collection is missing."""

    def __init__(self, message: str) -> None:
        self.message = message

    def ask(self, question: str) -> Reply:
        """The reason, as the reply to any question."""
        return Reply(None, self.message)


class _Recent:
    """A bounded, thread-safe memory of keys seen or values kept, oldest forgotten first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def add_new(self, key: str) -> bool:
        """Remember a key; False when it was already there."""
        with self._lock:
            if key in self._items:
                return False
            self._put(key, None)
            return True

    def put(self, key: str, value: Any) -> None:
        """Keep a value under a key."""
        with self._lock:
            self._put(key, value)

    def get(self, key: str) -> Any:
        """The value kept under a key, or None."""
        with self._lock:
            return self._items.get(key)

    def _put(self, key: str, value: Any) -> None:
        self._items[key] = value
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)


def question_text(text: str) -> str:
    """A message's text without the bot's mention."""
    return " ".join(_MENTION.sub(" ", text or "").split())


def web_client(settings: SlackSettings) -> WebClient:
    """A Web API client with Slack's rate-limit (429 Retry-After) and connection retries."""
    if settings.bot_token is None:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set: add the bot token (xoxb-…) of your Slack app to .env"
        )
    return WebClient(
        token=settings.bot_token.get_secret_value(),
        base_url=settings.api_url if settings.api_url.endswith("/") else settings.api_url + "/",
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=3),
            ConnectionErrorRetryHandler(),
        ],
    )


class SlackBot:
    """Turns Slack events into engine calls and answers into threaded Block Kit replies."""

    def __init__(
        self, engine: Engine, settings: SlackSettings, feedback: FeedbackLog, http: bool
    ) -> None:
        if http and settings.signing_secret is None and settings.bot_token is None:
            raise ConfigError(
                "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set: the bot needs its bot token "
                "(xoxb-…) and, for the HTTP transport, the app's signing secret (Basic Information "
                "page); add both to .env, or SLACK_APP_TOKEN too for Socket Mode"
            )
        if http and settings.signing_secret is None:
            raise ConfigError(
                "SLACK_SIGNING_SECRET is not set: the HTTP transport needs the app's signing "
                "secret (Basic Information page) to verify requests"
            )
        self.engine = engine
        self.collections = Collections(engine)
        # Its channels' collections are checked against the bot's own grants, as anyone's are.
        self.access = AccessStore(engine.settings.access_path())
        self.settings = settings
        self.feedback = feedback
        self._seen = _Recent(10_000)
        self._answers = _Recent(2_000)
        client = web_client(settings)
        try:
            self.app = App(
                client=client,
                signing_secret=settings.signing_secret.get_secret_value()
                if settings.signing_secret
                else None,
                request_verification_enabled=http,
                # Bolt acknowledges at once and runs the listener in its thread pool: Slack
                # retries anything not acknowledged within 3 seconds.
                process_before_response=False,
            )
        except SlackApiError as exc:
            raise ConfigError(
                f"Slack refused the bot token ({exc.response.get('error', 'error')}); "
                "check SLACK_BOT_TOKEN"
            ) from exc
        except Exception as exc:
            raise ConfigError(
                f"Cannot reach Slack's Web API at {settings.api_url} ({type(exc).__name__}); "
                "check the network or SLACK_API_URL"
            ) from exc
        self._register()

    def _register(self) -> None:
        app = self.app

        @app.middleware
        def drop_duplicates(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
            # Slack resends an event it thinks was missed (X-Slack-Retry-Num); the event_id
            # stays the same, so one reply per event whatever the number of deliveries.
            event_id = body.get("event_id")
            if isinstance(event_id, str) and not self._seen.add_new(event_id):
                return BoltResponse(status=200, body="")
            next()
            return None

        @app.event("app_mention")
        def on_mention(event: dict[str, Any], client: WebClient) -> None:
            _posting(lambda: self.answer(event, client))

        @app.event("message")
        def on_message(event: dict[str, Any], client: WebClient) -> None:
            if (
                event.get("channel_type") == "im"
                and not event.get("bot_id")
                and not event.get("subtype")
            ):
                _posting(lambda: self.answer(event, client))

        @app.command(SLASH_COMMAND)
        def on_ask(ack: Callable[[], None], command: dict[str, Any], client: WebClient) -> None:
            # Slack wants the acknowledgement within 3 seconds; the answer follows it.
            ack()
            _posting(lambda: self.answer_command(command, client))

        @app.action(ASK_MEANT)
        @app.action(NOT_MEANT)
        def on_meant(ack: Callable[[], None], body: dict[str, Any], client: WebClient) -> None:
            ack()
            _posting(lambda: self.ask_meant(body, client))

        @app.action(VOTE_UP)
        def on_up(ack: Callable[[], None], body: dict[str, Any], client: WebClient) -> None:
            ack()
            _posting(lambda: self.vote(body, "up", client))

        @app.action(VOTE_DOWN)
        def on_down(ack: Callable[[], None], body: dict[str, Any], client: WebClient) -> None:
            ack()
            _posting(lambda: self.vote(body, "down", client))

    def ask_meant(self, body: dict[str, Any], client: WebClient) -> None:
        """Ask what a "Did you mean …?" button says (the question, or "no"), in its thread."""
        action = (body.get("actions") or [{}])[0]
        container = body.get("container") or {}
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id", "")
        ts = container.get("message_ts") or message.get("ts", "")
        question = str(action.get("value", ""))
        user = (body.get("user") or {}).get("id", "")
        if not (channel and ts and question and user):
            return
        thread = message.get("thread_ts") or container.get("thread_ts") or ts
        event = {"channel": channel, "ts": ts, "thread_ts": thread, "text": question, "user": user}
        self.answer(event, client, clicked_by=user)

    def answer(self, event: dict[str, Any], client: WebClient, clicked_by: str = "") -> None:
        """Reply in the thread of the message: the answer with its sources, or why not."""
        if event.get("bot_id") or event.get("subtype") == "bot_message":
            return
        channel, thread = event["channel"], event.get("thread_ts") or event["ts"]
        question = question_text(event.get("text", ""))
        if not question:
            client.chat_postMessage(channel=channel, thread_ts=thread, text=EMPTY)
            return
        try:
            history = (
                self._thread_questions(client, channel, event) if event.get("thread_ts") else []
            )
        except Exception:
            # Without the thread the question is still worth answering, as a new one.
            log.exception("could not read the thread of a follow-up")
            history = []
        reply = self._session(channel, history).ask(question)
        if reply.answer is None:
            client.chat_postMessage(
                channel=channel, thread_ts=thread, text=f"Sorry: {reply.message}"
            )
            return
        self._answers.put(reply.key, reply)
        # A question asked by a click is no message of the thread: the reply carries it, so
        # that later follow-ups in the thread lean on it.
        asked = {"event_type": CLICKED, "event_payload": {"question": question}}
        client.chat_postMessage(
            channel=channel,
            thread_ts=thread,
            text=fallback_text(reply.answer),
            blocks=answer_blocks(reply.answer, reply.key, clicked_by=clicked_by, clicked=question),
            metadata=asked if clicked_by else None,
        )

    def answer_command(self, command: dict[str, Any], client: WebClient) -> None:
        """Answer `/ask QUESTION` in the channel (or to the asker alone) with the usual blocks."""
        channel, user = command["channel_id"], command["user_id"]
        question = question_text(command.get("text", ""))
        reply = self._session(channel).ask(question) if question else Reply(None, EMPTY)
        if reply.answer is None:
            # A problem is the asker's business, not the channel's.
            text = reply.message if not question else f"Sorry: {reply.message}"
            client.chat_postEphemeral(channel=channel, user=user, text=text)
            return
        self._answers.put(reply.key, reply)
        # Nobody else in the channel sees a slash command's text: the reply shows what was asked.
        asked = f"<@{user}> asked: {mrkdwn_escape(question)}"
        # An answer to the asker alone can start no thread for a "Did you mean …?" click to be
        # answered in; one in the channel can, and carries its question for the click to read.
        alone = self.settings.ephemeral_answers
        blocks = answer_blocks(reply.answer, reply.key, offer=not alone)
        if len(blocks) < MAX_BLOCKS:
            blocks.insert(0, {"type": "context", "elements": [{"type": "mrkdwn", "text": asked}]})
        text = fallback_text(reply.answer)
        if alone:
            client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)
        else:
            carried = {"event_type": CLICKED, "event_payload": {"question": question}}
            client.chat_postMessage(channel=channel, text=text, blocks=blocks, metadata=carried)

    def _session(self, channel: str, history: list[str] | None = None) -> ChatSession | _Refusal:
        """A conversation with the engine of the channel's collection, or why there is none."""
        name = self.settings.collection_for(channel)
        try:
            engine = Scope(self.access.slack(), self.collections).engine(name)
        except RagError as exc:
            # A mapping to a collection that was never made, was deleted, or that the bot was
            # given no role on: say so, log it.
            log.warning("channel %s is mapped to a collection %r it cannot read", channel, name)
            return _Refusal(str(exc))
        return ChatSession(engine, history=history or (), channel="slack")

    def _thread_questions(
        self, client: WebClient, channel: str, event: dict[str, Any]
    ) -> list[str]:
        """The people's earlier messages in the thread, and the questions replies carry."""
        replies = client.conversations_replies(
            channel=channel, ts=event["thread_ts"], limit=50, include_all_metadata=True
        )
        asked = []
        for m in replies.get("messages") or []:
            # The message asking is not its own history; a reply clicked on may hold a question.
            if m.get("ts") == event["ts"] and not m.get("bot_id"):
                continue
            if m.get("bot_id"):
                metadata = m.get("metadata") or {}
                if metadata.get("event_type") == CLICKED:
                    asked.append(str((metadata.get("event_payload") or {}).get("question", "")))
            elif m.get("text"):
                asked.append(question_text(m["text"]))
        return [question for question in asked if question]

    def vote(self, body: dict[str, Any], vote: str, client: WebClient) -> None:
        """Store a Helpful / Not helpful click like the web chat's thumbs."""
        action = (body.get("actions") or [{}])[0]
        kept: Reply | None = self._answers.get(str(action.get("value", "")))
        channel = (body.get("channel") or {}).get("id", "")
        user = (body.get("user") or {}).get("id", "")
        if kept is None:
            reply = "That answer is too old to rate, sorry."
        else:
            try:
                up_or_down: Vote = "up" if vote == "up" else "down"
                record_vote(self.engine, kept, up_or_down, self.feedback, channel="slack")
                reply = "Thanks, your feedback was saved."
            except RagError as exc:
                reply = f"Sorry: {exc}"
        if channel and user:
            client.chat_postEphemeral(channel=channel, user=user, text=reply)


def _posting(reply: Callable[[], None]) -> None:
    """Run a reply; Slack refusing it (a channel the bot isn't in) is one log line."""
    try:
        reply()
    except SlackApiError as exc:
        error = exc.response.get("error", "error")
        hint = " (is the bot in the channel?)" if error in _NOT_IN_CHANNEL else ""
        log.warning("Slack refused the reply: %s%s", error, hint)


_NOT_IN_CHANNEL = frozenset({"channel_not_found", "not_in_channel", "is_archived"})


def http_app(bot: SlackBot) -> FastAPI:
    """A FastAPI app with nothing but Slack's events endpoint, its bodies bounded."""
    api = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    add_events_route(api, bot)
    # Public, so that Slack can reach it: a body is read whole before its signature is checked.
    api.add_middleware(BodyLimit, web=bot.engine.settings.web)
    return api


def add_events_route(api: FastAPI, bot: SlackBot) -> None:
    """Mount Slack's events endpoint, /slack/events, on a FastAPI app (its own or the chat's)."""
    handler = SlackRequestHandler(bot.app)

    secret = bot.settings.signing_secret
    verifier = SignatureVerifier(secret.get_secret_value()) if secret else None

    async def events(request: Request) -> Response:
        # Bolt checks the signature and the timestamp (401 when either is wrong) and answers
        # url_verification itself.
        raw = await request.body()
        # What Slack never sends (junk, an event that is not an object, a command without its
        # channel) would fail deep in Bolt, which parses before it checks the signature, or in
        # our listeners, with a traceback per request.
        if not well_formed(raw, request.headers.get("content-type", "")):
            if verifier is None or not verifier.is_valid_request(raw, dict(request.headers)):
                return JSONResponse({"error": "invalid signature"}, status_code=401)
            log.warning("Slack events: a signed request with an unreadable body, refused")
            return JSONResponse({"error": "unreadable request body"}, status_code=400)
        response: Response = await handler.handle(request)
        return response

    api.add_api_route("/slack/events", events, methods=["POST"], include_in_schema=False)


def well_formed(raw: bytes, content_type: str) -> bool:
    """True when a body has the shape Slack's events, actions and commands have."""
    try:
        # Read as Bolt will read it: JSON, a form's JSON payload, or a form.
        data = parse_body(raw.decode("utf-8"), content_type.split(";")[0] or None)
    except (ValueError, RecursionError):
        return False
    if not isinstance(data, dict):
        return False
    if "command" in data:
        # A slash command names its channel and user.
        return bool(data.get("channel_id") and data.get("user_id"))
    if data.get("type") == "event_callback":
        event = data.get("event")
        if not isinstance(event, dict) or not isinstance(data.get("event_id", ""), str):
            return False
        needed = ("channel", "ts") if event.get("type") in ("app_mention", "message") else ()
        return all(isinstance(event.get(k), str) for k in needed) and all(
            isinstance(event.get(k, ""), str) for k in ("text", "thread_ts", "user", "type")
        )
    actions = data.get("actions", [])
    return isinstance(actions, list) and all(isinstance(a, dict) for a in actions)


def serve_http(bot: SlackBot, host: str, port: int) -> None:
    """Serve the events endpoint until interrupted."""
    import uvicorn

    settings = bot.engine.settings
    proxies = settings.access.proxy_list()
    web = settings.web
    protocol = timed_protocol(web.request_timeout_s, web.max_connections_per_client, proxies)
    # Slack's requests are signed: a client's address matters only to the connection cap.
    uvicorn.run(
        http_app(bot), host=host, port=port, log_level="warning", http=protocol, proxy_headers=False
    )


def socket_handler(bot: SlackBot) -> SocketModeHandler:
    """Socket Mode: no public URL, Slack's events arrive over a websocket the bot opens."""
    if bot.settings.app_token is None:
        raise ConfigError(
            "SLACK_APP_TOKEN is not set: Socket Mode needs an app-level token (xapp-…) with "
            "connections:write, or use `rag slack --http` with SLACK_SIGNING_SECRET"
        )
    return SocketModeHandler(bot.app, bot.settings.app_token.get_secret_value())
