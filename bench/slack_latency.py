"""Slack bot timings over HTTP against the recording fake Web API, loopback only.

Usage: python bench/slack_latency.py [--events 20]. Sends signed mentions one after another and
prints the median and worst time to acknowledge (Slack's limit is 3 s) and to post the answer.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from slack_sdk.signature import SignatureVerifier

from rag.config import Settings, SlackSettings
from rag.engine import Engine
from rag.evaluation.questions import load_questions
from rag.feedback import FeedbackLog
from tests.fixtures.slack_fake import FakeSlack
from ui.slack.bot import SlackBot, http_app

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret"


def main() -> None:
    """Serve the bot, send mentions, report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20)
    args = parser.parse_args()
    questions = [q.question for q in load_questions(ROOT / "tests/eval/questions.jsonl").questions]
    fake = FakeSlack()
    api_url = fake.start()
    with tempfile.TemporaryDirectory() as folder, socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            qdrant={"path": Path(folder) / "index"},
            history={"path": Path(folder) / "history.sqlite3"},
        )
        with Engine.open(settings) as engine:
            engine.ingest([ROOT / "seeds"])
            engine.warm_up()
            slack = SlackSettings(bot_token="xoxb-bench", signing_secret=SECRET, api_url=api_url)
            bot = SlackBot(engine, slack, FeedbackLog(Path(folder) / "fb.jsonl"), http=True)
            server = uvicorn.Server(uvicorn.Config(http_app(bot), port=port, log_level="warning"))
            threading.Thread(target=server.run, daemon=True).start()
            while not server.started:
                time.sleep(0.05)
            acks, answers = [], []
            for i in range(args.events):
                ts = f"{1000 + i}.1"
                event = {
                    "type": "app_mention",
                    "user": "U1",
                    "channel": "C1",
                    "ts": ts,
                    "text": f"<@UBOT> {questions[i % len(questions)]}",
                }
                body = json.dumps({"type": "event_callback", "event_id": f"Ev{i}", "event": event})
                stamp = str(int(time.time()))
                headers = {
                    "Content-Type": "application/json",
                    "X-Slack-Request-Timestamp": stamp,
                    "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(
                        timestamp=stamp, body=body
                    ),
                }
                started = time.perf_counter()
                httpx.post(f"http://127.0.0.1:{port}/slack/events", content=body, headers=headers)
                acks.append((time.perf_counter() - started) * 1000)
                while not any(p.get("thread_ts") == ts for p in fake.posts()):
                    time.sleep(0.005)
                answers.append((time.perf_counter() - started) * 1000)
            server.should_exit = True
    fake.stop()
    print(
        f"{args.events} mentions: acknowledged in median {statistics.median(acks):.0f} ms "
        f"(max {max(acks):.0f} ms); answer posted in median {statistics.median(answers):.0f} ms "
        f"(max {max(answers):.0f} ms)"
    )


if __name__ == "__main__":
    main()
