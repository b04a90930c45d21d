"""How a turn is searched: a follow-up with the question before it, a request as its subject."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from rag.answering.first_turns import LISTING, turn_of
from rag.answering.names import name_phrase, opening_name, question_names, required_names
from rag.answering.patterns import (
    ABOUT,
    ACKNOWLEDGEMENT,
    ARTICLE_ON,
    AUXILIARIES,
    BARE_WH,
    DEFINITION,
    DUMMY_IT,
    ELSE,
    EMBEDDED_ASK,
    EVENT_NOUN,
    FOLLOW_UP_OPENING,
    LEANS_BACK,
    MONTH,
    MORE,
    NAME_ALONE,
    NEWS_OF,
    PREPOSITIONS,
    STANDS_FOR,
    SWAP,
    SWAP_PREPOSITION,
    THE_ARTICLE,
    THE_NOUN,
    WH_OPENING,
    WHICH_DOC,
    YEAR,
    YEAR_SWAP,
)
from rag.answering.titles import without_titles


def is_follow_up(question: str) -> bool:
    """True when a question needs the one before it to make sense."""
    leaning = list(LEANS_BACK.finditer(question))
    if leaning:
        return not _owns_itself(question, leaning)
    # A short question that names nothing ("What valuation?") continues the conversation; one
    # opening with a word no English word list holds ("Nscale raised how much?") names it. A
    # title is no name: "Who is the CEO?" after a question on Nscale asks Nscale's.
    # One asking what a word means ("What is a neocloud?") is whole, whatever it names.
    return (
        len(question.split()) <= 4
        and not DEFINITION.match(question)
        and not without_titles(question_names(question))
        and not opening_name(question, slips=True)
    )


def _owns_itself(question: str, leaning: list[re.Match[str]]) -> bool:
    """True when each word leaning back is a possessive of a name the question gives before it."""
    # "How much did CoreWeave raise in its IPO?" is CoreWeave's own IPO: a question to lean on,
    # not one leaning on the last ("And Helion?" after it asks of Helion's). "Did Microsoft invest
    # in it?" still leans back: "it" is what was asked of before.
    names = question_names(question)
    opening = opening_name(question, slips=True)
    places = [question.find(name) for name in [*names, *([opening] if opening else [])]]
    first = min((p for p in places if p >= 0), default=-1)
    return first >= 0 and all(
        m.group(0).lower() in {"its", "their"} and first < m.start() for m in leaning
    )


def joined_part(question: str, searched: str) -> str:
    """The follow-up a question was searched as, joined to its topic ("Which exchange?"); or ""."""
    asked = without_lead_in(asked_directly(question)).strip()
    return asked if searched != asked and searched.endswith(f" {asked}") else ""


def of_article(question: str) -> str | None:
    """A question leaning on the article a request just named, as asked of it; else None."""
    # After "What is the second article about?", "it" and "What about …?" mean that article,
    # which no name in the request stands for: "What about Wall Street?" was declined.
    asked = without_lead_in(question)
    match = SWAP.match(asked)
    if match:
        return f"What does it say about {(match.group('a') or match.group('b')).strip()}?"
    return asked if is_follow_up(asked) or THE_ARTICLE.search(asked) else None


def swapped(question: str, topic: str) -> str | None:
    """The topic question asked of the name a "What about X?" names, or None if it names none."""
    match = SWAP.match(question)
    if match is None:
        return None
    other = (match.group("a") or match.group("b") or "").strip()
    # "What about its revenue?" asks of the same name, not of "revenue": resolved, not swapped.
    if not question_names(" " + other) or STANDS_FOR.search(other):
        return None
    names = _named(topic)
    if not names:
        return None
    new = re.sub(r"['’]s$", "", other)
    preposed = SWAP_PREPOSITION.match(new)
    if preposed:
        # "And in OpenAI?" swaps the name the topic has after "in", not its first name.
        prep, new = preposed.group("prep"), preposed.group("rest")
        said = f"{prep} {new}"
        for name in names:
            after = rf"\b{prep}\s+(?:the\s+)?{re.escape(name_phrase(topic, name))}"
            if re.search(after, topic, flags=re.I):
                return re.sub(after, lambda _: said, topic, count=1, flags=re.I)
        # None after it: "What about in Europe?" asks the topic question there.
        return f"{topic.rstrip(' ?.!')} {said}?"
    old = name_phrase(topic, names[0])
    if old not in topic:
        return None
    # The topic's "the" goes with its name: "What does the EU AI Act require?" asked of OpenAI is
    # "What does OpenAI require?"; the new name keeps the "the" it was asked with, if any.
    return re.sub(rf"\b(?:the\s+)?{re.escape(old)}", lambda _: new, topic, count=1, flags=re.I)


def swapped_any(question: str, topic: str) -> str | None:
    """The topic question asked of the name or year a "What about X?" or "And in 2025?" names."""
    return swapped(question, topic) or year_swapped(question, topic)


def year_swapped(question: str, topic: str) -> str | None:
    """The topic question asked of the year an "And in 2025?" names, or None if it names none."""
    match = YEAR_SWAP.match(question)
    if match is None:
        return None
    year = match.group("year")
    # "How much did Alphabet spend in 2026?" then "And in 2025?": the year asked is the one to
    # change; a topic without one is asked of the year.
    if YEAR.search(topic):
        return YEAR.sub(lambda _: year, topic, count=1)
    return f"{topic.rstrip(' ?.!')} in {year}?"


def _one_name(topic: str) -> str | None:
    """The topic's name, whole ("World Cup"), when it names one; else None."""
    phrases = list(dict.fromkeys(name_phrase(topic, name) for name in _named(topic)))
    return phrases[0] if len(phrases) == 1 else None


def _named(topic: str) -> list[str]:
    """The names of the question a follow-up leans on, its opening word too when it is one."""
    # "Nscale raised how much?" (or the "yes" to "Did you mean Nscale?" that asks it) names Nscale:
    # "What is its valuation?" after it asks of Nscale.
    # A title asked ("Who is Helion's CEO?") is no name an "its" stands for.
    names = without_titles(required_names(topic))
    opening = opening_name(topic, slips=True)
    return [opening, *names] if opening and opening not in names else names


def swapped_in(question: str, earlier: Sequence[str]) -> tuple[str, ...]:
    """The names a "What about X?" follow-up asks of, which its answer must name; else none."""
    asked = without_lead_in(question)
    match = SWAP.match(asked)
    if not earlier or match is None or not is_follow_up(asked):
        return ()
    return tuple(question_names(" " + (match.group("a") or match.group("b") or "")))


def resolved(question: str, topic: str) -> str | None:
    """The follow-up with its pronouns replaced by the topic's one name, or None if it can't be."""
    name = _one_name(topic)
    if name is None or DUMMY_IT.search(question) or not STANDS_FOR.search(question):
        return None
    # "Tell me about Meta's solar deal" then "Who is building it?": "it" is the deal, not Meta.
    owned = re.search(
        rf"\b{re.escape(name)}['’]s\s+((?:[\w-]+\s+){{0,2}}(?:{EVENT_NOUN}))\b", topic
    )
    if owned:
        name = f"{name}'s {owned.group(1)}"
    elif re.search(rf"\bthe {re.escape(name)}", topic, re.IGNORECASE):
        name = f"the {name}"
        # "How big is the Anthropic deal?" then "Who is it with?": "it" is the deal, not Anthropic.
        noun = re.search(rf"(\w+)\s+{re.escape(name)}\s+({EVENT_NOUN})\b(?:\s+(\w+))?", topic)
        verb_after = noun is not None and (noun.group(3) or "with").lower() not in PREPOSITIONS
        if noun and (noun.group(1).lower() not in AUXILIARIES or verb_after):
            name = f"{name} {noun.group(2)}"
    # Asked alone, it is searched and judged as any question; joined to the topic, the topic's
    # own words ("valuation") split the match: "How many users does it have?" was declined.
    text = STANDS_FOR.sub(lambda m: f"{name}'s" if m.group("possessive") else name, question)
    text = FOLLOW_UP_OPENING.sub("", text, count=1).strip()
    return text[:1].upper() + text[1:] if text else None


def asked_with(question: str, topic: str) -> str | None:
    """The topic asked with a bare question word ("When?"), or None if it can't be."""
    # Joined to the topic, "How much did Nscale raise? When?" was answered with the amount again.
    bare = BARE_WH.match(question)
    # A request ("What do the documents say about Anthropic?") asks for no fact to ask again.
    opening = WH_OPENING.match(topic) if bare and on_subject(topic) is None else None
    if bare is None or opening is None:
        return None
    wh = " ".join(bare.group("wh").lower().split())
    verb = next(v for v in opening.group("aux", "copula", "progressive", "polar") if v).lower()
    return f"{wh[:1].upper()}{wh[1:]} {verb}{opening.group('rest')}"


def without_lead_in(question: str) -> str:
    """The question without an acknowledgement before it ("Thanks! What about OpenAI?")."""
    rest = ACKNOWLEDGEMENT.sub("", question, count=1)
    return rest if rest.strip() else question


def on_subject(question: str) -> str | None:
    """A request for what the documents say about a subject, as "Tell me about …"; else None."""
    # The request's own words ("documents", "say") are in no sentence about X; with them the
    # answer to the bot's own example question was declined.
    match = (
        ARTICLE_ON.match(question)
        or ABOUT.match(question)
        or NEWS_OF.match(question)
        or WHICH_DOC.match(question)
        or NAME_ALONE.match(question)
    )
    return f"Tell me about {match.group('subject')}" if match else None


def asked_directly(question: str) -> str:
    """The question a lead-in asks ("Do you know who …?" asks "Who …?"), else the question."""
    rest = EMBEDDED_ASK.sub("", question, count=1)
    return rest[:1].upper() + rest[1:] if rest != question else question


def standalone(question: str, earlier: Sequence[str]) -> str:
    """The question as it should be searched: with the last self-contained question if needed."""
    question = asked_directly(question)
    asked = without_lead_in(question)
    subject = on_subject(asked)
    # "What do these articles say about Nscale?" leans on nothing; "… say about it?" does.
    if subject is not None and not LEANS_BACK.search(subject):
        return subject
    if not earlier or not is_follow_up(asked):
        return question
    topic = _topic(earlier)
    if topic is None:
        # Only greetings and requests before it ("help"): nothing to lean on.
        return question
    other = swapped_any(asked, topic)
    if other:
        # "What about OpenAI?" after "What do the documents say about Anthropic?" is such a request.
        return on_subject(other) or other
    again = asked_with(asked, topic)
    if again:
        return again
    alone = resolved(asked, topic)
    if alone:
        # "What do the articles say about it?" after a question on Nscale asks about Nscale.
        return on_subject(alone) or alone
    return _joined(asked, topic)


def _joined(asked: str, topic: str) -> str:
    """The follow-up searched after its topic."""
    # A request's own words ("Which article mentions …") would be searched with the follow-up.
    subject = on_subject(topic)
    return f"{subject + '.' if subject else topic.strip()} {asked.strip()}"


def joined_instead(question: str, earlier: Sequence[str]) -> str | None:
    """A follow-up `standalone` resolved, searched joined to its topic instead; else None."""
    # "Who led it?" after "How much did Crusoe raise?" was read as "Who led Crusoe?", and
    # declined: its "it" is the raise, whose sentence the whole conversation's words find.
    asked = without_lead_in(asked_directly(question))
    if not earlier or not is_follow_up(asked) or SWAP.match(asked) or BARE_WH.match(asked):
        return None
    topic = _topic(earlier)
    if topic is None or resolved(asked, topic) is None:
        return None
    return _joined(asked, topic)


def topic_names(searched: str) -> tuple[str, ...]:
    """The names of the topic a follow-up was searched joined to, which its answer must name."""
    # A month is no name to find: "What happened in 2025?" after "What happened in April 2026?"
    # was declined as passages that "don't name April".
    return tuple(n for n in _named(searched) if not MONTH.fullmatch(n)) if searched else ()


def _topic(earlier: Sequence[str]) -> str | None:
    """The question a follow-up leans on: the last self-contained one, or a swap of it."""
    topic: str | None = None
    # Forward, once over the history: a long one costs one pass, not one pass per swap.
    for question in earlier:
        asked = without_lead_in(question)
        if not is_follow_up(asked):
            # The overview a chat keeps is no topic: "What about OpenAI?" after "How much did
            # Nscale raise?" and "What are these articles about?" asks of Nscale's.
            if turn_of(question) is None:
                topic = question
        elif topic is not None:
            # "What about OpenAI?" moved the conversation on: "When did it raise money?" after
            # it asks about OpenAI, not about the name before. So did "How much will they
            # invest?": a "When?" after it asks when they will invest.
            if SWAP.match(asked) or YEAR_SWAP.match(asked):
                topic = swapped_any(asked, topic) or topic
            elif (alone := resolved(asked, topic)) and required_names(alone):
                topic = alone
            elif owned := _owned(asked, topic):
                # "Who is the CEO?" after a question on Nscale asks Nscale's: "And OpenAI?"
                # after it asks OpenAI's CEO, not how much OpenAI raised.
                topic = owned
    if topic is not None:
        return topic
    # Only follow-ups before it: the first of them, unless it was a greeting or a request.
    return next((q for q in earlier if turn_of(q) is None), None)


def _owned(question: str, topic: str) -> str | None:
    """A follow-up's "the …" as the topic's one name's ("Who is Nscale's CEO?"), or None."""
    name = _one_name(topic)
    match = THE_NOUN.search(question)
    if name is None or match is None:
        return None
    return f"{question[: match.start()]}{name}'s {question[match.end() :]}"


def asks_more(question: str) -> bool:
    """True for "tell me more", "go on", "Who else?": the question before, answered further."""
    return MORE.match(without_lead_in(question)) is not None


def overview_shown(question: str, earlier: Sequence[str]) -> int | None:
    """For "tell me more" after the overview: how many of its pages were shown; else None."""
    if not asks_more(question):
        return None
    shown = 1
    for before in reversed(earlier):
        turn = turn_of(before)
        if turn is not None and turn.kind in LISTING:
            return shown
        if asks_more(before):
            shown += 1
        elif turn is None:
            return None
    return None


def more_of(question: str, earlier: Sequence[str]) -> tuple[str, int] | None:
    """For "tell me more": the question to say more about, and how many answers it has had."""
    if not earlier or not asks_more(question):
        return None
    gone_past = _gone_past(earlier, asks_more)
    if gone_past is None:
        return None
    before, rounds = gone_past
    return standalone(earlier[before], earlier[:before]), rounds


def without_else(question: str) -> str | None:
    """The question "Who else invested?" asks without "else" ("Who invested?"), or None."""
    match = ELSE.match(question)
    if match is None:
        return None
    # Its "And" goes too: "And who backs Nscale?" would be read as "What about who …?".
    wh = match.group("wh") or match.group("kind")
    return f"{wh[:1].upper()}{wh[1:].strip()} {question[match.end() :]}"


def else_of(question: str, earlier: Sequence[str]) -> tuple[str, str, int] | None:
    """For "Who else invested?": the question searched, the one it goes past, and its answers."""
    asked = without_else(question)
    if not earlier or asked is None:
        return None
    # "Who else invested?" twice goes past two answers.
    gone_past = _gone_past(earlier, lambda q: asks_more(q) or without_else(q) is not None)
    if gone_past is None:
        return None
    before, rounds = gone_past
    return standalone(asked, earlier), standalone(earlier[before], earlier[:before]), rounds


def _gone_past(earlier: Sequence[str], more: Callable[[str], bool]) -> tuple[int, int] | None:
    """Where the question that the `more` turns ending `earlier` go past is, and its answers."""
    # Earlier "more" requests count as rounds; an "ok" between them (an API's history keeps
    # every message) neither counts nor is the question.
    rounds = 1
    i = len(earlier)
    while i:
        again = more(earlier[i - 1])
        if not again and turn_of(earlier[i - 1]) is None:
            break
        rounds += again
        i -= 1
    return (i - 1, rounds) if i else None
