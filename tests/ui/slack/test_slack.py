"""The Slack bot against a recording fake of Slack's Web API, with real signed events."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn

from rag.config import SlackSettings
from rag.engine import Engine
from rag.errors import ConfigError
from rag.feedback import FeedbackLog
from tests.fixtures import NSCALE, make_settings
from tests.fixtures.indexes import CopyIndex
from tests.fixtures.loopback import free_port
from tests.fixtures.slack_fake import (
    BOT_TOKEN,
    SECRET,
    FakeSlack,
    FakeSocketMode,
    event_body,
    mention,
    signed_post,
)
from tests.fixtures.waiting import wait_for
from ui.slack.bot import SlackBot, http_app, socket_handler


@pytest.fixture(scope="module")
def slack_env(
    tmp_path_factory: pytest.TempPathFactory, copy_seeded: CopyIndex, embed_model: Any
) -> Iterator[tuple[FakeSlack, SlackBot, str, Engine]]:
    """The fake Web API, the bot on its HTTP transport, and its base URL."""
    folder = tmp_path_factory.mktemp("slack")
    copy_seeded(folder)
    fake = FakeSlack()
    api_url = fake.start()
    settings = SlackSettings(bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=api_url)
    with Engine.open(make_settings(folder / "index"), embed_model) as engine:
        engine.warm_up()
        bot = SlackBot(engine, settings, FeedbackLog(folder / "feedback.jsonl"), http=True)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(http_app(bot), host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        wait_for(lambda: server.started)
        yield fake, bot, f"http://127.0.0.1:{port}/slack/events", engine
        server.should_exit = True
        thread.join(10)
    fake.stop()


def settled(bot: SlackBot, timeout: float = 60.0) -> None:
    """Return once the bot's listeners have run everything handed to them so far.

    Bolt acknowledges a request, then answers it in its listener pool, which takes work first in,
    first out: once one task per worker runs at the same moment, no earlier work is left.
    """
    pool = bot.app.listener_runner.listener_executor
    assert isinstance(pool, ThreadPoolExecutor)
    workers = pool._max_workers  # Bolt's default pool: 5
    barrier = threading.Barrier(workers + 1, timeout=timeout)
    for _ in range(workers):
        pool.submit(barrier.wait)
    barrier.wait()


def replies_in(fake: FakeSlack, channel: str, thread: str) -> list[dict[str, Any]]:
    return [p for p in fake.posts() if p.get("channel") == channel and p.get("thread_ts") == thread]


def posted(post: dict[str, Any], key: str) -> Any:
    """A JSON argument of a post, whether the client sent it as JSON or form-encoded."""
    value = post[key]
    return json.loads(value) if isinstance(value, str) else value


def blocks_text(post: dict[str, Any]) -> str:
    return json.dumps(posted(post, "blocks"), ensure_ascii=False)


def test_the_events_endpoint_bounds_what_it_reads(slack_env: Any) -> None:
    _, _, url, _ = slack_env
    # Read whole before its signature is checked: over the body limit, nothing is read further.
    big = httpx.post(url, content=b"x" * 3_000_000, headers={"Content-Type": "application/json"})
    assert big.status_code == 413
    assert big.json()["error"]["message"] == (
        "The request body is over the 2,048 kB limit (RAG_WEB__MAX_BODY_KB); send less history "
        "or a shorter question."
    )
    packed = httpx.post(
        url,
        content=gzip.compress(b" " * (50 << 20)),
        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
    )
    assert packed.status_code == 415
    assert packed.json()["error"]["code"] == "unsupported_media_type"


def test_mention_gets_one_threaded_reply_with_sources(slack_env: Any) -> None:
    fake, _, url, _ = slack_env
    # Slack wants the acknowledgement within 3 s, whatever the answer takes: with the reply held
    # back, the request is still answered.
    fake.held = threading.Event()
    try:
        response = signed_post(url, event_body(mention(NSCALE, "100.1"), "Ev-mention"))
        assert response.status_code == 200
    finally:
        fake.held.set()
        fake.held = None
    wait_for(lambda: len(replies_in(fake, "C1", "100.1")) == 1)
    post = replies_in(fake, "C1", "100.1")[0]
    text = blocks_text(post)
    assert post["text"].startswith("Nscale, a startup backed by Nvidia, has raised $2 billion")
    assert "*Sources*" in text
    assert "004_f7653a61b53defd5.txt" in text and "$14.6 billion" in text
    assert '"action_id": "feedback_up"' in text and '"action_id": "feedback_down"' in text
    assert "extractive mode" in text


def test_a_note_on_what_the_quote_lacks_is_the_first_block(slack_env: Any) -> None:
    fake, _, url, _ = slack_env
    question = "When did Nscale raise its $2 billion?"
    assert signed_post(url, event_body(mention(question, "100.5"), "Ev-note")).status_code == 200
    wait_for(lambda: len(replies_in(fake, "C1", "100.5")) == 1)
    blocks = replies_in(fake, "C1", "100.5")[0]["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    assert blocks[0] == {
        "type": "context",
        "elements": [
            {"type": "mrkdwn", "text": "The quote gives no date: the articles may not say when."}
        ],
    }


def test_direct_message_is_answered_in_its_thread(slack_env: Any) -> None:
    fake, bot, url, _ = slack_env
    event = {
        "type": "message",
        "channel_type": "im",
        "user": "U2",
        "text": NSCALE,
        "channel": "D1",
        "ts": "200.1",
    }
    assert signed_post(url, event_body(event, "Ev-dm")).status_code == 200
    wait_for(lambda: len(replies_in(fake, "D1", "200.1")) == 1)
    bot_message = {**event, "ts": "200.2", "bot_id": "BOTHER", "text": "I am a bot"}
    own = {**event, "ts": "200.3", "user": "UBOT", "bot_id": "BBOT"}
    assert signed_post(url, event_body(bot_message, "Ev-bot")).status_code == 200
    assert signed_post(url, event_body(own, "Ev-own")).status_code == 200
    settled(bot)
    assert replies_in(fake, "D1", "200.2") == [] and replies_in(fake, "D1", "200.3") == []


def thread_reply(slack_env: Any, thread: str, turns: list[str], event_id: str) -> dict[str, Any]:
    """The bot's reply to the last of a thread's turns (the user's and the bot's, alternately)."""
    fake, _, url, _ = slack_env
    base = int(float(thread))
    messages = []
    for i, text in enumerate(turns):
        ts = f"{base}.{i + 1}"
        who = {"user": "U1", "text": f"<@UBOT> {text}"} if i % 2 == 0 else {"bot_id": "BBOT"}
        messages.append({"ts": ts, "text": text, **who})
    fake.threads[thread] = messages
    last = messages[-1]["ts"]
    body = event_body(mention(turns[-1], last, thread_ts=thread), event_id)
    assert signed_post(url, body).status_code == 200
    wait_for(lambda: len(replies_in(fake, "C1", thread)) == 1)
    reply: dict[str, Any] = replies_in(fake, "C1", thread)[0]
    return reply


def test_thread_follow_up_uses_the_thread(slack_env: Any) -> None:
    fake = slack_env[0]
    before = fake.count("conversations.replies")
    turns = ["How much did Nscale raise?", "Nscale raised $2 billion [1]", "And at what valuation?"]
    reply = thread_reply(slack_env, "300.1", turns, "Ev-thread")
    assert fake.count("conversations.replies") == before + 1
    assert "$14.6 billion" in reply["text"]


def test_a_rewritten_thread_follow_up_says_what_was_searched(slack_env: Any) -> None:
    turns = ["How much did Nscale raise?", "Nscale raised $2 billion [1]", "Who backs it?"]
    reply = thread_reply(slack_env, "305.1", turns, "Ev-searched")
    assert posted(reply, "blocks")[0] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": "Searched as “Who backs Nscale?”"}],
    }


def test_a_thread_follow_up_after_yes_uses_the_spelling_accepted(slack_env: Any) -> None:
    # A thread's messages come back as typed: before, "Nscael" stayed the topic after the yes,
    # and the follow-up got "Did you mean Nscale?" again.
    turns = [
        "How much did Nscael raise?",
        "The articles don't say … Did you mean Nscale?",
        "yes",
        "Nscale raised $2 billion [1]",
        "And at what valuation?",
    ]
    text = thread_reply(slack_env, "310.1", turns, "Ev-yes")["text"]
    assert "$14.6 billion" in text and "Nscael" not in text and "Did you mean" not in text


def test_retried_event_gets_one_reply(slack_env: Any) -> None:
    fake, bot, url, _ = slack_env
    body = event_body(mention("How much will Adani invest?", "400.1"), "Ev-retried")
    for retry in (None, 1, 2):
        assert signed_post(url, body, retry=retry).status_code == 200
    wait_for(lambda: len(replies_in(fake, "C1", "400.1")) >= 1)
    settled(bot)
    assert len(replies_in(fake, "C1", "400.1")) == 1


def test_bad_or_stale_signature_is_refused(slack_env: Any) -> None:
    fake, bot, url, _ = slack_env
    posts = len(fake.posts())
    body = event_body(mention(NSCALE, "500.1"), "Ev-forged")
    assert signed_post(url, body, signature="v0=" + "0" * 64).status_code == 401
    assert signed_post(url, body, timestamp=int(time.time()) - 600).status_code == 401
    settled(bot)
    assert len(fake.posts()) == posts


def test_a_body_that_is_not_slacks_is_refused_without_a_traceback(
    slack_env: Any, caplog: pytest.LogCaptureFixture
) -> None:
    _, _, url, _ = slack_env
    deep = "[" * 3000 + "]" * 3000
    for junk in ("garbage", deep):
        unsigned = httpx.post(url, content=junk, headers={"Content-Type": "application/json"})
        assert (unsigned.status_code, unsigned.json()) == (401, {"error": "invalid signature"})
    form = "application/x-www-form-urlencoded"
    mention_without_channel = {"type": "app_mention", "text": "hi", "ts": "1.1"}
    for body, kind in [
        ("garbage", "application/json"),
        ("[1, 2]", "application/json"),
        (deep, "application/json"),
        ("payload=%7Bbad", form),
        (
            json.dumps({"type": "event_callback", "event_id": "E1", "event": [1]}),
            "application/json",
        ),
        (event_body(mention_without_channel, "E2"), "application/json"),
        (urlencode({"payload": json.dumps({"type": "block_actions", "actions": "x"})}), form),
        ("command=%2Fask&text=hi", form),
    ]:
        refused = signed_post(url, body, content_type=kind)
        assert (refused.status_code, refused.json()) == (400, {"error": "unreadable request body"})
    assert "Traceback" not in caplog.text


def test_url_verification_is_answered(slack_env: Any) -> None:
    _, _, url, _ = slack_env
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "x"})
    response = signed_post(url, body)
    assert response.status_code == 200
    assert response.json() == {"challenge": "c-123"}


def click(url: str, key: str, channel: str, action: str = "feedback_up") -> httpx.Response:
    """A signed Helpful / Not helpful click on the answer the key names."""
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "channel": {"id": channel},
        "team": {"id": "T1"},
        "container": {"type": "message", "message_ts": "600.2", "channel_id": channel},
        "trigger_id": "t1",
        "actions": [{"action_id": action, "block_id": "feedback", "value": key, "type": "button"}],
    }
    form = urlencode({"payload": json.dumps(payload)})
    return signed_post(url, form, content_type="application/x-www-form-urlencoded")


def offer_click(
    url: str, thread: str, action: str, value: str, channel: str = "C1", ts: str = ""
) -> httpx.Response:
    """A signed click on a "Did you mean …?" button of the reply {thread}.2 in thread {thread}.1.

    With `ts`, the button is on that message, which starts no thread (a slash command's answer).
    """
    where = {"ts": ts} if ts else {"ts": f"{thread}.2", "thread_ts": f"{thread}.1"}
    payload = {
        "type": "block_actions",
        "user": {"id": "U1"},
        "channel": {"id": channel},
        "team": {"id": "T1"},
        "container": {
            "type": "message",
            "message_ts": where["ts"],
            **({"thread_ts": where["thread_ts"]} if "thread_ts" in where else {}),
        },
        "message": where,
        "trigger_id": "t1",
        "actions": [
            {"action_id": action, "block_id": "did_you_mean", "value": value, "type": "button"}
        ],
    }
    form = urlencode({"payload": json.dumps(payload)})
    return signed_post(url, form, content_type="application/x-www-form-urlencoded")


def test_yes_button_under_did_you_mean_asks_in_the_thread(slack_env: Any) -> None:
    fake, _, url, _ = slack_env
    body = event_body(mention("How much did Nscael raise?", "620.1"), "Ev-meant")
    assert signed_post(url, body).status_code == 200
    wait_for(lambda: len(replies_in(fake, "C1", "620.1")) == 1)
    offer = json.loads(blocks_text(replies_in(fake, "C1", "620.1")[0]))
    assert offer[-2]["elements"] == [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "Yes: How much did Nscale raise?"},
            "action_id": "ask_meant",
            "value": "How much did Nscale raise?",
        },
        {
            "type": "button",
            "text": {"type": "plain_text", "text": "No"},
            "action_id": "not_meant",
            "value": "no",
        },
    ]
    clicked = offer_click(url, "620", "ask_meant", "How much did Nscale raise?")
    assert clicked.status_code == 200
    wait_for(lambda: len(replies_in(fake, "C1", "620.1")) == 2)
    answer = replies_in(fake, "C1", "620.1")[1]
    assert "$14.6 billion" in answer["text"]
    assert "<@U1> asked it with the button" in blocks_text(answer)
    metadata = posted(answer, "metadata")
    assert metadata == {
        "event_type": "rag_clicked",
        "event_payload": {"question": "How much did Nscale raise?"},
    }
    # The thread read back: the click's question is what a follow-up leans on.
    fake.threads["620.1"] = [
        {"ts": "620.1", "user": "U1", "text": "<@UBOT> How much did Nscael raise?"},
        {"ts": "620.2", "bot_id": "BBOT", "text": "… Did you mean Nscale?"},
        {
            "ts": "620.3",
            "bot_id": "BBOT",
            "text": "Nscale raised $2 billion [1]",
            "metadata": metadata,
        },
        {"ts": "620.4", "user": "U1", "text": "<@UBOT> And at what valuation?"},
    ]
    follow = event_body(mention("And at what valuation?", "620.4", thread_ts="620.1"), "Ev-m2")
    assert signed_post(url, follow).status_code == 200
    wait_for(lambda: len(replies_in(fake, "C1", "620.1")) == 3)
    text = replies_in(fake, "C1", "620.1")[2]["text"]
    assert "$14.6 billion" in text and "Did you mean" not in text


def test_no_button_under_did_you_mean_answers_no_in_the_thread(slack_env: Any) -> None:
    fake, _, url, _ = slack_env
    body = event_body(mention("How much did Nscael raise?", "630.1"), "Ev-not-meant")
    assert signed_post(url, body).status_code == 200
    wait_for(lambda: len(replies_in(fake, "C1", "630.1")) == 1)
    # The click's answer reads the thread: the question the offer was made to.
    fake.threads["630.1"] = [
        {"ts": "630.1", "user": "U1", "text": "<@UBOT> How much did Nscael raise?"},
        {"ts": "630.2", "bot_id": "BBOT", "text": "… Did you mean Nscale?"},
    ]
    clicked = offer_click(url, "630", "not_meant", "no")
    assert clicked.status_code == 200
    wait_for(lambda: len(replies_in(fake, "C1", "630.1")) == 2)
    answer = replies_in(fake, "C1", "630.1")[1]
    assert answer["text"] == (
        "Then none of the articles I searched mentions Nscael. Ask again with other words, "
        "or ask “What are these articles about?” for an overview."
    )
    assert "<@U1> said no with the button" in blocks_text(answer)
    assert posted(answer, "metadata") == {
        "event_type": "rag_clicked",
        "event_payload": {"question": "no"},
    }


def test_feedback_click_is_stored(slack_env: Any) -> None:
    fake, bot, url, _ = slack_env
    assert signed_post(url, event_body(mention(NSCALE, "600.1"), "Ev-fb")).status_code == 200
    wait_for(lambda: len(replies_in(fake, "C1", "600.1")) == 1)
    blocks = json.loads(blocks_text(replies_in(fake, "C1", "600.1")[0]))
    assert click(url, blocks[-1]["elements"][0]["value"], "C1").status_code == 200
    wait_for(lambda: fake.count("chat.postEphemeral") >= 1)
    entries = bot.feedback.read()
    assert (entries[-1]["vote"], entries[-1]["channel"]) == ("up", "slack")
    assert entries[-1]["question"] == NSCALE
    assert entries[-1]["citations"][0]["source"] == "004_f7653a61b53defd5.txt"


def test_rate_limited_post_is_retried_once_and_delivered(slack_env: Any) -> None:
    fake, _, url, _ = slack_env
    fake.rate_limit_next_posts = 1
    calls_before = fake.count("chat.postMessage")
    assert signed_post(url, event_body(mention(NSCALE, "700.1"), "Ev-429")).status_code == 200
    wait_for(lambda: len(replies_in(fake, "C1", "700.1")) == 2, timeout=30)
    assert fake.count("chat.postMessage") == calls_before + 2  # the 429, then the retry


def test_tokens_are_sent_but_never_logged(slack_env: Any, caplog: pytest.LogCaptureFixture) -> None:
    fake, _, url, _ = slack_env
    assert signed_post(url, event_body(mention(NSCALE, "800.1"), "Ev-log")).status_code == 200
    wait_for(lambda: len(replies_in(fake, "C1", "800.1")) == 1)
    assert all(c.authorized for c in fake.calls)
    assert BOT_TOKEN not in caplog.text


def test_socket_mode_dispatch(slack_env: Any, tmp_path: Path) -> None:
    fake, _, _, engine = slack_env
    socket_fake = FakeSocketMode()
    fake.socket_url = socket_fake.start()
    settings = SlackSettings(bot_token=BOT_TOKEN, app_token="xapp-sentinel", api_url=fake.api_url)
    bot = SlackBot(engine, settings, FeedbackLog(tmp_path / "feedback.jsonl"), http=False)
    handler = socket_handler(bot)
    handler.connect()
    try:
        envelope = {
            "envelope_id": "env-1",
            "type": "events_api",
            "accepts_response_payload": False,
            "payload": json.loads(event_body(mention(NSCALE, "900.1"), "Ev-socket")),
        }
        wait_for(handler.client.is_connected)
        socket_fake.send(envelope)
        wait_for(lambda: any(a.get("envelope_id") == "env-1" for a in socket_fake.acks))
        wait_for(lambda: len(replies_in(fake, "C1", "900.1")) == 1)
    finally:
        handler.close()
    assert "$14.6 billion" in replies_in(fake, "C1", "900.1")[0]["text"]


def test_missing_settings_name_the_variable(slack_env: Any, tmp_path: Path) -> None:
    _, _, _, engine = slack_env
    feedback = FeedbackLog(tmp_path / "feedback.jsonl")
    with pytest.raises(ConfigError) as caught:
        SlackBot(engine, SlackSettings(signing_secret=SECRET), feedback, http=True)
    assert str(caught.value).startswith("SLACK_BOT_TOKEN is not set")
    with pytest.raises(ConfigError) as caught:
        SlackBot(engine, SlackSettings(bot_token=BOT_TOKEN), feedback, http=True)
    assert str(caught.value).startswith("SLACK_SIGNING_SECRET is not set")
    with pytest.raises(ConfigError) as caught:
        SlackBot(engine, SlackSettings(), feedback, http=True)
    assert str(caught.value).startswith("SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set")
    bot = SlackBot(
        engine,
        SlackSettings(bot_token=BOT_TOKEN, api_url=slack_env[0].api_url),
        feedback,
        http=False,
    )
    with pytest.raises(ConfigError) as caught:
        socket_handler(bot)
    assert str(caught.value).startswith("SLACK_APP_TOKEN is not set")


def test_rag_slack_http_command_end_to_end(seeded_copy: Path, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    fake = FakeSlack()
    api_url = fake.start()
    port = free_port()
    env = {
        **os.environ,
        "RAG_QDRANT__PATH": str(seeded_copy),
        "RAG_WEB__FEEDBACK_PATH": str(tmp_path / "feedback.jsonl"),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "HF_HUB_OFFLINE": "1",
    }
    command = [sys.executable, "-m", "ui.cli", "slack", "--http", "--port", str(port)]
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/slack/events"
    try:

        def listening() -> bool:
            with socket.socket() as probe:
                return probe.connect_ex(("127.0.0.1", port)) == 0

        wait_for(listening, timeout=60)
        fake.held = threading.Event()  # acknowledged before the answer is posted
        response = signed_post(url, event_body(mention(NSCALE, "1000.1"), "Ev-cli"))
        assert response.status_code == 200
        fake.held.set()
        wait_for(lambda: len(replies_in(fake, "C1", "1000.1")) == 1)
        reply = replies_in(fake, "C1", "1000.1")[0]
        assert "$14.6 billion" in reply["text"]
        assert "004_f7653a61b53defd5.txt" in blocks_text(reply)
        forged = signed_post(
            url, event_body(mention(NSCALE, "1000.2"), "Ev-cli-2"), signature="v0=bad"
        )
        assert forged.status_code == 401
    finally:
        if fake.held is not None:
            fake.held.set()
        process.terminate()
        _, stderr = process.communicate(timeout=20)
        fake.stop()
    assert BOT_TOKEN not in stderr and SECRET not in stderr
    assert "Traceback" not in stderr and "will be unused" not in stderr


def test_burst_of_fifty_mentions_with_retries_gets_fifty_replies(slack_env: Any) -> None:
    fake, bot, url, _ = slack_env
    questions = ["How much will Adani invest?", NSCALE, "What is OpenAI's valuation?"]
    deliveries = []
    for i in range(50):
        body = event_body(mention(questions[i % 3], f"2000.{i}"), f"Ev-burst-{i}")
        deliveries.append((body, None))
        if i % 5 == 0:  # every fifth event is delivered again, as Slack's retries do
            deliveries += [(body, 1), (body, 2)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = list(pool.map(lambda d: signed_post(url, d[0], retry=d[1]).status_code, deliveries))
    assert codes == [200] * 70

    def burst_replies() -> int:
        return sum(1 for p in fake.posts() if str(p.get("thread_ts", "")).startswith("2000."))

    wait_for(lambda: burst_replies() >= 50, timeout=120)
    settled(bot)
    assert burst_replies() == 50
    assert len({p["thread_ts"] for p in fake.posts() if p["thread_ts"].startswith("2000.")}) == 50


def slash_command(text: str, channel: str, trigger: str) -> str:
    return urlencode(
        {
            "command": "/ask",
            "text": text,
            "channel_id": channel,
            "user_id": "U7",
            "team_id": "T1",
            "trigger_id": trigger,
            "response_url": "http://127.0.0.1:9/unused",
        }
    )


def test_slash_command_answers_in_the_channel_with_the_same_blocks(slack_env: Any) -> None:
    fake, _, url, _ = slack_env
    form = slash_command(NSCALE, "C5", "trigger-1")
    response = signed_post(url, form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    wait_for(lambda: any(p.get("channel") == "C5" for p in fake.posts()))
    post = next(p for p in fake.posts() if p.get("channel") == "C5")
    blocks = json.loads(blocks_text(post))
    assert blocks[0] == {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": f"<@U7> asked: {NSCALE}"}],
    }
    assert post["text"].startswith("Nscale, a startup backed by Nvidia, has raised $2 billion")
    text = blocks_text(post)
    assert "004_f7653a61b53defd5.txt" in text and '"action_id": "feedback_up"' in text
    assert "thread_ts" not in post


def test_a_slash_command_answer_takes_votes(slack_env: Any) -> None:
    fake, bot, url, _ = slack_env
    form = slash_command(NSCALE, "C8", "trigger-3")
    assert signed_post(url, form, "application/x-www-form-urlencoded").status_code == 200
    wait_for(lambda: any(p.get("channel") == "C8" for p in fake.posts()))
    blocks = json.loads(blocks_text(next(p for p in fake.posts() if p.get("channel") == "C8")))
    before = fake.count("chat.postEphemeral")
    assert click(url, blocks[-1]["elements"][0]["value"], "C8", "feedback_down").status_code == 200
    wait_for(lambda: fake.count("chat.postEphemeral") == before + 1)
    thanks = [c.args for c in fake.calls if c.method == "chat.postEphemeral"][-1]
    assert thanks["text"] == "Thanks, your feedback was saved."
    entries = bot.feedback.read()
    assert (entries[-1]["vote"], entries[-1]["question"]) == ("down", NSCALE)


def test_a_slash_command_answer_offers_the_spelling_and_a_click_answers_in_its_thread(
    slack_env: Any,
) -> None:
    fake, _, url, _ = slack_env
    form = slash_command("How much did Nscael raise?", "C9", "trigger-4")
    assert signed_post(url, form, "application/x-www-form-urlencoded").status_code == 200
    wait_for(lambda: any(p.get("channel") == "C9" for p in fake.posts()))
    answer = next(p for p in fake.posts() if p.get("channel") == "C9")
    # Before, a slash command's answer offered no buttons: it starts no thread of its own.
    buttons = json.loads(blocks_text(answer))[-2]["elements"]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        ("ask_meant", "How much did Nscale raise?"),
        ("not_meant", "no"),
    ]
    metadata = posted(answer, "metadata")
    assert metadata == {
        "event_type": "rag_clicked",
        "event_payload": {"question": "How much did Nscael raise?"},
    }
    # The "No" is answered in the answer's thread, read back with the question it carries.
    fake.threads["900.5"] = [
        {"ts": "900.5", "bot_id": "BBOT", "text": "… Did you mean Nscale?", "metadata": metadata}
    ]
    assert offer_click(url, "", "not_meant", "no", channel="C9", ts="900.5").status_code == 200
    wait_for(lambda: len(replies_in(fake, "C9", "900.5")) == 1)
    assert replies_in(fake, "C9", "900.5")[0]["text"] == (
        "Then none of the articles I searched mentions Nscael. Ask again with other words, "
        "or ask “What are these articles about?” for an overview."
    )
    clicked = offer_click(url, "", "ask_meant", "How much did Nscale raise?", "C9", "900.5")
    assert clicked.status_code == 200
    wait_for(lambda: len(replies_in(fake, "C9", "900.5")) == 2)
    assert "$14.6 billion" in replies_in(fake, "C9", "900.5")[1]["text"]


def test_slash_command_can_answer_the_asker_alone(slack_env: Any) -> None:
    fake, bot, url, _ = slack_env
    before = fake.count("chat.postEphemeral")
    bot.settings = bot.settings.model_copy(update={"ephemeral_answers": True})
    try:
        for n, question in enumerate((NSCALE, "How much did Nscael raise?"), start=1):
            form = slash_command(question, "C6", f"trigger-2{n}")
            assert signed_post(url, form, "application/x-www-form-urlencoded").status_code == 200
            wait_for(lambda n=n: fake.count("chat.postEphemeral") == before + n)
    finally:
        bot.settings = bot.settings.model_copy(update={"ephemeral_answers": False})
    answered, offered = [c.args for c in fake.calls if c.method == "chat.postEphemeral"][-2:]
    assert (answered["channel"], answered["user"]) == ("C6", "U7")
    assert "$14.6 billion" in answered["text"]
    assert not any(p.get("channel") == "C6" for p in fake.posts())
    # An answer to the asker alone starts no thread a click could be answered in: the offer is
    # in its text, with no buttons.
    assert offered["text"] == (
        "The articles don't say: none of the retrieved passages mentions Nscael. "
        "Did you mean Nscale?"
    )
    assert "ask_meant" not in json.dumps(posted(offered, "blocks"))


def test_channels_are_answered_from_their_own_collections(slack_env: Any, tmp_path: Path) -> None:
    fake, bot, url, engine = slack_env
    for name, amount in (("finance", "$3 billion"), ("legal", "$9 billion")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "note.txt").write_text(
            f"Orbital Foundry raised {amount} to build chip plants in orbit.\n", encoding="utf-8"
        )
        assert bot.collections.create(name).ingest([folder]).ok
    mapping = {"CFIN": "finance", "CLEG": "legal", "CGONE": "nope"}
    bot.settings = bot.settings.model_copy(update={"channel_collections": mapping})
    try:
        for channel, ts in (("CFIN", "900.1"), ("CLEG", "900.2"), ("CGONE", "900.3")):
            event = {**mention("How much did Orbital Foundry raise?", ts), "channel": channel}
            assert signed_post(url, event_body(event, f"Ev-{channel}")).status_code == 200
        for channel, ts in (("CFIN", "900.1"), ("CLEG", "900.2"), ("CGONE", "900.3")):
            wait_for(lambda c=channel, t=ts: len(replies_in(fake, c, t)) == 1)
    finally:
        bot.settings = bot.settings.model_copy(update={"channel_collections": {}})
    finance = replies_in(fake, "CFIN", "900.1")[0]
    legal = replies_in(fake, "CLEG", "900.2")[0]
    assert "$3 billion" in finance["text"] and "$9 billion" not in blocks_text(finance)
    assert "$9 billion" in legal["text"] and "$3 billion" not in blocks_text(legal)
    assert "collection finance · extractive mode" in blocks_text(finance)
    assert replies_in(fake, "CGONE", "900.3")[0]["text"] == (
        "Sorry: There is no collection named 'nope'; nothing was touched. `rag collections list` "
        "shows them; `rag ingest --collection nope FOLDER` creates it."
    )
    assert engine.collection == "articles"  # the default channel's collection is untouched


def test_the_notification_text_is_escaped_like_the_blocks() -> None:
    from rag.types import Answer
    from ui.slack.blocks import fallback_text

    answer = Answer(
        "Q?", "Ask <!channel> at <https://evil|click> & see [1].", False, [], [], "openai"
    )
    assert fallback_text(answer) == (
        "Ask &lt;!channel&gt; at &lt;https://evil|click&gt; &amp; see [1]."
    )


def test_a_channel_the_bot_is_not_in_is_one_log_line(
    slack_env: Any, caplog: pytest.LogCaptureFixture
) -> None:
    fake, _, url, _ = slack_env
    fake.closed_channels.add("C9")
    event = {**mention(NSCALE, "900.1"), "channel": "C9"}
    with caplog.at_level("WARNING", logger="ui.slack.bot"):
        assert signed_post(url, event_body(event, "Ev-closed")).status_code == 200
        wait_for(lambda: "Slack refused the reply" in caplog.text)
    refused = [r.getMessage() for r in caplog.records if r.name == "ui.slack.bot"]
    assert refused == ["Slack refused the reply: channel_not_found (is the bot in the channel?)"]
    assert "Traceback" not in caplog.text
