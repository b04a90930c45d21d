"""An `Answer` as Slack Block Kit: the answer, its sources, a context line and feedback buttons."""

from __future__ import annotations

from typing import Any

from rag.text import one_line
from rag.types import Answer

SECTION_LIMIT = 3000  # characters in a section's text
MAX_BLOCKS = 50
QUOTE_LIMIT = 600
VOTE_UP = "feedback_up"
VOTE_DOWN = "feedback_down"
# The buttons under "Did you mean …?": "Yes" asks the question offered (its value), "No" says
# "no" as if typed (the answer then says the word is in none of the articles).
ASK_MEANT = "ask_meant"
NOT_MEANT = "not_meant"
NO = "no"
BUTTON_TEXT_LIMIT = 75  # characters of a button's label
VALUE_LIMIT = 2000  # characters of a button's value
# The metadata of a reply to a question no message of its thread holds (a click's, a slash
# command's): the thread's history reads the question back.
CLICKED = "rag_clicked"


def mrkdwn_escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def trim(text: str, limit: int) -> str:
    """Cut to a limit at a word boundary, marking the cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut + "…"


def split(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Pieces no longer than a limit, broken between sentences or words."""
    pieces = []
    while len(text) > limit:
        cut = max(text.rfind(". ", 0, limit), text.rfind(" ", 0, limit))
        cut = cut + 1 if cut > 0 else limit
        pieces.append(text[:cut].strip())
        text = text[cut:].strip()
    return [*pieces, text] if text else pieces


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def answer_blocks(
    answer: Answer, feedback_key: str, offer: bool = True, clicked_by: str = "", clicked: str = ""
) -> list[dict[str, Any]]:
    """The reply: answer sections, "Sources", one section per source, context, buttons."""
    blocks = [_section(piece) for piece in split(mrkdwn_escape(answer.text))]
    searched = answer.searched_as()
    searched_line = [f"Searched as “{searched}”"] if searched else []
    for notice in [*answer.notices, *searched_line]:
        blocks.insert(
            0,
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": trim(mrkdwn_escape(notice), 2000)}],
            },
        )
    if answer.citations:
        blocks.append({"type": "divider"})
        blocks.append(_section("*Sources*"))
        for c in answer.citations:
            quote = trim(one_line(c.text), QUOTE_LIMIT)
            heading = f"*[{c.n}] {mrkdwn_escape(c.title)}* — `{mrkdwn_escape(c.source)}`"
            if c.place:
                heading += f" · {mrkdwn_escape(c.place)}"
            text = f"{heading}\n>{mrkdwn_escape(quote)}"
            blocks.append(_section(trim(text, SECTION_LIMIT)))
    seconds = answer.timings_ms.get("total", 0.0) / 1000
    context = f"{answer.mode} mode · {seconds:.2f} s"
    if answer.collection:
        context = f"collection {mrkdwn_escape(answer.collection)} · {context}"
    if answer.declined:
        context += " · the articles don't answer this"
    if clicked_by:
        did = "said no" if clicked == NO else "asked it"
        context = f"<@{clicked_by}> {did} with the button · {context}"
    meant = offer and answer.did_you_mean and len(answer.did_you_mean) <= VALUE_LIMIT
    blocks = blocks[: MAX_BLOCKS - (3 if meant else 2)]
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": context}]})
    if meant:
        label = trim(f"Yes: {answer.did_you_mean}", BUTTON_TEXT_LIMIT)
        button = {"type": "plain_text", "text": label}
        blocks.append(
            {
                "type": "actions",
                "block_id": "did_you_mean",
                "elements": [
                    {
                        "type": "button",
                        "text": button,
                        "action_id": ASK_MEANT,
                        "value": answer.did_you_mean,
                    },
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "No"},
                        "action_id": NOT_MEANT,
                        "value": NO,
                    },
                ],
            }
        )
    blocks.append(
        {
            "type": "actions",
            "block_id": "feedback",
            "elements": [
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Helpful"},
                    "action_id": VOTE_UP,
                    "value": feedback_key,
                },
                {
                    "type": "button",
                    "text": {"type": "plain_text", "text": "Not helpful"},
                    "action_id": VOTE_DOWN,
                    "value": feedback_key,
                },
            ],
        }
    )
    return blocks


def fallback_text(answer: Answer) -> str:
    """The plain text Slack shows in notifications."""
    # Slack reads this text as mrkdwn too: an answer's "<!channel>" must not ping anyone.
    return trim(mrkdwn_escape(answer.text), SECTION_LIMIT)
