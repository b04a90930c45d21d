"""The LLM-free answerer: picks the retrieved sentences that best answer, or declines."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from rag.answering.answer_types import AnswerType, answer_type, lacking, leading, unit_present
from rag.answering.casing import searched_name
from rag.answering.confidence import (
    ConfidenceModel,
    Reading,
    features,
    load_model,
)
from rag.answering.events import kinds, other_event
from rag.answering.measures import (
    asked_measures,
    measure_clash,
    measure_words,
    measures,
    owned_by_another,
)
from rag.answering.names import (
    acted_by_another,
    asked_actor,
    name_found,
    name_phrase,
    names_share,
    opening_name,
    other_place,
    required_names,
    spelled_like,
)
from rag.answering.patterns import (
    ANAPHORIC_SUBJECT,
    ARITHMETIC,
    ARTICLE_SUBJECT,
    ASKED_BY_LABEL,
    ASKS,
    ASKS_AHEAD,
    ASKS_SAID,
    ATTRIBUTION,
    CUT_OFF_WORDS,
    FORECAST,
    GENERIC,
    HEADER_STATES,
    INSTRUCTION,
    LINE_MARKUP,
    LIST_Q,
    MONTH,
    NAME_QUESTION,
    NOT_PLURAL,
    PLURAL_ASK,
    POINTS_BACK,
    POLAR,
    PRONOUN_SUBJECT,
    REPORTED_POINTER,
    REPORTS_ASKING,
    SAID_QUESTION,
    SIGNATURE_NAME,
    SUBJECT_REQUEST,
    TITLE_ACRONYMS,
    WHAT_IS_NAME,
    WHO_IS,
)
from rag.answering.speakers import (
    speaker_at,
    speaks_in,
    spoken_by,
    turn_labels,
    without_turn_label,
)
from rag.answering.spelling import english, misspelt_words, respelled
from rag.answering.titles import title_of_another, without_titles
from rag.answering.years import other_year
from rag.text import (
    BULLET,
    QUESTION_WORDS,
    SENTENCE_CLOSE,
    closed,
    headed_lists,
    is_heading,
    is_underline,
    list_spans,
    paragraph_spans,
    sentence_spans,
    stem,
    table_rows,
    table_text,
    terms,
    titled_intro,
    words,
)
from rag.types import Citation, Draft, Offer, Passage, at_offset

Embed = Callable[[Sequence[str]], np.ndarray]

# The letters two words' stems must share, from their start, to be read as one root.
ROOT = 4
# A quotation opens with one of these; the line naming its speaker is a lead-in, not a paragraph.
QUOTE_OPENS = ("“", '"')
SPEAKER_CHARS = 200

DECLINE_TEXT = (
    "The articles don't say. None of the retrieved passages answers this question, "
    "so I won't guess."
)


# The ranking weights `make tune` fits (bench/tune_extractive.py writes them; a check in
# `make test` fails when they differ from a fresh fit).
TUNING_PATH = Path(__file__).with_name("tuning.json")
_FITTED: dict[str, Any] = json.loads(TUNING_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Tuning:
    """Weights and thresholds of the extractive answerer (fitted by bench/tune_extractive.py)."""

    weight_cosine: float = float(_FITTED["weight_cosine"])
    weight_lexical: float = float(_FITTED["weight_lexical"])
    cue_bonus: float = float(_FITTED["cue_bonus"])
    rank_bonus: float = float(_FITTED["rank_bonus"])
    candidates: int = int(_FITTED["candidates"])
    # A runner-up added for an unanswered part of the question must be at least this close.
    min_cosine: float = float(_FITTED["min_cosine"])
    margin: float = float(_FITTED["margin"])
    # How far below the best a sentence may score and still be added for an unanswered part.
    cover_margin: float = float(_FITTED["cover_margin"])
    # Added to whole lists and paragraphs when the question asks for several things.
    list_bonus: float = float(_FITTED["list_bonus"])
    # Set by hand, not fitted: below this cosine, the best sentence must hold a lower-case content
    # word of the question (its predicate: "chief executive", "acquired"), or nothing is quoted.
    min_cosine_unfocused: float = 0.65


# The word a question opens with that a field's label may be ("when"), and the title of the
# article whose subject such a field is about.
Label = tuple[str, str]


@dataclass(frozen=True)
class Candidate:
    """A sentence of a retrieved passage, before its meaning is compared with the question."""

    passage: Passage
    start: int
    end: int
    text: str
    lexical: float
    cue: bool
    focus: bool
    block: bool = False
    terms: frozenset[str] = frozenset()
    # A table row is read, and shown, as its cells under their column names ("Buyer: xAI; Seller:
    # Nvidia; …"): `text` is that reading, not the span's "| xAI | Nvidia | …".
    row: bool = False
    # The question's words for a measure the sentence gives in its own ("raise" for "funding
    # round"): for the predicate rule and what a quote covers; the decision reads `terms` only.
    stated: frozenset[str] = frozenset()
    # The heading of its section when that holds a word asked no sentence does ("## Root cause"
    # over what caused it): the sentence is read under it.
    heading: str = ""
    # What its label states ("From:" who sent it; "When:" when its article's subject is): read as
    # its own words by the decision, as a heading's are.
    labels: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Evidence:
    """What the passages offer a question: candidate sentences and what the question lacks."""

    candidates: list[Candidate]
    # Names the question asks about, and those of them no retrieved passage mentions.
    names: tuple[str, ...]
    missing: list[str]
    # The kind of answer the question asks for (an amount, a date, a name), if any.
    asked: AnswerType
    focus: frozenset[str] = frozenset()
    question_terms: frozenset[str] = frozenset()
    # The money measures the question asks an amount of ("revenue"), if any.
    measures: frozenset[str] = frozenset()
    # Each missing name spelled a letter or two off one the passages give ("Nscael", "Nscale"):
    # what the user may have meant.
    respelled: tuple[tuple[str, str], ...] = ()
    # The same for the question's other words that are no English words ("rasie", "raise").
    misspelt: tuple[tuple[str, str], ...] = ()
    # The question as asked: what an offer shows respelled.
    question: str = ""
    # The names a reply tells no passage mentions: the missing ones and a name opening the
    # question that no passage mentions either.
    unnamed: tuple[str, ...] = ()
    # A question that is only a name no passage mentions whole ("What is Orbital Compute?"),
    # however many mention its words apart: declined whatever the model says.
    absent: bool = False


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate sentence with its cosine to the question and its final score."""

    candidate: Candidate
    cosine: float
    score: float


@dataclass(frozen=True)
class Choice:
    """The ranked sentences, the ones an answer would quote, and what the decision reads."""

    scored: list[ScoredSentence]
    chosen: list[ScoredSentence]
    values: dict[str, float]
    # The best sentence misses what the question asks about: declined whatever the model says.
    off_topic: bool = False
    # Who the best sentence says acted and who the question asks about, when they differ: a veto
    # over the decision, not a row it is fitted without (so it moves no fitted weight).
    acted: tuple[str, str] | None = None
    # The kind of event the quote tells of first and the one asked, when it tells of none of the
    # kind asked: a veto too. So is the year it states first, when it states none asked.
    event: tuple[str, str] | None = None
    year: tuple[str, str] | None = None

    @property
    def told_why(self) -> bool:
        """True when a veto's decline says why: another actor, event or year."""
        return any(v is not None for v in (self.acted, self.event, self.year))

    @property
    def vetoed(self) -> bool:
        """True when a hard rule declines whatever the model says."""
        return self.off_topic or self.told_why


class ExtractiveAnswerer:
    """Quotes the best sentences of the passages, each cited, or declines when unsure."""

    def __init__(
        self,
        embed: Embed,
        max_sentences: int = 3,
        tuning: Tuning | None = None,
        model: ConfidenceModel | None = None,
        min_confidence: float | None = None,
    ) -> None:
        self.embed = embed
        self.max_sentences = max_sentences
        self.tuning = tuning or Tuning()
        self.model = model or load_model()
        self.min_confidence = self.model.threshold if min_confidence is None else min_confidence
        # Loaded with the models (0.7 s), not in the first question that holds a rare word.
        english()

    def draft(
        self,
        question: str,
        passages: list[Passage],
        told: Sequence[Citation] = (),
        about: Sequence[str] = (),
        past: tuple[str, ...] = (),
        part: str = "",
    ) -> Draft:
        """Quote the top sentences when the model is confident they answer; else decline.

        Sentences overlapping a passage already `told` (quoted by earlier answers) are left out,
        and so are those naming a name gone `past` (the one "Who else …?" asks beyond).
        The first quoted sentence must name one of the names `about` (a "What about X?" asks of).
        Of a follow-up searched joined to its topic, only sentences stating the follow-up's own
        words (`part`) are quoted, when any do.
        """
        evidence = gather_evidence(question, passages, told, past)
        choice = choose(
            self.tuning,
            question,
            evidence,
            lambda found: self.cosines(question, found),
            self.max_sentences,
            part,
        )
        decided = bool(choice.chosen) and not choice.vetoed
        confidence = self.model.probability(choice.values) if decided else 0.0
        named = subject_named(question, evidence, choice)
        unsure = confidence < self.min_confidence and not named
        # "What did Nscale say?" is not answered by its raise, however sure the decision is.
        unheard = SAID_QUESTION.match(question) if decided and not named else None
        # "What about Google?" after a question on Anthropic and Wall Street is answered by a
        # sentence on Google, not by one on Wall Street that the question's other words found.
        # A sentence of an article whose title names X is on X, though it says "the company".
        chosen = on_part(part, list(choice.chosen))
        lead = titled(chosen[0].candidate, chosen[0].candidate.text) if chosen else ""
        elsewhere = bool(about) and not any(names_share((name,), lead) == 1.0 for name in about)
        if not decided or unsure or elsewhere or unheard:
            offer = offer_of(evidence, declined=True)
            said = decline_text(evidence, choice.acted or choice.year, offer, choice.event)
            if unheard and not evidence.unnamed:
                who = unheard.group("who")
                said = f"The articles don't say: no passage I found reports what {who} said."
            elif chosen and elsewhere and not evidence.unnamed and not choice.told_why:
                # However the lead was declined, the reader is told it misses what was asked about.
                others = " or ".join(about[:3])
                said = f"The articles don't say: the passages I found on this don't name {others}."
            return Draft(
                text=said,
                citations=[],
                declined=True,
                confidence=confidence,
                withheld=_quote(choice.chosen),
                offer=offer,
            )
        # Decided on the best sentence; shown with the one giving the date or number asked first,
        # so "How much did Amazon pay …?" opens with the $427 million, not with the purchase.
        quote = [s.candidate.text for s in chosen]
        chosen.insert(0, chosen.pop(leading(evidence.asked, question, quote)))
        citations = [
            s.candidate.passage.cite(
                n,
                s.candidate.start,
                closed(s.candidate.passage.text, s.candidate.start, s.candidate.end),
                s.score,
            )
            for n, s in enumerate(chosen, start=1)
        ]
        text = " ".join(
            f"{_as_sentence(s.candidate.text if s.candidate.row else c.text)} [{c.n}]"
            for s, c in zip(chosen, citations, strict=True)
        )
        # Answered, but without the date or number asked: the reader is told, not left to notice.
        offer = offer_of(evidence, declined=False)
        dateless = lacking(evidence.asked, question, quote)
        apart = apart_note(evidence, chosen[0].candidate.text)
        unnamed_told = unnamed_note(evidence, offer)
        return Draft(
            text=text,
            citations=citations,
            declined=False,
            confidence=confidence,
            notices=[note for note in (dateless, apart) if note],
            offer=offer,
            question_notices=[unnamed_told] if unnamed_told else [],
        )

    def cosines(self, question: str, candidates: list[Candidate]) -> list[float]:
        """The cosine of each candidate sentence to the question."""
        vectors = self.embed([question] + [c.text for c in candidates])
        return [float(cosine) for cosine in vectors[1:] @ vectors[0]]


def choose(
    t: Tuning,
    question: str,
    evidence: Evidence,
    cosines: Callable[[list[Candidate]], list[float]],
    limit: int,
    part: str = "",
) -> Choice:
    """A shortlist by the cheap score, ranked by meaning, the answer's sentences and features."""
    shortlist = sorted(evidence.candidates, key=lambda c: -prelim_score(t, c))[: t.candidates]
    if not shortlist:
        return Choice([], [], {})
    read = cosines([as_read(c) for c in shortlist])
    scored = continued_first(fuller_first(t, rank_candidates(t, shortlist, read)))
    for first in (
        row_first,
        named_first,
        measured_first,
        titled_first,
        said_first,
        voiced_first,
        event_first,
    ):
        scored = first(evidence, scored)
    scored = on_part(part, scored, ranked=True)
    best = scored[0]
    chosen = [with_antecedent(s) for s in select(t, evidence, scored, limit)]
    reading = Reading(
        cosine=best.cosine,
        mean_cosine=sum(s.cosine for s in scored) / len(scored),
        score=best.score,
        second_score=scored[1].score if len(scored) > 1 else 0.0,
        lexical=best.candidate.lexical,
        question=question,
        sentence=best.candidate.text,
        sentence_terms=read_terms(best.candidate),
        quote_terms=frozenset().union(*(read_terms(s.candidate) for s in chosen)),
        passage=best.candidate.passage.text,
        passages="\n".join(dict.fromkeys(c.passage.text for c in evidence.candidates)),
        titles=tuple(
            dict.fromkeys(
                [best.candidate.passage.title, *(c.passage.title for c in evidence.candidates)]
            )
        ),
        names=evidence.names,
        focus=evidence.focus,
        expects_type=evidence.asked.kind is not None,
        type_present=best.candidate.cue,
        unit_present=unit_present(evidence.asked.unit, best.candidate.text),
        rank=best.candidate.passage.rank,
        candidates=len(scored),
    )
    # A question without a content word ("?!…") asks nothing a sentence could answer, nor does a
    # sum of numbers ("What's 2+2?"): the documents hold no arithmetic, only sentences with a 2.
    asked = set(terms(question)) - QUESTION_WORDS
    if ARITHMETIC.search(question) and all(not any(c.isalpha() for c in t) for t in asked):
        asked = set()
    # A title asked for ("CEO") must be stated by some sentence of the quote, as "chief executive"
    # or its acronym; one part of a long question may be answered by a runner-up.
    titles = evidence.focus & TITLE_ACRONYMS.keys()
    # Stated in an article on the names asked: "Who is Lumen's CEO?" is not answered by another
    # article's "Chief executive Dana Whitfield said …", quoted after a sentence on Lumen.
    titled_terms = frozenset().union(
        *(s.candidate.terms for s in chosen if on_names(evidence.names, s.candidate))
    )
    untitled = bool(titles - titled_terms)
    unfocused = not best.candidate.focus or untitled
    # A yes-or-no question is answered only by a sentence stating what it asks, however close in
    # meaning: Nscale's funding says nothing on whether Nscale is profitable. A word of the same
    # root states it ("investing" and "investment": "Is Nvidia investing in Nebius?").
    silent = bool(POLAR.match(question)) and not related(
        evidence.focus - titles, best.candidate.terms | best.candidate.stated
    )
    # "Who is Kenji Sato?" is not answered by a sentence that never names him, though a byline
    # does: as the passages must write the name whole for it (absent_names), so must the quote.
    # A later sentence of the article writing the name whole names him by his last name: "She
    # later earned a doctorate …" after "Okafor grew up …" answers "Who is Hana Okafor?" further.
    who, one = WHO_IS.match(question), WHAT_IS_NAME.match(question)
    best_shown = _shown(best) if who or one else ""
    article = titled(best.candidate, best.candidate.passage.text) if who else ""
    unnamed = bool(who) and any(
        not surnamed(name, best_shown, article) for name in absent_names(question, best_shown)
    )
    # So is "What is Stargate?" by a sentence that, with its article's title, never writes it.
    unnamed = unnamed or bool(
        one and names_share((one.group("name"),), titled(best.candidate, best_shown)) < 1.0
    )
    off_topic = (
        not asked
        or unnamed
        or evidence.absent
        or (unfocused and (best.cosine < t.min_cosine_unfocused or silent))
        or off_measure(evidence, best.candidate)
    )
    # "How much is Microsoft investing …?" is not answered by what Amazon is investing.
    actor = asked_actor(question)
    other = acted_by_another(actor, best.candidate.text, reading.passages)
    other = voiced_by(question, actor, best.candidate, other)
    # "Who is Helion's CEO?" is not answered by OpenAI's chief executive.
    acted = (other, actor) if other and actor else None
    acted = acted or title_of_another(evidence.names, titles, best.candidate.text)
    # "What neighborhood did Huguenots create in Hamburg?" is not answered by "In Berlin, …".
    acted = acted or other_place(question, best.candidate.text, best.candidate.passage.title)
    # "Who acquired Acme Robotics?" is not answered by its founding, however close in meaning.
    # A follow-up joined to its topic asks its own event: "What approvals are needed?" after "When
    # was GridWorks founded?" asks of no founding.
    quoted = [s.candidate.text for s in chosen]
    event = other_event(part or question, quoted)
    # "What was the endowment in 2011?" is not answered by what it was in 2008.
    around = dict.fromkeys(
        t for s in chosen for t in (s.candidate.passage.text, s.candidate.passage.title)
    )
    headlines = list(dict.fromkeys(s.candidate.passage.title for s in chosen))
    year = other_year(question, quoted, list(around), headlines)
    shown = untitled_left_out(evidence.names, titles, chosen)
    # A sentence another quotes with its lead-in is not quoted twice; the features, fitted on
    # quotes that could repeat one, still read both.
    return Choice(scored, unrepeated(shown), features(reading), off_topic, acted, event, year)


def voiced_by(question: str, actor: str | None, c: Candidate, other: str | None) -> str | None:
    """The other speaker a sentence is said by, for a question on what a speaker said."""
    # A transcript's "Our Rubin platform is on track …" is its speaker's: Jensen Huang's, who is
    # asked of, though it opens on "Our Rubin"; asked what Colette Kress, another speaker, said,
    # it is no answer. Asked what Nvidia expects, it is: he speaks for the company.
    if actor is None:
        return other
    speaker = speaker_at(c.passage.text, c.start)
    if speaker is None:
        return other
    if names_share((actor,), speaker) == 1.0:
        return None
    said = ASKS_SAID.match(question) and names_share((actor,), c.text) < 1.0
    return speaker if said and speaks_in(actor, c.passage.text) else other


def on_part(part: str, chosen: list[ScoredSentence], ranked: bool = False) -> list[ScoredSentence]:
    """The sentences stating the most of a joined follow-up's own words (the rest after, ranked)."""
    # "When does construction start?" after "How much did Nscale raise?" is searched joined to
    # it, and the raise, the best match of the whole, was quoted first again: its "startup"
    # states one word of the two the construction sentence states. None stating any is left to
    # part_unanswered, which declines. A `ranked` list keeps the rest after them, for the decision
    # and the quote to choose from: "What must customers disclose?" after "How much is the study
    # fee?" was answered at 0.92 with the fee, the disclosure rule third and never quoted.
    asked = _own_words(part)
    if not asked:
        return chosen
    sentences = [set(terms(s.candidate.text)) for s in chosen]
    stated = [sum(_states({a}, words) for a in asked) for words in sentences]
    most = max(stated, default=0)
    if not most:
        return chosen
    first = [s for s, n in zip(chosen, stated, strict=True) if n == most]
    return led_by(first, chosen) if ranked else first


def _own_words(part: str) -> set[str]:
    """The words a joined follow-up asks with, past question words and generic ones."""
    return set(terms(part)) - QUESTION_WORDS - GENERIC


def _states(asked: set[str], stated: set[str]) -> bool:
    """True when a quote states a word asked, or one of its root."""
    # A word too short for a root is still stated as itself: "Who led it?" by "led by Mubadala".
    return bool(asked & stated) or related(asked, stated)


def part_unanswered(part: str, draft: Draft) -> Draft:
    """The draft, declined when its quote states none of a joined follow-up's own words."""
    # "Which exchange?" after "How much did CoreWeave raise in its IPO?" is searched joined to it,
    # and the IPO's own sentence answered the whole at 0.92, though it names no exchange.
    asked = _own_words(part)
    quoted = {t for c in draft.citations for t in terms(c.text)}
    if draft.declined or not asked or _states(asked, quoted):
        return draft
    said = f"The articles don't say: the passages I found don't answer “{part}”."
    return replace(draft, text=said, citations=[], declined=True, notices=[], offer=None)


def untitled_left_out(
    names: tuple[str, ...], titles: Collection[str], chosen: list[ScoredSentence]
) -> list[ScoredSentence]:
    """The quote, less runners-up stating no title asked or passed over, unless naming more."""
    # Either kind is kept when it names a name the quote so far leaves out.
    # "Who is Oracle's CEO?" is answered by "Chief executive Safra Catz said …"; the sentences on
    # Oracle's spending and data centers quoted after it, close in meaning, say nothing of a CEO,
    # though the first naming Oracle says whose chief executive she is. A sentence a rule passed
    # over for the lead (titled_first, measured_first) was found not to answer. The features,
    # fitted on quotes with them all, still read them.
    if not chosen:
        return chosen
    lead, *rest = chosen
    shown = [lead]
    for s in rest:
        text = " ".join(c.candidate.text for c in shown)
        off = s.score > lead.score or not set(titles) <= s.candidate.terms
        if not off or names_share(names, f"{text} {s.candidate.text}") > names_share(names, text):
            shown.append(s)
    return shown


def _shown(scored: ScoredSentence) -> str:
    """The sentence as its quote shows it: with its lead-in, and past a name's initials."""
    led = in_context(scored.candidate)
    return led.passage.text[led.start : closed(led.passage.text, led.start, led.end)]


def related(asked: Collection[str], stated: Collection[str]) -> bool:
    """True when a sentence states a word of the root of one asked (or nothing is asked)."""
    # Stems of four letters or more, one the start of the other: "invest" and "investment",
    # "enforc" and "enforcement"; "profitabl" is no start of "fund".
    return not asked or any(
        (min(len(a), len(s)) >= ROOT and (a.startswith(s) or s.startswith(a)))
        or _silent_e(a, s)
        or _silent_e(s, a)
        for a in asked
        for s in stated
    )


def _silent_e(short: str, other: str) -> bool:
    # A short word keeps its silent e where its other forms lose it: "vote" and "voted" stem to
    # "vote" and "vot", "sue" and "sued" to themselves.
    return short.endswith("e") and other in {short[:-1], f"{short}d"}


def fuller_first(t: Tuning, scored: list[ScoredSentence]) -> list[ScoredSentence]:
    """The best first, unless a close runner-up tells the same fact more fully (who, when)."""
    if len(scored) < 2:
        return scored
    best, other = scored[0], scored[1]
    told = best.candidate.terms
    fuller = (
        other.score >= best.score - t.margin
        and not other.candidate.block
        and len(told & other.candidate.terms) >= 0.8 * len(told)
        and len(other.candidate.terms) > len(told)
    )
    return [other, best, *scored[2:]] if fuller else scored


def led_by(lead: list[ScoredSentence], scored: list[ScoredSentence]) -> list[ScoredSentence]:
    """The `lead` sentences first, then the others of `scored` in their order."""
    moved = {id(s) for s in lead}
    return [*lead, *(s for s in scored if id(s) not in moved)]


def continued_first(scored: list[ScoredSentence]) -> list[ScoredSentence]:
    """The best first, unless it states nothing asked and a runner-up it leads in does."""
    # "Chamber … introduces an AI teammate …" names what "What does Chamber automate?" asks of,
    # and the sentence after it, "It automates provisioning, …", says what is asked.
    best = scored[0]
    if best.candidate.focus:
        return scored
    # However far behind: quoted with its lead-in, the runner-up quotes the best sentence too
    # ("When was the Northern Grid Council established?" ranks the sentence naming it first).
    for other in scored[1:]:
        led = in_context(other.candidate)
        if (
            other.candidate.focus
            and led is not other.candidate
            and _span(led)[:2] == _span(best.candidate)[:2]
        ):
            return led_by([other], scored)
    return scored


def row_first(evidence: Evidence, scored: list[ScoredSentence]) -> list[ScoredSentence]:
    """The best first, unless it states nothing asked and a table's row on the names does."""
    # "How many employees does Northwind have?" ranked a sentence on its campuses over the
    # profile's "Employees | 1,150 (2026)", terse as rows are, and declined it.
    if scored[0].candidate.focus:
        return scored
    for other in scored[1:]:
        if (
            other.candidate.row
            and other.candidate.focus
            and other.candidate.lexical > 0.0
            and on_names(evidence.names, other.candidate)
        ):
            return led_by([other], scored)
    return scored


def with_antecedent(scored: ScoredSentence) -> ScoredSentence:
    """The sentence, led by the one before it in its paragraph when it opens by pointing back."""
    led = in_context(scored.candidate)
    return scored if led is scored.candidate else replace(scored, candidate=led)


def unrepeated(chosen: list[ScoredSentence]) -> list[ScoredSentence]:
    """The quoted sentences, less each that another one quotes with its lead-in sentence."""
    spans = [_span(s.candidate) for s in chosen]
    return [
        s
        for s, (source, start, end) in zip(chosen, spans, strict=True)
        if not any(
            (o_start, o_end) != (start, end)
            and o_source == source
            and o_start <= start
            and end <= o_end
            for o_source, o_start, o_end in spans
        )
    ]


def _span(c: Candidate) -> tuple[str, int, int]:
    return c.passage.source, c.passage.start + c.start, c.passage.start + c.end


def as_read(c: Candidate) -> Candidate:
    """The candidate as its meaning is embedded: with what it points back to, or its title."""
    if heading := section_heading(c):
        # A section's items under "## Version 4.1 (August 2026)" are what its heading names; the
        # items' meaning, far from "What changed in version 4.1?", would decline it.
        return replace(c, text=heading)
    if c.passage.title and labelled_item(c.passage.text, c.start, c.end):
        # A fact sheet's "Capacity: 1.2 GW" is about what its title names, and says so only there.
        return replace(c, text=f"{c.passage.title}. {c.text}")
    led = in_context(c)
    if led is c and c.heading:
        # "The firmware update reset the setpoint …" under "## Root cause" tells what caused it.
        return replace(c, text=f"{c.heading.rstrip('.:?!')}. {c.text}")
    if led is not c or not _points_back(c) or not c.passage.title:
        return led
    # "The company was founded in 1998" opening a paragraph is about the article's subject.
    return replace(c, text=f"{c.passage.title}. {c.text}")


def section_heading(c: Candidate) -> str:
    """The heading line leading a section's items quoted together, or "" for a sentence."""
    line_end = c.text.find("\n")
    if c.block or line_end < 0:
        return ""
    # Markdown sets a blank line between a heading and its list, as often as not.
    items = [
        line
        for line in c.text[line_end + 1 :].splitlines()
        if line.strip() and not is_underline(line)
    ]
    # An FAQ's question heading leads its answer's prose, quoted as a sentence is.
    if not all(BULLET.match(item) for item in items):
        return ""
    heading = c.text[:line_end]
    marked = marked_heading(c.passage, c.start, c.start + line_end)
    if not (marked or heading.startswith("#") or titled_intro(heading)):
        return ""
    return heading.lstrip("#").strip().removesuffix(":")


def _points_back(c: Candidate) -> bool:
    return not c.block and any(
        p.match(c.text) for p in (POINTS_BACK, ANAPHORIC_SUBJECT, PRONOUN_SUBJECT, REPORTED_POINTER)
    )


def in_context(c: Candidate) -> Candidate:
    """The candidate led by the sentence before it when it opens by pointing back to it."""
    # "The company now forecasts …" says whose forecast only with the sentence before it, and "It
    # was first established in 1988" whose founding: both are embedded and quoted with it.
    if not _points_back(c):
        return c
    before = [(start, end) for start, end in sentence_spans(c.passage.text) if end <= c.start]
    if not before or "\n" in c.passage.text[before[-1][1] : c.start]:
        return c
    start, end = before[-1]
    # The hard rule holds here too: text addressed to an AI is never quoted.
    if INSTRUCTION.search(c.passage.text[start:end]):
        return c
    return replace(c, start=start, text=c.passage.text[start : c.end])


def read_terms(c: Candidate) -> frozenset[str]:
    """A sentence's terms as it is read: with its label's, under its heading if read with it."""
    return c.terms | c.labels | heading_terms(c.heading)


def section_of(passage: Passage, start: int) -> str:
    """The heading of the section a span of a passage is under, or "" under its article's title."""
    heading = at_offset(passage.sections, passage.start + start)
    return "" if not heading or heading == passage.title else heading


def heading_terms(heading: str) -> frozenset[str]:
    """A heading's terms as the sentences under it hold them: with their verbs, none generic."""
    return frozenset(with_verbs(terms(heading)) - GENERIC)


def named_by_heading(asked: set[str], text: str, start: int, end: int) -> bool:
    """True when a list's heading holds a word asked that none of its items holds."""
    line_end = text.find("\n", start, end)
    heading = set(terms(text[start:line_end]))
    # A number asked is the heading's to hold: "When was version 3.9 released?" is not answered
    # by the section on version 4.1 whose item drops Python 3.9.
    numbers = {a for a in asked if a[0].isdigit()}
    return numbers <= heading and bool(asked & heading - set(terms(text[line_end:end])))


def _quote(chosen: list[ScoredSentence]) -> str:
    return " ".join(_as_sentence(s.candidate.text) for s in chosen)


def gather_evidence(
    question: str,
    passages: list[Passage],
    told: Sequence[Citation] = (),
    past: tuple[str, ...] = (),
) -> Evidence:
    """The distinct full sentences of the passages, with term overlap and answer-type cue."""
    pool: dict[tuple[str, int, int], tuple[Passage, int, int, bool, str | None]] = {}
    wants_list = is_list_question(question)
    asked = set(terms(question)) - QUESTION_WORDS
    focus = focus_terms(question)
    kind = answer_type(question)
    wanted = asked_measures(kind, question)
    subjects = tuple(without_titles(required_names(question)))
    wh = ASKED_BY_LABEL.match(question)
    who = WHO_IS.match(question) is not None
    # A title asked for is checked on the whole quote (choose), not as one predicate word among
    # others: "the current CEO and chairman of Goldman Sachs" is not answered by Microsoft's CEO.
    predicate = focus - TITLE_ACRONYMS.keys()
    asked_verbs = with_verbs(predicate)
    asks = wh.group(1).lower() if wh else ""
    for passage in passages:
        # A short item is about its article's subject, so only an article naming every name
        # asked answers with one: "Capacity: 1.2 GW" is no capacity of Stargate.
        on_article = names_share(subjects, f"{passage.title}\n{passage.text}") == 1.0
        rows = table_rows(passage.text)
        tables = sorted({r.table for r in rows})
        spans: list[tuple[int, int, bool, str | None]] = [
            (start, end, False, None)
            for start, end in answers(
                passage.text, spoken(passage.text, sentence_spans(passage.text))
            )
            if (
                not is_heading(passage.text[start:end])
                or signed(passage.text[start:end])
                # One naming names only when it states a word of what is asked: "Goldman Sachs
                # advised Vantage." answers who advised Vantage, not which bank led its financing.
                or figure_in_prose(
                    passage.text,
                    start,
                    end,
                    named=bool(asked_verbs & with_verbs(terms(passage.text[start:end]))),
                )
                # Only one stating a word asked, and the kind of answer asked, in an article on
                # the names asked: a fact sheet's other items would crowd out the sentences
                # worth embedding ("Regional Leaders: United States, China, Europe" for "When do
                # Europe's AI rules become binding?"), and "Capacity: 1.2 GW" says nothing of
                # when full capacity is reached.
                or (
                    on_article
                    and stated_item(passage.text, start, end)
                    and item_states(
                        question,
                        wanted,
                        focus,
                        kind,
                        passage.text,
                        start,
                        end,
                        (asks, passage.title),
                    )
                )
            )
            and not marked_heading(passage, start, end)
            and not is_cut_off(passage.text[start:end])
            and not INSTRUCTION.search(passage.text[start:end])
            and not any(start < b and a < end for a, b in tables)
        ]
        spans += [(r.start, r.end, False, r.text) for r in rows]
        headings = {offset - passage.start for offset, _ in passage.sections}
        if not wants_list:
            # A section's items under a heading naming what was asked answer it together:
            # release notes' "## Version 4.1 (August 2026)" over its changes, which never say
            # "version 4.1", answers "What changed in version 4.1?" and "When was it released?".
            spans += [
                (start, end, False, None)
                for start, end in headed_lists(passage.text, headings)
                if named_by_heading(asked - GENERIC, passage.text, start, end)
            ]
        if wants_list:
            # A list is answered by the whole list or the paragraph that enumerates it.
            blocks = list_spans(passage.text, headings) + paragraph_spans(passage.text)
            spans += [
                (start, end, True, None)
                for start, end in blocks
                if not INSTRUCTION.search(passage.text[start:end])
            ]
            spans += [
                (a, b, True, table_text([r for r in rows if r.table == (a, b)])) for a, b in tables
            ]
        for start, end, block, read in spans:
            key = (passage.source, passage.start + start, passage.start + end)
            if not any(_overlaps(c, *key) for c in told):
                pool.setdefault(key, (passage, start, end, block, read))
    entries = [
        (p, start, end, p.text[start:end] if read is None else read, block, read is not None)
        for p, start, end, block, read in pool.values()
    ]
    # A speaker's label says who speaks, not what is said: "Arjun Mehta: Transformers." is no
    # sentence about Arjun Mehta.
    labels = {id(p): turn_labels(p.text) for p in passages}
    stated_texts = [without_turn_label(e[3], labels[id(e[0])]) for e in entries]
    sentence_terms = [set(terms(t)) | title_terms(t) for t in stated_texts]
    # A sentence giving the measure asked states the question's word for it: "funding round"
    # says "raise", "speeds" says "fast".
    headers = [
        header_terms(p.text, start, end, kind.kind, (asks, p.title))
        for p, start, end, *_ in entries
    ]
    stated = [
        measure_words(question, wanted, e[3], st) | header
        for e, st, header in zip(entries, sentence_terms, headers, strict=True)
    ]
    # A fact sheet's item states of what its title names: "Permanent jobs: 1,500" under "Project
    # Bluebonnet fact sheet" holds "Project Bluebonnet" as its reading does (as_read).
    # So does a header line of what its label means ("From:" who sent it).
    # A report's "## Root cause" says what the sentences under it give, when none says "cause":
    # a word some sentence holds is that sentence's to match, not every one under its heading.
    # Only a predicate word: a name is matched as names are, and a heading's number must be the
    # one asked ("When was version 3.9 released?" is not on the section "Version 4.1").
    written = with_verbs(set().union(*sentence_terms))
    unsaid = with_verbs({f for f in focus if not with_verbs({f}) & written})
    asked_numbers = {a for a in asked if a[0].isdigit()}
    under = [section_of(p, start) for p, start, *_ in entries]
    sections = [
        held & unsaid if asked_numbers <= held else frozenset()
        for held in (heading_terms(heading) for heading in under)
    ]
    labelled = [
        (set(terms(p.title)) if p.title and labelled_item(p.text, start, end) else set())
        | header
        | section
        for (p, start, end, *_), header, section in zip(entries, headers, sections, strict=True)
    ]
    weights = _idf(asked, sentence_terms)
    total = sum(weights.values()) or 1.0
    candidates = [
        Candidate(
            p,
            start,
            end,
            text,
            lexical=sum(weights[q] for q in asked & (st | labelled[i])) / total,
            # "Who is Helen Marsh?" is answered by a title ("Vantage chief executive Helen Marsh
            # said …") as well as by a name the question doesn't write.
            cue=kind.present(text) or (who and bool(title_terms(text))),
            focus=bool(asked_verbs & with_verbs(st | said | sections[i])) or not predicate,
            block=block,
            terms=frozenset(st),
            stated=frozenset(said),
            row=row,
            heading=under[i] if sections[i] else "",
            labels=headers[i],
        )
        for i, ((p, start, end, text, block, row), st, said) in enumerate(
            zip(entries, sentence_terms, stated, strict=True)
        )
    ]
    if past:
        # As quoted: "Its focus on …" comes with the sentence on Nscale before it.
        candidates = [c for c in candidates if names_share(past, in_context(c).text) == 0.0]
    joined = "\n".join(p.text for p in passages)
    found = joined.lower()
    found_words = set(words(found))
    names = tuple(required_names(question))
    searched = searched_name(question, passages)
    if searched and searched not in names:
        names = (searched, *names)
    lacked = [name for name in names if not name_found(name, found, found_words, joined)]
    missing = list(dict.fromkeys(name_phrase(question, name) for name in lacked))
    # A name opening the question is told of, not decided on: read as a name by the decision it
    # cost right answers (docs/quality.md, "A name opening the question").
    opening = opening_name(question)
    if opening and opening not in names and not name_found(opening, found, found_words, joined):
        lacked = [opening, *lacked]
    unnamed = tuple(dict.fromkeys(name_phrase(question, name) for name in lacked))
    absent = absent_names(question, joined)
    if absent:
        unnamed = _widest(tuple(dict.fromkeys([*unnamed, *absent])))
    # A decline names three at most, so no more are looked up: a question of 300 made-up names
    # costs three lookups.
    respelled = tuple((name, meant) for name in lacked[:3] if (meant := spelled_like(name, joined)))
    return Evidence(
        candidates,
        names,
        missing,
        kind,
        frozenset(focus),
        frozenset(asked - GENERIC),
        wanted,
        respelled,
        tuple(slip for slip in misspelt_words(question, joined) if slip[0] not in lacked),
        question,
        unnamed,
        bool(absent),
    )


def absent_names(question: str, text: str) -> list[str]:
    """The names a question that only names them asks of, which the text does not write."""
    match = NAME_QUESTION.match(question)
    if match is None:
        return []
    if re.search(r"['’]s\s", match.group("name")):
        # "Who was Guy's Rival?" asks of Guy, whose rival need not be a name.
        return []
    # A word alone is read as any name is ("Purpose of Telnet": "purpose" need not open a name):
    # only words written together as one name must be found together.
    names = re.split(r"\s+(?:and|of|&)\s+", match.group("name"), flags=re.IGNORECASE)
    lower = text.lower()
    return [n for n in names if " " in n and not _written_as_names(n.split(), text, lower)]


def surnamed(name: str, text: str, around: str) -> bool:
    """True when a text writes a name's last word as a name, and the text around it the name."""
    last = name.split()[-1]
    return bool(re.search(rf"(?<!\w){re.escape(last)}(?!\w)", text)) and bool(
        re.search(rf"(?<!\w){re.escape(name)}(?!\w)", around, flags=re.IGNORECASE)
    )


def _widest(names: tuple[str, ...]) -> tuple[str, ...]:
    """The names, less each that another of them holds ("Orbital Compute" in "… Series B")."""
    return tuple(
        n
        for n in names
        if not any(n != o and re.search(rf"(?<!\w){re.escape(n)}(?!\w)", o) for o in names)
    )


def _written_as_names(words: list[str], text: str, lower: str) -> bool:
    # "Anthropic Wall Street" is two names the text writes, "Orbital Compute" none: "orbiting"
    # and "compute" are other words. Longest parts first; at most 21 searches for six words.
    start = 0
    while start < len(words):
        for end in range(len(words), start, -1):
            part = words[start:end]
            if _written(part, text, lower, alone=end - start == 1):
                break
        else:
            return False
        start = end
    return True


def _written(words: list[str], text: str, lower: str, alone: bool) -> bool:
    parts = [re.escape(w) for w in re.sub(r"['’]s$", "", " ".join(words).lower()).split()]
    # Hyphens or line breaks may join the words ("Bank-of-America"), or nothing ("AppleTalk" for
    # "Apple Talk"); the last may be inflected.
    pattern = r"(?<!\w)" + r"[\s‐-―-]*".join(parts) + r"(?:['’]s|s|es)?(?!\w)"
    found = (text[m.start()] for m in re.finditer(pattern, lower))
    # A word alone must be written as a name: "orbital data centers" names no Orbital.
    return any(not alone or not c.isalpha() or c.isupper() for c in found)


def _overlaps(citation: Citation, source: str, start: int, end: int) -> bool:
    return citation.source == source and citation.start < end and start < citation.end


def prelim_score(t: Tuning, c: Candidate) -> float:
    """The cheap part of the score, which decides which sentences are worth embedding."""
    bonus = (t.cue_bonus if c.cue else 0.0) + (t.list_bonus if c.block else 0.0)
    return t.weight_lexical * c.lexical + bonus + t.rank_bonus / c.passage.rank


def rank_candidates(
    t: Tuning, candidates: list[Candidate], cosines: list[float]
) -> list[ScoredSentence]:
    """Candidates with their cosine to the question, scored and sorted best first."""
    scored = [
        ScoredSentence(c, cosine, t.weight_cosine * cosine + prelim_score(t, c))
        for c, cosine in zip(candidates, cosines, strict=True)
    ]
    return sorted(scored, key=lambda s: -s.score)


def select(
    t: Tuning, evidence: Evidence, scored: list[ScoredSentence], limit: int
) -> list[ScoredSentence]:
    """The sentences to answer with: the best, and close runners-up that add something."""
    if not scored:
        return []
    best = scored[0]
    chosen = [scored[0]]
    seen_terms = set(scored[0].candidate.terms)
    for other in scored[1:]:
        if len(chosen) >= limit or other.score < scored[0].score - t.margin:
            break
        other_terms = other.candidate.terms
        if not _repeats(other_terms, seen_terms):
            chosen.append(other)
            seen_terms |= other_terms
    # A question with two parts ("the joint venture … and the Fluidstack deal") needs a sentence
    # for the part the chosen ones leave out, even if it scores a little lower.
    # A measure the chosen sentences give in their own words is covered ("funding round" covers
    # "raise"); a runner-up is added only for words it states.
    said = set().union(*(s.candidate.stated for s in chosen))
    uncovered = evidence.question_terms - seen_terms - said
    for other in scored[1:]:
        if len(chosen) >= limit or not uncovered or other.score < best.score - t.cover_margin:
            break
        other_terms = other.candidate.terms
        if (
            other not in chosen
            and not _repeats(other_terms, seen_terms)
            and other_terms & uncovered
            and other.cosine >= t.min_cosine
        ):
            chosen.append(other)
            seen_terms |= other_terms
            uncovered -= other_terms | other.candidate.stated
    return chosen


def subject_named(question: str, evidence: Evidence, choice: Choice) -> bool:
    """Whether the best sentence answers "Tell me about X" or "What did X say?" by naming X."""
    if not choice.chosen:
        return False
    lead = choice.chosen[0].candidate
    # "What does it say about risks?" is asked of one article, whose "it" is in no sentence.
    request = SUBJECT_REQUEST.match(question) or ARTICLE_SUBJECT.match(question)
    named = not evidence.names or names_share(evidence.names, lead.text) == 1.0
    if request:
        # Any sentence on SoftBank tells about SoftBank: the decision, fitted on questions that
        # ask for one fact, declined "$30 billion commitments from NVIDIA and SoftBank …" at 0.19.
        # So does one stating risks about risks ("… from risk analysis …"); about "AI chips",
        # only one stating chips too.
        words = (
            set(terms(request.group("subject"))) - GENERIC - set(terms(" ".join(evidence.names)))
        )
        stated = words <= lead.terms | lead.stated
        return bool(evidence.names or words) and named and stated
    said = SAID_QUESTION.match(question)
    if said and said.group("role"):
        # "What did the financial strategist say?" is answered by the quotation the strategist is
        # named before, though the decision reads only the role's words in common.
        return set(terms(said.group("role"))) <= lead.terms and bool(ATTRIBUTION.search(lead.text))
    if said and spoken_by(evidence.names, lead.passage.text, lead.start):
        return True
    if not evidence.names or not named:
        return False
    # "What did Cathie Wood say?" shares no word but her name with "Forecasts from … Cathie Wood
    # predict a boom …" (0.14): the question's words are all in the name.
    return bool(said and ATTRIBUTION.search(lead.text))


def _repeats(told: frozenset[str], seen: set[str]) -> bool:
    # A near-repeat (the same fact told twice, often by two articles) adds only length.
    return len(told & seen) >= 0.6 * max(1, len(told))


def decline_text(
    evidence: Evidence,
    acted: tuple[str, str] | None = None,
    offer: Offer | None = None,
    event: tuple[str, str] | None = None,
) -> str:
    """The plain statement that the articles hold no answer, naming what they lack."""
    if evidence.unnamed:
        names = " or ".join(evidence.unnamed[:3])
        said = f"The articles don't say: none of the retrieved passages mentions {names}."
    elif acted is not None:
        # Another actor, or another year: "… is about 2008, not 2011."
        other, actor = acted
        said = f"The articles don't say: the closest passage is about {other}, not {actor}."
    elif event is not None:
        told, asked = event
        said = f"The articles don't say: the closest passage tells of {told}, not {asked}."
    else:
        said = DECLINE_TEXT
    return said + _meant(offer)


def unnamed_note(evidence: Evidence, offer: Offer | None = None) -> str | None:
    """A note for an answer although no passage mentions a name asked about, else None."""
    if not evidence.unnamed:
        return None
    names = " or ".join(evidence.unnamed[:3])
    return (
        f"None of the retrieved passages mentions {names}, so the quote may be about something "
        f"else.{_meant(offer)}"
    )


def apart_note(evidence: Evidence, lead: str) -> str | None:
    """A note for a yes-or-no answer whose first quote leaves out a name it asks of, else None."""
    # "Did Nvidia invest in Adani?" asks how two names the passages mention are related, and
    # Adani's own investment does not say. Declined, such quotes cost a right answer on the
    # fitting sets ("the Treaty of European Union" quoted as "The TEU …") and won none.
    if not POLAR.match(evidence.question):
        return None
    passages = "\n".join(dict.fromkeys(c.passage.text for c in evidence.candidates))
    mentioned = [name for name in evidence.names if names_share((name,), passages) == 1.0]
    left = [name for name in mentioned if names_share((name,), lead) < 1.0]
    if len(mentioned) < 2 or not left:
        return None
    return f"The quote doesn't name {' or '.join(left)}, so it may not say what the question asks."


def offer_of(evidence: Evidence, declined: bool) -> Offer | None:
    """What a reply offers: names' respellings always, other words' with a decline or a name."""
    # An answer to a question with a slip in a word needs no doubt cast on it: the offer there
    # would be a "Did you mean …?" under a right answer.
    words = evidence.misspelt if declined or evidence.unnamed else ()
    slips = evidence.respelled + words
    if not slips:
        return None
    meant = respelled(evidence.question, slips).strip()
    return Offer(meant, slips, tuple(slip for slip, _ in words))


def _meant(offer: Offer | None) -> str:
    # "Nscael" is most likely a slip for the "Nscale" the passages name: say so, don't assume it.
    if offer is None:
        return ""
    if offer.words:
        # "Did you mean raise?" would be unclear: a slip in a word is shown in its question.
        return f" Did you mean “{offer.meant}”" + ("" if offer.meant.endswith("?") else "?")
    names = list(dict.fromkeys(meant for _, meant in offer.slips))
    return f" Did you mean {' or '.join(names[:3])}?"


def focus_terms(question: str) -> set[str]:
    """Stemmed lower-case content words and titles of a question: what is asked, beyond names."""
    # A title spelled out ("chief executive") is asked as its acronym, not as two predicates.
    spelled = title_terms(question)
    plain = question
    for title in spelled:
        plain = TITLE_ACRONYMS[title].sub(" ", plain)
    lower = " ".join(w for w in plain.split() if w[:1].islower())
    titles = (set(terms(question)) & TITLE_ACRONYMS.keys()) | spelled
    return (set(terms(lower)) | titles) - QUESTION_WORDS - GENERIC


def off_measure(evidence: Evidence, candidate: Candidate) -> bool:
    """True when a sentence gives another measure than the amount asked, or another's.

    Another's: its passage and title name none of the names asked and another passage does ("What is
    Anthropic's valuation?" against a passage on OpenAI's that never names Anthropic). A name no
    passage mentions stays evidence for the decision, not a veto, as it is for other questions.
    """
    wanted = evidence.measures
    return (
        measure_clash(wanted, candidate.text)
        or owned_by_another(evidence.names, wanted, candidate.text)
        or (
            bool(wanted)
            and len(evidence.missing) < len(evidence.names)
            # A part of an article whose title names them is the article's ("A: We raised …").
            and names_share(evidence.names, titled(candidate, candidate.passage.text)) == 0.0
        )
    )


def titled(c: Candidate, text: str) -> str:
    """The text under its article's title, for the names a part of that article is about."""
    return f"{c.passage.title}\n{text}"


def on_names(names: tuple[str, ...], c: Candidate) -> bool:
    """True when a sentence's article, title included, names every name asked but titles."""
    # The title asked is no name the passage must write, and a part of an article whose title
    # names them is on them: a letter's last part, signed "Maya Lindqvist, Chief Executive
    # Officer", writes neither "Orion" nor "CEO".
    return names_share(tuple(without_titles(names)), titled(c, c.passage.text)) == 1.0


def named_first(evidence: Evidence, scored: list[ScoredSentence]) -> list[ScoredSentence]:
    """When the best sentence's article names none of the names asked, those of one that does."""
    # "How big is the Ashburn Gateway campus?" was answered at 0.95 with a sentence on the Erie
    # campus, from an article that never names Ashburn Gateway; the permit naming it ranked second.
    # Only when the passages name some name asked: one none mention is the decision's to weigh.
    names = tuple(without_titles(evidence.names))
    if not names or len(evidence.missing) >= len(evidence.names):
        return scored
    if names_share(names, titled(scored[0].candidate, scored[0].candidate.passage.text)) > 0.0:
        return scored
    # Only one stating something asked: an FAQ's "The first building is due to open in 2028." is
    # no answer to "What is Stargate?" for its article's title naming Stargate.
    named = [
        s for s in scored if s.candidate.lexical > 0.0 and on_names(evidence.names, s.candidate)
    ]
    if not named:
        return scored
    return led_by(named, scored)


def measured_first(evidence: Evidence, scored: list[ScoredSentence]) -> list[ScoredSentence]:
    """When the best sentence gives another measure, or another's, the best giving the one asked.

    Only sentences naming every name the question asks about and no other measure alone are
    kept ("How much did OpenAI raise?": OpenAI's funding round, not Nscale's); with none giving
    the measure asked, the order stays and the best is declined.
    """
    wanted = evidence.measures
    best = scored[0].candidate
    # So is one that gives no measure and states nothing asked ("This was the year Orion Grid
    # Partners became a power company …" for "What was Orion's revenue?", over "Revenue rose 74%
    # to $1.9 billion." in the letter Orion's title names).
    idle = bool(wanted) and not best.focus and not wanted & measures(best.text)
    # So is a forecast of the measure when the question asks what it was or is: "What was
    # Tessera's revenue?" over "Tessera raised its full-year revenue forecast to …".
    question = evidence.question
    ahead = FORECAST.search(question) or ASKS_AHEAD.search(question)
    forecast = bool(wanted) and not ahead and bool(FORECAST.search(best.text))
    if not (idle or forecast or off_measure(evidence, best)):
        return scored
    # "The company sold 37.5 million shares, … valuing it at about $23 billion." names CoreWeave
    # as it is read: with the sentence it points back to, or its article's title.
    named = [
        s
        for s in scored
        if not measure_clash(wanted, s.candidate.text)
        and not owned_by_another(evidence.names, wanted, s.candidate.text)
        and names_share(evidence.names, titled(s.candidate, as_read(s.candidate).text)) == 1.0
    ]
    giving = [
        s
        for s in named
        if wanted & measures(s.candidate.text)
        and not (forecast and FORECAST.search(s.candidate.text))
    ]
    if not giving:
        return scored
    return led_by(giving[:1], named)


def titled_first(evidence: Evidence, scored: list[ScoredSentence]) -> list[ScoredSentence]:
    """When the best sentence lacks the title asked ("CEO"), the sentences stating it first."""
    # "…, chief executive Mara Quinn said" answers "Who is the CEO of Orbital Compute?" in the
    # memo on Orbital Compute, though the sentence says "the company"; the funding sentence that
    # ranked first stated no title and was declined. Broadcom's CEO, in an article that never
    # names Orbital Compute, is not moved up.
    titles = evidence.focus & TITLE_ACRONYMS.keys()

    def another(s: ScoredSentence) -> bool:
        # "OpenAI chief executive Sam Altman" states OpenAI's title, not Helion's.
        return title_of_another(evidence.names, titles, s.candidate.text) is not None

    stated = bool(titles) and titles <= scored[0].candidate.terms
    if not titles or (stated and not another(scored[0])):
        return scored
    # Only sentences in passages on the names asked may lead the quote or join it; those stating
    # another's title only after the others.
    named = [s for s in scored if on_names(evidence.names, s.candidate)]
    stating = sorted((s for s in named if titles <= s.candidate.terms), key=another)
    if not stating or (stated and another(stating[0])):
        return scored
    return led_by(stating, named)


def event_first(evidence: Evidence, scored: list[ScoredSentence]) -> list[ScoredSentence]:
    """When the best sentence tells of another kind of event, the best telling of the one asked."""
    # "Who bought Osei Power Systems?" ranked its founding first, by its name, over "She sold it
    # to Schneider Electric …" in the same article; the founding was then declined (other_event).
    # Only then: "What did Old Norse traditions merge with?" is left to the order by meaning.
    asked, told = kinds(evidence.question), kinds(scored[0].candidate.text)
    if len(asked) != 1 or not told or asked & told:
        return scored
    telling = next(
        (
            s
            for s in scored
            if asked & kinds(s.candidate.text) and on_names(evidence.names, s.candidate)
        ),
        None,
    )
    if telling is None:
        return scored
    # Its verb states what was asked, though not in the question's word ("sold" for "bought").
    told_asked = replace(telling, candidate=replace(telling.candidate, focus=True))
    return [told_asked, *(s for s in scored if s is not telling)]


def said_first(evidence: Evidence, scored: list[ScoredSentence]) -> list[ScoredSentence]:
    """For "What did X say?", the best sentence naming X and reporting words first, if any."""
    # "Industry analysts warn that …" answers "What do analysts expect?" though a sentence on
    # the spending it forecasts, without the analysts, ranked first.
    said = SAID_QUESTION.match(evidence.question)
    if said is None:
        return scored
    role = set(terms(said.group("role") or ""))
    if not role and not evidence.names:
        return scored

    def speaks(c: Candidate) -> bool:
        named = role <= c.terms if role else names_share(evidence.names, c.text) == 1.0
        # A transcript's words are its speaker's, said though no verb says so.
        voiced = not role and spoken_by(evidence.names, c.passage.text, c.start)
        return (named and bool(ATTRIBUTION.search(c.text))) or voiced

    speaking = next((s for s in scored if speaks(s.candidate)), None)
    if speaking is None or speaking is scored[0]:
        return scored
    return led_by([speaking], scored)


def voiced_first(evidence: Evidence, scored: list[ScoredSentence]) -> list[ScoredSentence]:
    """For "What did X say about Y?", X's own words first when they name all asked, with X."""
    # Over the seeds and an earnings call, "What did Jensen Huang say about Rubin?" quoted a
    # seed's "… tech influencers like Jensen Huang …" over his own "Our Rubin platform is on
    # track …", which names Rubin but, under his label, never him.
    actor = asked_actor(evidence.question) if ASKS_SAID.match(evidence.question) else None
    if actor is None:
        return scored
    best = scored[0].candidate
    asked = (actor,)

    def voiced(c: Candidate) -> bool:
        # An interview's question leads its answer: the quote ends in X's turn.
        text = c.passage.text
        return spoken_by(asked, text, c.start) or spoken_by(asked, text, c.end - 1)

    if voiced(best):
        return scored

    def named(c: Candidate) -> float:
        return names_share(evidence.names, f"{speaker_at(c.passage.text, c.start) or ''} {c.text}")

    # A sentence naming X that says nothing asked is not X's words on it: "My guest today is
    # Arjun Mehta, …" ranked over his "We'd rather not rely on the grid alone.".
    most = named(best)
    for other in scored[1:]:
        c = other.candidate
        if voiced(c) and named(c) == 1.0 and (most < 1.0 or (c.focus and not best.focus)):
            return led_by([other], scored)
    return scored


def is_cut_off(text: str) -> bool:
    """True for a sentence that stops on a word no sentence ends with ("… overhaul at")."""
    # A teaser cut to length or a chunk's ragged end; "[who?]" after a word is a mark, no cut.
    last = re.search(r"([A-Za-z]+)$", text)
    return last is not None and last.group(1).lower() in CUT_OFF_WORDS


# The past forms of the verbs news reports speech with, which no suffix rule reaches.
REPORTED = {
    "said": "say",
    "told": "tell",
    "wrot": "writ",
    "written": "writ",
    "spok": "speak",
    "spoken": "speak",
}


def with_verbs(stems: Collection[str]) -> set[str]:
    """The stems, with the verb of each noun in -ment ("investment") and reported past ("said")."""
    found = set(stems)
    return (
        found
        | {stem(s[:-4]) for s in found if s.endswith("ment") and len(s) >= 8}
        | {REPORTED[s] for s in found & REPORTED.keys()}
    )


def title_terms(text: str) -> set[str]:
    """The titles a text spells out ("chief executive" holds "ceo"), as their acronyms' terms."""
    return {title for title, spelled in TITLE_ACRONYMS.items() if spelled.search(text)}


def is_list_question(question: str) -> bool:
    """True when a question asks for several things (which companies, what obstacles, list …)."""
    if LIST_Q.search(question):
        return True
    # "What did the analysts say?" asks for what they said, not for a list of analysts.
    if SAID_QUESTION.match(question):
        return False
    match = PLURAL_ASK.search(question)
    return match is not None and match.group(1).lower() not in NOT_PLURAL


def spoken(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sentence spans, a quotation opening a line led by the line naming its speaker."""
    # "A financial strategist commented:" ends in a colon and reads as a heading, and the
    # quotation on the next line says nothing of who spoke it without that line.
    led = []
    for start, end in spans:
        if text.startswith(QUOTE_OPENS, start):
            newline = text.rfind("\n", 0, start)
            line_start = text.rfind("\n", 0, max(newline, 0)) + 1
            line = text[line_start:newline].strip()
            if (
                newline > 0
                and not text[newline:start].strip()
                and line.endswith(":")
                and len(line) <= SPEAKER_CHARS
                and ATTRIBUTION.search(line)
            ):
                start = text.index(line, line_start)
        led.append((start, end))
    return led


def signed(line: str) -> bool:
    """True for a signature: a name of two words or more, a comma, then the title it holds."""
    # "Maya Lindqvist, Chief Executive Officer" under a letter is short and capitalised like a
    # heading, but is the one line saying who its chief executive is. A transcript's label
    # ("Jensen Huang, President and Chief Executive Officer:") leads words, and states none.
    name, comma, title = line.partition(",")
    return (
        bool(comma)
        and not line.rstrip().endswith(":")
        and bool(SIGNATURE_NAME.fullmatch(name))
        and bool(title_terms(title))
    )


def line_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The start and end of the line (or lines) a span stands on."""
    line_end = text.find("\n", end)
    return text.rfind("\n", 0, start) + 1, len(text) if line_end < 0 else line_end


def figure_in_prose(text: str, start: int, end: int, named: bool = False) -> bool:
    """True for a short sentence giving a figure or month (or a name) in a paragraph."""
    # A short line is a heading, as a short sentence is fitted on as one ("He died."); one with
    # a figure or a month ("Lumen has 240 employees."), sharing its line with another sentence,
    # closes a paragraph with a fact. So, when `named`, does one with a name past its first word
    # and a verb in -ed ("Goldman Sachs advised Vantage."); a name alone is no sentence ("The
    # Pleistocene (P) epoch.", "Roosevelt, John F.").
    sentence = text[start:end]
    line_start, line_end = line_around(text, start, end)
    rest = text[line_start:start] + text[end:line_end]
    words = sentence.split()
    return (
        len(words) >= 3
        and sentence[-1] in ".!"
        and (
            any(c.isdigit() for c in sentence)
            or bool(MONTH.search(sentence))
            or (
                named
                and any(w[:1].isupper() for w in words[1:])
                and any(w.islower() and w.rstrip(".!").endswith("ed") for w in words)
            )
        )
        # A bullet's mark is no other sentence: "- Up 12% in 2025." is alone on its line.
        and any(c.isalnum() for c in rest)
    )


# A label is a few words ("First building online"); more before a colon is a sentence's.
LABEL_WORDS = 4


def stated_item(text: str, start: int, end: int) -> bool:
    """True for a short list item or field giving a value: "Capacity: 1.2 GW", "10 g salt"."""
    # A fact sheet's or recipe's items are short like headings, and the only lines stating their
    # facts; a bullet's short item naming no figure or value ("- Transformers") stays a heading.
    return labelled_item(text, start, end) or (
        _item(text, start) and any(c.isdigit() for c in text[start:end])
    )


def labelled_item(text: str, start: int, end: int) -> bool:
    """True for a short item or field of a label and its value ("Community liaison: Jo Park")."""
    # Only one short enough to read as a heading: a longer value says more of what it is about
    # ("Regional Leaders: United States, China, Europe"), and read under its article's title it
    # drew questions on that title's subject.
    return (
        is_heading(text[start:end])
        and _labelled(text[start:end])
        and (_item(text, start) or _among_fields(text, start, end))
    )


def _labelled(line: str) -> bool:
    label, colon, value = line.partition(":")
    return bool(colon and value.strip()) and 0 < len(label.split()) <= LABEL_WORDS


def item_states(
    question: str,
    wanted: frozenset[str],
    focus: set[str],
    kind: AnswerType,
    text: str,
    start: int,
    end: int,
    label: Label = ("", ""),
) -> bool:
    """True for a short item holding a word asked and the kind of answer asked, if one is."""
    item = text[start:end]
    said = set(terms(item)) | header_terms(text, start, end, kind.kind, label)
    # As a sentence does, an item giving the measure asked states its word: "Weight: 98 kg" says
    # how heavy, "Funding: $85 million" how much was raised.
    said |= measure_words(question, wanted, item, said)
    # A field labelled with a word asked gives its value, a name's too: "GPUs: 8 × Nvidia B200".
    named = set(terms(item.partition(":")[0])) & set(terms(question)) if _labelled(item) else set()
    return bool(with_verbs(focus) & said or named) and (kind.kind is None or kind.present(item))


def header_terms(
    text: str, start: int, end: int, kind: str | None, label: Label = ("", "")
) -> frozenset[str]:
    """What a header line or field states by its label ("From:" who sent it), else nothing."""
    name, colon, _ = text[start:end].partition(":")
    name = name.strip().lower()
    asks, title = label
    header = HEADER_STATES.get((name, kind or ""), frozenset())
    if asks and name == asks:
        header = frozenset(terms(title)) - GENERIC
    if colon and header and (_item(text, start) or _among_fields(text, start, end)):
        return header
    return frozenset()


def _item(text: str, start: int) -> bool:
    mark = BULLET.match(text, text.rfind("\n", 0, start) + 1)
    return mark is not None and mark.end() == start


def _among_fields(text: str, start: int, end: int) -> bool:
    # A line of its own beside another labelled line: a fact sheet's fields without bullets, as
    # HTML's definition list and bold labels ("<strong>Water:</strong> …") read.
    line_start, line_end = line_around(text, start, end)
    # Markdown's bold label ("**Severity:** SEV-1") opens its line, though the span starts past it.
    if text[line_start:line_end].strip().strip("*_") != text[start:end].strip().strip("*_"):
        return False
    before = max(line_start - 1, 0)
    above = text[slice(*line_around(text, before, before))] if line_start else ""
    below = (
        text[slice(*line_around(text, line_end + 1, line_end + 1))] if line_end < len(text) else ""
    )
    return any(_labelled(line.strip()) for line in (above, below))


def marked_heading(passage: Passage, start: int, end: int) -> bool:
    """True for a span alone on a line its article marks a heading (HTML's h1-h6, Word's)."""
    # "Stargate Michigan: frequently asked questions" reads as a sentence by its words.
    line_start = passage.text.rfind("\n", 0, start) + 1
    return "\n" not in passage.text[start:end] and any(
        offset - passage.start == line_start for offset, _ in passage.sections
    )


def answers(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The sentence spans but question lines, the first after a question led by the question."""
    # An interview's or FAQ's question states nothing, and the answer under it often names its
    # subject only there ("A: We raised $1.38 billion …" after "Q: How are you paying for it?").
    # A question within a paragraph is prose's ("… how much more time does it take …?"), kept.
    # One reported in prose ("Councillor Okafor asked how much water the campus would use.")
    # leads the sentence after it in its paragraph: the reply names what was asked only there.
    led = []
    asked: int | None = None
    reported: tuple[int, int] | None = None
    for start, end in spans:
        if reported and "\n" in text[reported[1] : start]:
            led.append(reported)
            reported = None
        line_start, line_end = line_around(text, start, end)
        if not text[line_start:start].strip(LINE_MARKUP) and ASKS.search(text, start, line_end):
            # Past a heading's marks: the answer it leads is no heading.
            asked = start + len(text[start:end]) - len(text[start:end].lstrip(LINE_MARKUP))
            continue
        if asked is None and reported is None and REPORTS_ASKING.search(text, start, end):
            reported = (start, end)
            continue
        led.append((asked if asked is not None else reported[0] if reported else start, end))
        asked = reported = None
    return [*led, *([reported] if reported else [])]


def _as_sentence(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip() and not is_underline(line)]
    items = [BULLET.sub("", line, count=1) for line in lines if BULLET.match(line)]
    # A quoted list reads as one sentence, "intro: first; second; third.", without its heading;
    # so does a quotation led by its speaker's line.
    # A list item quoted alone ("3. **xAI and Nvidia, …**") has no intro: before, the item was
    # shown twice, its line read as the intro.
    if items:
        # Items that are sentences ("… on record.") run on as sentences do, not after a ";".
        joined = (
            " ".join(items) if all(i[-1] in SENTENCE_CLOSE for i in items) else "; ".join(items)
        )
        intro = lines[: len(lines) - len(items)][-1:]
        # A heading introducing the items ("## Priorities for 2027") reads as "Priorities for
        # 2027: …", without its marks.
        intro = [f"{i.lstrip('#').strip()}:" if i[-1] not in ".:!?" else i for i in intro]
        lines = [*intro, joined]
    # Markdown's bold marks are markup, not words; a quote cut after "- **" would show only the
    # closing pair ("Microsoft and Nebius**: a five-year …").
    text = " ".join(lines).replace("**", "")
    return text if text[-1] in SENTENCE_CLOSE else text + "."


def _idf(q_terms: set[str], sentence_terms: list[set[str]]) -> dict[str, float]:
    # A question term found in no sentence weighs most: an answer lacking it is suspect.
    n = len(sentence_terms)
    return {q: math.log((n + 1) / (sum(q in st for st in sentence_terms) + 0.5)) for q in q_terms}
