"""The web chat's sidebar of saved conversations: list, reopen, start anew, delete."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import gradio as gr

from rag.conversations import Conversations
from rag.engine import Engine
from rag.session import ChatSession
from ui.web.named import Updates

# Where the page is: the browser's id (kept in its localStorage) and the open conversation's id.
Place = dict[str, str]
History = list[dict[str, Any]]


class HistoryHandlers:
    """The functions the sidebar's events call."""

    def __init__(
        self,
        engine: Engine,
        conversations: Conversations,
        owner: Callable[[gr.Request | None], str | None] | None = None,
    ) -> None:
        self.engine = engine
        self.conversations = conversations
        # A logged-in user's conversations are theirs on any browser; else the browser's.
        self.owner = owner or (lambda request: None)

    def choices(self, place: Place | None) -> list[tuple[str, str]]:
        """The sidebar's entries for a browser: title and day, latest first."""
        if not place or not place.get("browser"):
            return []
        return [
            (
                f"{saved.title} · {_where(saved.collection, self.engine)}{saved.updated[:10]}",
                saved.id,
            )
            for saved in self.conversations.list(place["browser"])
        ]

    def open_page(
        self, browser: str | None, opened: Place | None, request: gr.Request | None = None
    ) -> Updates:
        """On page load: a new browser's id, expired chats dropped, the last one open reopened."""
        browser = browser or uuid.uuid4().hex
        self.conversations.expire()
        fresh = {"browser": self.owner(request) or browser, "conversation": ""}
        chat, session, place, collection = self.pick(self.remember(opened), fresh, None)
        place = place or fresh
        listed = gr.update(choices=self.choices(place), value=place["conversation"] or None)
        return {
            "browser": browser,
            "place": place,
            "past": listed,
            "chat": chat,
            "session": session,
            "collection": collection,
        }

    def remember(self, place: Place | None) -> str:
        """The open conversation's id, if any."""
        return place.get("conversation", "") if place else ""

    def kept(self, place: Place | None) -> Place:
        """What the browser keeps across a reload: the open conversation's id, in an object."""
        # Gradio's BrowserState never stores a falsy value: "" would leave the last id in place.
        return {"conversation": self.remember(place)}

    def save(self, place: Place | None, chat: History, session: ChatSession) -> Place | None:
        """Keep the conversation as shown, under the browser's id (none for API clients)."""
        if not place or not place.get("browser"):
            return place
        conversation = self.conversations.save(
            place["browser"],
            place.get("conversation") or None,
            chat,
            session.questions,
            session.engine.collection,
        )
        return {**place, "conversation": conversation}

    def refresh(self, place: Place | None) -> Updates:
        """The sidebar after a turn, the open conversation selected; its id for the browser."""
        selected = self.remember(place)
        listed = gr.update(choices=self.choices(place), value=selected or None)
        return {"past": listed, "opened": self.kept(place)}

    def pick(
        self, conversation: str | None, place: Place | None, collection: str | None
    ) -> tuple[History, ChatSession | None, Place | None, str | None]:
        """Reopen a saved conversation: its chat, its questions for follow-ups, its collection."""
        if not place or not conversation:
            return [], None, place, collection
        found = self.conversations.load(place["browser"], conversation)
        if found is None:
            return [], None, {**place, "conversation": ""}, collection
        session = ChatSession(self.engine, history=found.questions, channel="web")
        # Follow-ups go on in the collection it was asked of (one saved before that was recorded
        # stays in the browser's current one).
        return (
            found.messages,
            session,
            {**place, "conversation": found.id},
            (found.collection or collection),
        )

    def reopen(
        self, conversation: str | None, place: Place | None, collection: str | None
    ) -> Updates:
        """A sidebar pick: the conversation reopened, and its id for the browser to keep."""
        chat, session, place, collection = self.pick(conversation, place, collection)
        return {
            "chat": chat,
            "session": session,
            "place": place,
            "collection": collection,
            "opened": self.kept(place),
        }

    def new(self, place: Place | None) -> Updates:
        """An empty chat; the next question starts a new saved conversation."""
        place = {**place, "conversation": ""} if place else place
        return self._cleared(place, gr.update(value=None))

    def delete(self, place: Place | None) -> Updates:
        """Delete the open conversation and show an empty chat."""
        if place and place.get("conversation"):
            self.conversations.delete(place["browser"], place["conversation"])
            place = {**place, "conversation": ""}
        return self._cleared(place, gr.update(choices=self.choices(place), value=None))

    def _cleared(self, place: Place | None, listed: Any) -> Updates:
        """An empty chat and no session: the next question starts a new conversation."""
        return {
            "chat": [],
            "session": None,
            "place": place,
            "past": listed,
            "opened": self.kept(place),
        }


def _where(collection: str, engine: Engine) -> str:
    # Conversations of several collections share the sidebar: name the ones not the default.
    return f"{collection} · " if collection and collection != engine.collection else ""
