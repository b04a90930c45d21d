"""Every pattern and word list the answerer reads questions and sentences with, in one place."""

# What a group that feeds the answer decision adds is measured by `make tune`: the model card
# (docs/model-card.md, "What each group of patterns … adds") gives the nested cross-validated
# right count with the group's features dropped. The others are pinned by the tests named here.

from __future__ import annotations

import re

# --- What kind of answer a question asks for (answer_types.py) ---
# Measured: the card's "answer types" row (expects_type, type_present, unit_present).

# Amounts written out: "three times", "two billion" answer "how much" as well as digits do.
NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty"
    r"|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|millions?|billions?"
    r"|trillions?|dozens?|half|quarter|double|triple|twice"
)
# A question asking for an amount: the sentence must state one the question doesn't.
QUANTITY_Q = re.compile(
    r"\bhow (much|many|long|far|large|big|high|old|often|tall|wide|deep|fast|heavy)\b"
    r"|\b(what|which)\s+(\w+\s+){0,3}?(percentage|percent|proportion|share|number|amount|fraction"
    r"|size|price|sum|revenue|valuation|penalty|fine|fee|budget|expenditure|spending|salary"
    r"|population|rate|total|income|profit|sales|capacity|distance|height|length|speed|score)\b"
    r"|\bvaluation\b|\bvalued\b|\bworth\b|\bcost\b|\bnumber of\b|\bpa(y|id)\b",
    re.IGNORECASE,
)
# A question asking when: the sentence must hold a year, a month, a day or an era.
DATE_Q = re.compile(
    r"\bwhen\b|\b(what|which|by what|in what|on what)\s+(\w+\s+)?(year|date|day|month|decade"
    r"|century|time|period|era|season|age)s?\b",
    re.IGNORECASE,
)
# What a "which …" question asks for when it asks for a named thing.
ENTITY_NOUNS = (
    r"company|compan|firm|person|people|group|organi[sz]ation|team|club|player|university"
    r"|college|school|agency|bank|investor|startup|band|artist|author|writer|president|leader"
    r"|king|queen|ruler|emperor|man|woman|entity|institution|platform|party|dynasty|church"
    r"|family|newspaper|city|cit|countr|state|region|town|place|continent|province|county"
    r"|island|river|nation|language|religion|tribe|empire|army|ship|brand|product|chip"
    r"|model|name|individual|official|minister|scientist|architect|composer|general"
)
# Who, where, or which company/person/…: the sentence must name something the question doesn't.
ENTITY_Q = re.compile(
    rf"\b(who|whom|whose|where)\b"
    rf"|\b(which|what)\s+(\w+\s+)?({ENTITY_NOUNS})(s|ies|y)?\b",
    re.IGNORECASE,
)
# What answers a date question: a year (1990s), a month or weekday, or an era word.
# A month or a day is written as a name: "The board may adopt …" gives no date.
DATE = re.compile(
    r"\b\d{3,4}s?\b|\b(?-i:January|February|March|April|May|June|July|August|September|October"
    r"|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b"
    r"|\b(century|centuries|decade|quarter|Q[1-4]|BC|AD|BCE|ago|spring|summer|autumn|winter)\b",
    re.IGNORECASE,
)
# A month written as one (capitalised, so "may" the verb is none): a date as a figure is one.
MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November"
    r"|December)\b"
)
# A capitalised word past a sentence's first: a name, for who/which questions.
CAPITALISED = re.compile(r"(?<=\s)[A-Z][\w'’-]+")
# A news dateline opening a lead: "SEATTLE, March 3 (Newswire) - ", "LONDON (AP) — ".
DATELINE = re.compile(
    r"^[A-Z][A-Z .'’-]*[A-Z](?:,[^()\n–—-]{0,40}?)?\s*(?:\([^()\n]{1,40}\)\s*)?[–—-]+\s+"
)
# The calendar's names: capitalised, but no subject a collection is about.
CALENDAR = frozenset(
    {
        *("january", "february", "march", "april", "may", "june", "july", "august"),
        *("september", "october", "november", "december", "monday", "tuesday", "wednesday"),
        *("thursday", "friday", "saturday", "sunday"),
    }
)
# "How many megawatts": the unit the answer is counted in ("how much money" names none).
UNIT = re.compile(r"\bhow many\s+([a-z]{3,})\b", re.IGNORECASE)
NOT_UNIT = frozenset({"did", "does", "do", "was", "were", "is", "are", "has", "have", "had"})

# --- The hard rule on money measures (measures.py, extractive.py): outside the decision, pinned by
# tests/answering/test_answers.py ("measure") ---
# The money measures a question may ask an amount of. A best sentence that states another and not
# the one asked ("How much revenue did OpenAI make?" against "OpenAI's valuation rose to …") holds
# a figure of something else: the commonest near miss of business news.
MEASURES = {
    name: re.compile(rf"\b(?:{words})\b", re.IGNORECASE)
    for name, words in {
        "revenue": r"revenues?|sales|turnover",
        "profit": r"profits?|earnings|net income|net loss(?:es)?",
        # "The round values Vela at $3.2 billion": the verb, with the figure it sets.
        "valuation": r"valuations?|valued|valuing|worth|market (?:cap|capitali[sz]ation|value)"
        r"|values(?=\s[^.]{1,40}?\sat\s+(?:about\s+|nearly\s+|roughly\s+)?[$€£]?\d)",
        # "closed a $1.5 billion Series E": a lettered round, written as one.
        "funding": r"rais(?:e|ed|es|ing)|funding|funds?|round|financing|(?-i:Series [A-H])"
        # "secured $15 million": an amount a company gets, with no word for funding.
        r"|(?:secur|receiv|obtain|attract|land)(?:e|ed|es|ing|s)?\s+(?:(?:a|an|over|about"
        r"|around|nearly|almost|roughly|some|another|more\s+than|up\s+to)\s+)*[$€£]\d+",
        "debt": r"debts?|loans?|borrow\w*|bonds?",
        "spending": r"spend(?:s|ing)?|spent|capex|capital expenditures?|budget",
        # What one pays another for a thing: "How much did Meta pay?" is not answered by a raise.
        # As a noun, "pay" is wages ("leveled pay have"): only the verb's forms count. A share's
        # price ("priced its offering at $40 per share") tells of the company's value too.
        "price": r"pa(?:ys|id|ying)|pay(?!\s+(?:ha(?:s|ve|d)|is|are|was|were|gaps?|rises?|cuts?"
        r"|scales?|levels?|grades?))|payments?|prices?|pricing"
        # "agreed to acquire Crestline … for $2.8 billion": a sum a thing changes hands for.
        r"|for\s+(?:(?:about|around|roughly|nearly|almost|some|an\s+estimated|up\s+to|more\s+than"
        r"|over)\s+)*(?:[$€£¥]|US\$|USD\s?|EUR\s?)\d+",
    }.items()
}
# "How fast is the HC1?" is stated by a sentence giving a speed: each adjective a "how" question
# asks, as a stem, and the stems of the nouns that measure it ("speeds" stems to "spe", "prices"
# to "pric"). "How much" and "how many" ask an amount, not a word.
HOW_ADJECTIVE = re.compile(r"\bhow\s+(\w+)", re.IGNORECASE)
HOW_NOUNS = {
    "fast": frozenset({"speed", "spe"}),
    "quick": frozenset({"speed", "spe"}),
    "big": frozenset({"size", "siz"}),
    "larg": frozenset({"size", "siz"}),
    "tall": frozenset({"height"}),
    "high": frozenset({"height"}),
    "long": frozenset({"length"}),
    "old": frozenset({"age"}),
    "far": frozenset({"distanc"}),
    "heavy": frozenset({"weight"}),
    "deep": frozenset({"depth"}),
    "wide": frozenset({"width"}),
    "expensiv": frozenset({"cost", "pric"}),
}
# The verbs asking a measure, and the stems of the nouns that measure it.
MEASURE_VERBS = {
    "weigh": frozenset({"weight"}),
    "cost": frozenset({"price", "pric"}),
}
# Measures a company has (its revenue, profit, value): a sentence gives them of its subject. Funding
# and spending are not among them: "Amazon is investing $50 billion in OpenAI" tells OpenAI's raise.
OWNED = frozenset({"revenue", "profit", "valuation"})
# A sentence's subject in news copy: the names it opens with, after an opening phrase of time or
# place ("In April 2026, …") and before an apposition (", a startup backed by Nvidia,") or a verb.
# An opening word set off by a comma ("Meanwhile, startups …") is no subject: nothing is read.
_RUN = r"[A-Z][\w&.'’-]*[\w&](?: [A-Z][\w&.'’-]*[\w&])*"
SUBJECT = re.compile(
    r"^\s*(?P<opening>(?:In|On|At|During|After|Before|Since|By|Last|This|Earlier|Later)\b"
    r"[^,]{0,60},\s+)?"
    rf"(?P<names>{_RUN}(?:(?: and| &) {_RUN})*)"
    r"(?=(?P<apposition>,\s+(?:a|an|the|one)\b)|\s+[a-z])"
)
# Words that open a sentence capitalised but name no one: conjunctions and sentence adverbs
# ("When Yesün Temür died …", "Nevertheless, a few …").
_NOT_A_NAME = (
    "when while whilst although though however nevertheless nonetheless meanwhile because if once",
    "since as after before unless until whereas moreover furthermore instead thus hence therefore",
    "yet still today later earlier then there here",
)
NOT_A_NAME = frozenset(word for line in _NOT_A_NAME for word in line.split())
# Who a question says acted: the name right after its auxiliary ("How much is Microsoft investing
# in OpenAI?", "What did Amazon buy?"); a possessive ("Nscale's revenue") is no actor.
ACTOR = re.compile(
    r"^\s*(?i:(?:how (?:much|many|long|often|far)(?: [a-z]+)?|what(?: [a-z]+)?|which [a-z]+|when"
    r"|where|why|how)\s+(?:is|are|was|were|did|does|do|has|have|had|will|would|can|could|should))\s+"
    rf"(?P<actor>{_RUN}(?:(?: and| &) {_RUN})*)(?<!['’]s)(?=\s+[a-z])"
)
# An auxiliary after a sentence's first word makes that word its subject ("Amazon is investing").
AUXILIARY = re.compile(
    r"\s+(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|says|said)\b"
)
# A yes-or-no question ("Is Nscale profitable?"): only a sentence stating what it asks can say.
POLAR = re.compile(
    r"^\s*(?:is|are|was|were|does|do|did|has|have|had|will|would|can|could|should)\s",
    re.IGNORECASE,
)
# Sums ("What's 2+2?"): nothing the documents answer, whatever sentence holds a 2.
ARITHMETIC = re.compile(r"\d\s*[+*/×÷^]\s*\d")
# "What is Nscale's revenue?" asks an amount though no "how much" says so.
WHAT_IS = re.compile(r"\s*what(?:['’]s| is| was| are| were)\b", re.IGNORECASE)
# Words typed as a search ("openai revenue"): no question or request word opens them, and they
# ask the measure they name as "What is OpenAI's revenue?" does.
KEYWORDS = re.compile(
    r"^(?!\s*(?:who|whom|whose|what|which|when|where|why|how|is|are|was|were|do|does|did|will"
    r"|would|can|could|should|has|have|had|tell|list|show|give|explain|describe|summari[sz]e"
    r"|compare)\b)\s*\S+(?:\s+\S+){0,4}\s*\??\s*$",
    re.IGNORECASE,
)
# Where what such a question asks ends: a measure in a clause after it qualifies something else
# ("What is the term for those who profit from odds?" asks a term, not a profit).
CLAUSE_BREAK = re.compile(r"\b(?:that|which|who|whom|whose|where|when|while|if|because)\b|[,;:]")

# --- What an answer lacks: a note above a quote that gives no date or number asked for
# (extractive.py, `lacking`); shown, never fed to the decision. Pinned by
# tests/answering/test_answers.py ("lacks") ---
# "When did …?" or "In what year …?" is answered by a date; "When do treaties apply?" asks a
# condition and "When rocks fold, what …?" a thing, so only these forms count.
DATE_ASKED = re.compile(
    r"^\s*when (?:did|was|were|will|is|has|had)\b[^,]*$"
    r"|\b(?:what|which|in what|on what) (?:exact )?(?:year|date|day|month|decade|century)\b",
    re.IGNORECASE,
)
# What the date pattern leaves out, read for the note only: ordinals ("the 11th century") and the
# relative dates of news copy ("yesterday", "last month").
MORE_DATES = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)\b|\b(?:today|yesterday|tomorrow|tonight)\b"
    r"|\b(?:this|last|next|previous|coming|same|following) (?:week|month|year)\b",
    re.IGNORECASE,
)
# "How much …?" and "How many …?" are answered by a number, in figures or words; "what rate of …"
# or "what kind of …" may be answered in words, so only these forms count.
HOW_MUCH = re.compile(r"\bhow (?:much|many)\b", re.IGNORECASE)
# "How much" asked of money: a sum paid, raised, spent or worth ("How much did Meta pay …?").
MONEY_ASKED = re.compile(
    r"\bhow much\s+(?:(?:money|cash|funding|capital)\b|(?:did|does|do|is|was|were|will|would"
    r"|has|have|had|could|can)\b(?=.*\b(?:pay|paid|cost|spend|spent|raise|raised|invest|invested"
    r"|worth|valued|charge|charged|sell|sold|buy|bought|fund|funded|offer|offered|award|awarded"
    r"|receive|received|grant|granted|earn|earned|lend|lent|owe|owed)\b))",
    re.IGNORECASE,
)
# A sum of money as news copy writes it: "$2 billion", "€40m", "1.2 billion euros", "USD 5".
MONEY = re.compile(
    r"[$€£¥]\s?\d|\b(?:USD|EUR|GBP|US\$)\s?\d|\b\d[\d.,]*\s*(?:(?:thousand|million|billion|trillion"
    r"|bn|m)\s+)?(?:dollars|euros|pounds|yen|yuan|rupees|francs)\b",
    re.IGNORECASE,
)
# Counts the spelled numbers leave out ("a single Maia 200"), read for the note only.
MORE_COUNTS = re.compile(
    r"\b(?:zero|none|single|(?:thir|four|six|seven|eigh|nine)teen)\b", re.IGNORECASE
)


# --- Numbers: one reading, shared by the decision's features and the grounding check ---
# Measured: the card's "numbers" row; the grounding check's reading is pinned by
# tests/answering/test_llm_modes.py.

# Numbers as written in news copy: 14.6, 1,200, 2026, 46 (from 46%), 2 (from $2 billion).
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# The same, standing alone: not the digits of a file name ("001_a3f1….txt") that a model may echo
# from the sources' labels, nor of a name ("H100").
STANDALONE_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\d_])")
SPELLED_NUMBER = re.compile(rf"\b(?:{NUMBER_WORDS})\b", re.IGNORECASE)


def numbers(text: str, *, standalone: bool = False, spelled: bool = False) -> set[str]:
    """The numbers a text states, as values: "1,200" is 1200, "14.60" is 14.6."""
    found = set()
    for raw in (STANDALONE_NUMBER if standalone else NUMBER).findall(text):
        value = raw.replace(",", "")
        if "." in value:
            value = value.rstrip("0").rstrip(".")
        found.add(value)
    if spelled:
        found |= {m.group(0).lower() for m in SPELLED_NUMBER.finditer(text)}
    return found


# --- Negation and opposites (contradictions.py) ---
# Measured: the card's "negation" and "opposites" rows.

# A sentence that denies ("did not", "never") doesn't answer what did happen, and the reverse.
NEGATION = re.compile(
    r"\b(?:not|never|no|none|nothing|neither|nor|without|cannot)\b|n't\b", re.IGNORECASE
)
# "Not only … but also" adds to what it says; it negates nothing.
NOT_NEGATING = re.compile(r"\bnot\s+(?:only|just|merely|simply)\b", re.IGNORECASE)
# The words after a negation that it applies to ("did not gain control" → gain, control), up to
# the end of its clause: a long question's negation often sits in a clause about something else.
NEGATION_SCOPE = 3
CLAUSE_END = re.compile(r"[,;:.?!()]")

# Opposites matched as exact words: the forms WordNet's base forms miss (comparatives, superlatives,
# past tenses) and common pairs it has too, which by stem alone would miss where the crude stemmer
# merges words ("lasted" with "last").
PAIRS = (
    ("more", "less"),
    ("most", "least"),
    ("before", "after"),
    ("first", "last"),
    ("higher", "lower"),
    ("highest", "lowest"),
    ("larger", "smaller"),
    ("largest", "smallest"),
    ("bigger", "smaller"),
    ("biggest", "smallest"),
    ("increase", "decrease"),
    ("increased", "decreased"),
    ("earliest", "latest"),
    ("earlier", "later"),
    ("stronger", "weaker"),
    ("strongest", "weakest"),
    ("longer", "shorter"),
    ("longest", "shortest"),
    ("best", "worst"),
    ("better", "worse"),
    ("major", "minor"),
    ("maximum", "minimum"),
    ("above", "below"),
    ("inside", "outside"),
    ("import", "export"),
    ("imports", "exports"),
    ("imported", "exported"),
    ("positive", "negative"),
    ("won", "lost"),
    ("win", "lose"),
    ("rise", "fall"),
    ("rose", "fell"),
    ("gain", "loss"),
    ("north", "south"),
    ("east", "west"),
    ("northern", "southern"),
    ("eastern", "western"),
    ("accept", "reject"),
    ("accepted", "rejected"),
    ("allow", "forbid"),
    ("allowed", "banned"),
    ("success", "failure"),
    ("successful", "unsuccessful"),
)
OPPOSITE = dict(PAIRS) | {b: a for a, b in PAIRS}
NEGATING_PREFIXES = ("un", "in", "im", "il", "ir", "dis", "non")


# --- Kinds of corporate event (events.py): a veto outside the decision ---
# Pinned by tests/answering/test_events.py. A sentence telling of one kind of event doesn't say
# who did another: "Who acquired Acme Robotics?" is not answered by its founding. A kind holds
# both sides of an event ("sold to" answers "Who bought …?"), and raising money is investing.
# A bare "found" is "find" as often as "establish", so only "founded" and its forms count.
EVENT_KINDS = {
    "a founding": r"(?:co-?)?found(?:ed|ing|ers?)|establish(?:ed|es|ing|ment)?",
    "an acquisition": r"acquir(?:e|ed|es|ing)|acquisitions?|bought|buy(?:s|ing)?"
    r"|purchas(?:e|ed|es|ing)|takeovers?|sold|sell(?:s|ing)?|divest(?:ed|s|ing|iture)?",
    "a merger": r"merg(?:e|ed|es|ing|ers?)",
    "a launch": r"launch(?:ed|es|ing)?|unveil(?:ed|s|ing)?",
    "an appointment": r"hir(?:e|ed|es|ing)|appoint(?:ed|s|ing|ment)?",
    "a lawsuit": r"sue[ds]?|suing|lawsuits?",
    "a partnership": r"partner(?:ed|ing|s|ships?)?|collaborat(?:e|ed|es|ing|ions?)|alliances?"
    r"|joint ventures?|teamed up",
    "a public listing": r"ipos?|(?:go|goes|going|went|gone) public|initial public offerings?",
    "a resignation": r"resign(?:ed|s|ing|ations?)?|(?:step|steps|stepped|stepping) down",
    "a layoff": r"lay(?:s|ing)? off|laid off|layoffs?|job cuts",
    "a bankruptcy": r"bankrupt(?:cy|cies)?|insolven(?:t|cy)",
    "an investment": r"invest(?:ed|s|ing|ments?|ors?)?|fund(?:ed|ing|s)?|rais(?:e|ed|es|ing)"
    r"|financ(?:e|ed|ing)",
}
EVENTS = {kind: re.compile(rf"\b(?:{form})\b", re.IGNORECASE) for kind, form in EVENT_KINDS.items()}


# --- Years asked against years quoted (years.py): a veto outside the decision ---
# Pinned by tests/answering/test_years.py. A year, a decade ("1960s"), a century in figures
# ("1600s") or in words ("17th century"): the stretch of time a text names.
# An amount ("$1500", "1200%") is no year.
YEAR = re.compile(r"(?<![$€£.,\d])\b(1[0-9]{3}|20[0-9]{2})(s?)\b(?![%.,]\d|%)")
CENTURY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)[- ]century\b", re.IGNORECASE)
# A name something is said to happen in: "in Hamburg", "In the United States, …".
IN_NAME = re.compile(r"\b[Ii]n (?:the )?([A-Z][\w'’-]+(?: [A-Z][\w'’-]+)*)")
# A year a change is measured from ("narrowed to $180 million from $340 million in 2024") is not
# the year the sentence tells of.
BASELINE_YEAR = re.compile(
    r"\b(?:from|than|compared (?:with|to)|versus|vs\.?|against)\s[^.;]{0,40}?\b(?:in|for)\s+"
    r"(?:fiscal\s+)?(?P<year>1[0-9]{3}|20[0-9]{2})\b"
)
# "Between 2020 and 2025", "from 1988 to 1995", "2003–04": every year between is named too.
_A_YEAR = r"(1[0-9]{3}|20[0-9]{2})"
YEAR_RANGE = re.compile(
    rf"\b(?:between\s+{_A_YEAR}\s+and|from\s+{_A_YEAR}\s+(?:to|until|through)"
    rf"|{_A_YEAR}\s*[-–]\s*)\s*(1[0-9]{{3}}|20[0-9]{{2}}|[0-9]{{2}})\b",
    re.IGNORECASE,
)


# --- Names, lists, injected instructions and credits (extractive.py, names.py) ---
# Measured: the card's "names" row (QUESTION_NAME, NAME_RUN, CREDIT) and "generic words" row.
# LIST_Q, PLURAL_ASK, INSTRUCTION and POINTS_BACK shape what is quoted, not the decision: pinned by
# tests/answering/test_answers.py (lists, injected text, a sentence that points back).

# A word that may be a name: a letter first, then letters, digits or "&.-" (AT&T, H100, Nvidia's).
QUESTION_NAME = re.compile(r"\b[^\W\d_][\w&.-]*[^\W_]")
# What a word written before a capital makes it: a sentence's or a list item's first word, whose
# capital says nothing of a name ("- Regional Leaders", "…said. The", a quote's first word).
STARTS_SENTENCE = re.compile(r"(?:^|[.!?:;\n•*–—-])[\s“\"‘'(\[]*$")
# A sentence whose subject stands for a name of the sentences before it: "The company now
# forecasts $20 billion in CPU revenue", after one on NVIDIA.
# It, and the pronoun subject below, may follow an opening participle phrase: "Founded in 2011
# and headquartered in San Jose, the company employs about 5,200 people."
OPENING_PARTICIPLE = (
    r"(?:(?:[A-Z][a-z]+(?:ed|en)|Born|Built)\b[^,.;:!?\"“”]{0,80},\s*"
    r"(?:[A-Z][\w .'’-]{0,30},\s*)?)?"
)
ANAPHORIC_SUBJECT = re.compile(
    rf"^\s*{OPENING_PARTICIPLE}(?:(?:[Tt]he|[Tt]his|[Tt]hat)\s+(?:company|firm|startup|group"
    r"|business|chipmaker|lab|bank|fund|investor)\b)"
)
# A sentence about whatever the one before it names: "It was established in 1988 …"; so is a
# quote opening "We", whose speaker the sentence before names ("… said Priya Raman, Tessera's
# chief executive. "We shipped more than 9,000 racks …").
PRONOUN_SUBJECT = re.compile(
    rf"^\s*(?:{OPENING_PARTICIPLE}(?:[Ii]t|[Hh]e|[Ss]he|[Tt]hey|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir)"
    r"|[\"“](?:We|Our))\b"
)
# A sentence reporting what its pronoun's antecedent will do: "A county spokesperson said that
# could happen as early as February." after "The board must hold a new hearing."
REPORTED_POINTER = re.compile(
    r"^\s*[A-Z][^.,;:\n]{0,60}?\b(?:said|says|added|noted|expects?|expected)\s+(?:that\s+)?"
    r"(?:it|this|that|they)\s+(?:could|would|will|may|might|should|can|was|is|were|are)\b"
)
# A sentence reporting a question ("Councillor Okafor asked how much water the campus would
# use."): it states nothing, and the sentence after it answers with the words it asked in.
REPORTS_ASKING = re.compile(
    r"\b(?:asked|wondered|queried)\s+(?:[\w'’-]+\s+){0,3}?"
    r"(?:how|what|whether|if|why|when|where|who|which)\b[^?]*[.!]$",
    re.IGNORECASE,
)
# A forecast of a measure ("raised its full-year revenue forecast to …"), which does not give what
# the measure was.
FORECAST = re.compile(
    r"\b(?:forecast(?:s|ed|ing)?|outlook|guidance|projected|projections?|predict(?:s|ed|ing|ions?)?"
    r"|expect(?:s|ed|ing|ations?)?)\b",
    re.IGNORECASE,
)
# A question asking what is ahead ("Will revenue grow next year?"), which a forecast answers.
ASKS_AHEAD = re.compile(r"\b(?:will|going to|plans?|next|future)\b", re.IGNORECASE)
# A signature's name: two to four capitalised words ("Maya Lindqvist", "C.C. Wei").
SIGNATURE_NAME = re.compile(r"\s*[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){1,3}\s*")
# Capitalised words in a row, joined by single spaces: the parts of one name.
NAME_RUN = re.compile(r"[A-Z][\w&.'’-]*[\w&](?: [A-Z][\w&.'’-]*[\w&])*|[A-Z]")
# A name run with the letter or number that ends it: "Series B", "Vikram 1".
NAME_WITH_PART = re.compile(
    r"[A-Z][\w&.'’-]*[\w&](?: [A-Z][\w&.'’-]*[\w&])*(?: [A-Z0-9](?![\w&'’-]))?"
)
# The letter a name is one of ("Series D", "Class A"), after the name in a question.
NAME_PART = re.compile(r" [A-Z](?![\w&'’.-])")
# Titles and corporate events written in capitals are what a question asks, not whom it is about:
# "Who is the CEO of Nscale?" asks for a chief executive, and a passage may spell the title out.
# Each is a predicate word like "acquired", matched by its acronym or by these words.
TITLE_ACRONYMS = {
    "ceo": re.compile(r"\bchief executive(?: officer)?", re.IGNORECASE),
    "cfo": re.compile(r"\bchief financial(?: officer)?", re.IGNORECASE),
    "cto": re.compile(r"\bchief (?:technology|technical)(?: officer)?", re.IGNORECASE),
    "coo": re.compile(r"\bchief operating(?: officer)?", re.IGNORECASE),
    "cio": re.compile(r"\bchief information(?: officer)?", re.IGNORECASE),
    "vp": re.compile(r"\bvice[- ]president", re.IGNORECASE),
    "ipo": re.compile(
        r"\binitial public offering|\b(?:stock market|public) (?:debut|listing)", re.IGNORECASE
    ),
}
# A title asked for, spelled out or as its acronym ("chief executive", "CEO").
TITLE_MENTIONS = {
    title: re.compile(rf"{spelled.pattern}|\b{title}\b", re.IGNORECASE)
    for title, spelled in TITLE_ACRONYMS.items()
}
# A run of capitalised words, as a title's holder is written before or after the title.
_TITLE_HOLDER = r"[A-Z][\w&.-]*(?:\s+(?:of\s+|&\s+)?[A-Z][\w&.-]*)*"
# "OpenAI chief executive", "OpenAI's CEO": the holder just before the title.
TITLE_HOLDER_BEFORE = re.compile(rf"(?P<holder>{_TITLE_HOLDER})(?:['’]s)?\s+$")
# "chief executive of OpenAI", "CEO at Helion": the holder just after it.
TITLE_HOLDER_AFTER = re.compile(
    rf"^(?:\s+officer)?\s+(?:of|at)\s+(?:the\s+)?(?P<holder>{_TITLE_HOLDER})"
)
# Capitalised words before a title that hold none: a rank, or a pronoun opening the sentence.
NO_TITLE_HOLDER = frozenset(
    {"former", "new", "interim", "acting", "then", "its", "their", "his", "her"}
)
# A question that asks for several things: the whole list or paragraph may be quoted.
LIST_Q = re.compile(
    r"\b(list|name (the|some|all|three|four|five)|enumerate|what are|which are)\b", re.IGNORECASE
)
# "Which companies …": a plural asked for is a list too, unless the plural is a verb or
# a word that only looks plural (NOT_PLURAL).
# A name ending in s that owns what is asked ("What was Nebius's revenue?") asks for no list.
PLURAL_ASK = re.compile(
    r"\b(?:which|what)\s+(?:[a-z-]+\s+){0,2}?([a-z-]{3,}s)\b(?!['’]s\b)", re.IGNORECASE
)
NOT_PLURAL = frozenset(
    {"does", "has", "this", "its", "was", "less", "business", "process", "plans"}
)
# Words a sentence does not end on: articles, prepositions, conjunctions, possessives ("her" and
# "that" may: "… thanked her", "… knew that").
CUT_OFF_WORDS = frozenset(
    {"a", "an", "the", "of", "at", "to", "in", "on", "by", "for", "from", "with", "into", "onto"}
    | {"and", "or", "but", "nor", "as", "than", "whose", "its", "their", "our", "your"}
)
# Text in an article that talks to an AI ("ignore your instructions…") is an attack, not evidence.
INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override)\b[^.]{0,60}\b(instructions?|prompts?|rules)\b"
    r"|\bsystem prompt\b|\b(to|for) (any|all|the) (ai|llm|language model|assistant)s?\b",
    re.IGNORECASE,
)
# Who reported or published a story ("as reported by The Verge", "a TechCrunch article", "an
# article in The New York Times and another by Forbes") is about the article, not in it: an
# outlet's name seldom appears in the text it published.
# A feed's name often joins parts with a bar or dash ("The Roar | Sports Writers Blog").
OUTLET_PART = r"(?:[Tt]he\s+)?[A-Z][\w&.'’-]*(?:\s+(?:of\s+|&\s+)?[A-Z][\w&.'’-]*){0,4}"
OUTLET = rf"['\"‘“]?{OUTLET_PART}(?:\s+[|–—-]\s+{OUTLET_PART}){{0,2}}['\"’”]?"
OUTLETS = (
    rf"(?:both\s+)?{OUTLET}(?:\s*(?:,|and|&)\s*(?:(?:an?|another|one)\s+(?:[a-z-]+\s+)?"
    rf"(?:by|from|in|on)\s+)?{OUTLET})*"
)
WORK = (
    r"(?:articles?|pieces?|reports?|reporting|stor(?:y|ies)|coverage|reviews?|analys[ie]s"
    r"|features?|columns?|op-eds?|posts?|editorials?|interviews?)"
)
CREDIT = re.compile(
    r"\b(?:reported|covered|published|written|featured|discussed|mentioned|noted|detailed"
    rf"|highlighted|stated|described|according|posted|cited|quoted)\s+(?:by|in|on|to|from)\s+{OUTLETS}"
    rf"|\b{WORK}\s+(?:published\s+|posted\s+|written\s+)?(?:by|from|in|on)\s+{OUTLETS}"
    rf"|{OUTLET}['’]s\s+{WORK}\b"
    rf"|\b(?:an?|another|one)\s+{OUTLET}\s+{WORK}\b"
)
# A sentence that opens by pointing back ("In response, …") says what it responds to in the one
# before it, and reads wrong without it.
POINTS_BACK = re.compile(
    r"(?:In response|As a result|As such|Consequently|Therefore|Thus|Hence|Accordingly|In turn"
    r"|For (?:this|that|these) reasons?|To (?:this|that) end|Because of (?:this|that|these|those)"
    r"|Due to (?:this|that))\b"
)
# A message's header line states what its label means, for the kind of answer its value gives
# (stemmed, as terms are): "From: Dana Whitfield" who sent or wrote it, "Date: March 3" when.
_SENT = frozenset({"sent", "send", "writ", "wrot", "written"})
HEADER_STATES = {
    ("from", "entity"): _SENT | {"author", "sender"},
    ("to", "entity"): frozenset({"receiv", "recipient", "address"}),
    ("date", "date"): _SENT,
    ("sent", "date"): _SENT,
    # So does a profile's or a plan's field naming who did it: "Founders: Elena Marsh, …".
    ("founder", "entity"): frozenset({"found"}),
    ("founders", "entity"): frozenset({"found"}),
    ("author", "entity"): _SENT,
    ("owner", "entity"): frozenset({"own"}),
    ("organizer", "entity"): frozenset({"organ", "organiz", "organis"}),
    ("organiser", "entity"): frozenset({"organ", "organiz", "organis"}),
}
# A field labelled with the question's own word ("When: Thursday, January 14, …" for "When is the
# board meeting?") says when or where its article's subject is.
ASKED_BY_LABEL = re.compile(r"\s*(when|where)\b", re.IGNORECASE)
# Words every article is about; sharing them says nothing about answering.
GENERIC = frozenset({"ai", "company", "firm", "article", "report", "new"})


# --- The grounding check of LLM answers (grounding.py) ---
# Pinned by tests/answering/test_llm_modes.py (grouped citations, lead-ins, refusals).

# Several sources in one bracket, as models often write them: "[1, 2]", "[1][2]" is the same.
GROUPED = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)+)\]")
# A sentence that only introduces what follows ("Here is what the articles say:") claims nothing.
LEAD_IN = re.compile(r":\s*$")
# A refusal says the sources lack the answer; a negation about the world ("it doesn't own
# its data centres") is an ordinary claim, so the pattern names the sources or the answering.
SOURCES = (
    r"(?:articles?|sources?|passages?|documents?|context|texts?|information (?:given|provided))"
)
REFUSAL = re.compile(
    rf"\b{SOURCES} (?:do(?:es)? not|don't|doesn't|never) (?:say|mention|contain|provide|specify"
    r"|state|include|answer|give|tell|cover|discuss)"
    r"|\b(?:cannot|can't|can not|unable to|(?:am|is) not able to) (?:answer|find|determine|tell"
    r"|say|know|provide)"
    r"|\bno (?:information|mention|answer|details?)\b"
    r"|\bnot (?:mentioned|provided|stated|specified|given|found|covered) in (?:the |any )?"
    + SOURCES,
    re.IGNORECASE,
)


# --- Follow-up questions (conversation.py) ---
# Pinned by tests/ui/web/test_conversations.py and tests/answering/test_first_turns.py.

# A question that opens with "and", "what about", or leans on a pronoun needs the one before it.
OPENINGS = r"and|also|plus|but|so|then|what about|how about"
# Words that stand for the one name of the question before (resolved below); each also makes a
# question lean back, or the follow-up that holds it would never be resolved.
NAMING = r"it|they|them|the company|the firm|the startup"
# A possessive before "own" is the clause's own subject's: "Which companies are building their
# own chips?" leans on nothing. "the campus" or "the site" is the one asked of before: "When will
# the campus open?" after a question on the Michigan campus is not asked of another campus.
LEANS_BACK = re.compile(
    rf"^\s*({OPENINGS}|same for)\b"
    rf"|\b({NAMING}|it's|theirs|this|that|these|those|he|she"
    r"|the deal|the round|the investment|the campus|the site|the project|the facility)\b"
    r"|\b(its|their|his|her)\b(?!\s+own\b)",
    re.IGNORECASE,
)
# A question asking what a word means ("What is a neocloud?", "What does PPA stand for?", "Define
# capex"): it needs no question before it, as "What is the valuation?" does.
DEFINITION = re.compile(
    r"^\s*(?:what(?:['’]s|\s+is|\s+are)\s+(?:an?\s+)?(?!(?:the|its|it|their|this|that|these|those"
    r"|his|her|they|he|she|next|new|else|more|left|up|wrong|missing)\b)[\w-]+(?:\s+[\w-]+)?"
    r"|what\s+does\s+[\w-]+(?:\s+[\w-]+)?\s+(?:mean|stand\s+for)"
    r"|define\s+[\w-]+(?:\s+[\w-]+)?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# The words of a DEFINITION question that are not the word asked about.
DEFINITION_WORDS = re.compile(
    r"\b(?:what(?:['’]s)?|is|are|an?|does|mean|stand\s+for|define)\b|[?.!]", re.IGNORECASE
)
# How a sentence defines a word: a label's stop or colon ("**Neocloud.** A newer …"), a verb of
# being or meaning, an appositive ("Nscale, a startup …"), or the word spelled out "(PPA)".
DEFINES = r"(?:\**\s*[.:—–(]|,\s+(?:an?|the)\b|\s+(?:is|are|was|were|means?|refers?|stands?)\b)"
# A pronoun or "the company" that stands for the one name of the question before: "Who backs it?"
# after "How much did Nscale raise?" is asked as "Who backs Nscale?". Possessives first.
STANDS_FOR = re.compile(
    rf"\b(?:(?P<possessive>its|their|the (?:company|firm|startup)['’]s)|{NAMING})\b",
    re.IGNORECASE,
)
# An event or thing a name may qualify: after "How big is the Anthropic deal?", "it" is the deal.
EVENT_NOUN = (
    r"deal|round|investment|(?:joint )?venture|partnership|agreement|acquisition|merger|contract"
    r"|offering|IPO|launch|project|plant|campus|facility|fund|stake|loan|bid|lawsuit|raise"
    r"|rule|law|regulation|bill|policy|permit|plan|program|programme|report|study|chip|model"
    r"|site|cluster"
)
# After these the next word may be the verb ("What does the Nscale deal with?", "When did the
# Anthropic venture?"), not a noun the name qualifies, unless a verb follows it ("What does the
# Texas rule require?"): a word other than a preposition.
AUXILIARIES = frozenset(
    {"do", "does", "did", "will", "would", "can", "could", "should", "shall", "may", "might"}
)
PREPOSITIONS = frozenset(
    {"with", "to", "in", "on", "for", "at", "by", "of", "from", "into", "over", "about", "against"}
)
# "Is it true that …?", "it is likely …": an "it" that stands for no name.
DUMMY_IT = re.compile(
    r"\b(?:it(?:['’]s| is| was| will be)|is it|was it)\s+(?:true|possible|likely|unlikely|clear"
    r"|known|expected|reported|said|the case)\b",
    re.IGNORECASE,
)
# What opens a follow-up and means nothing once its pronoun is replaced: "And its valuation?".
FOLLOW_UP_OPENING = re.compile(rf"^\s*(?:{OPENINGS})\b[\s,]*", re.IGNORECASE)

# An acknowledgement before a follow-up ("Thanks! What about OpenAI?", "OK, and …"): set off by
# punctuation, since "Great Wall Motors" and "Thanks to Nvidia" open real questions.
ACKNOWLEDGEMENT = re.compile(
    r"^\s*(?:(?:ok|okay|thanks|thank you|great|cool|nice|perfect|got it|i see|hi|hello|hey)"
    r"\s*[,.!]+\s*)+",
    re.IGNORECASE,
)
# A question asked inside another ("Do you know who leads Orbital Compute?", "I wonder what Adani
# is planning"): the lead-in's "know" or "wonder" is no word an answer states.
EMBEDDED_ASK = re.compile(
    r"^\s*(?:(?:do|did) you (?:happen to )?know|do you have any idea|any idea"
    r"|(?:can|could|would|will) you (?:please )?(?:tell|show) me|(?:please )?tell me"
    r"|i(?: would|'d|’d) like to know|i want to know|i(?: wonder| am wondering|'m wondering"
    r"|’m wondering))\s*,?\s+(?=(?:what|when|where|which|who|whom|whose|why|how)\b)",
    re.IGNORECASE,
)
# "Tell me more": the question before, answered by the sentences its answers have not quoted.
MORE = re.compile(
    r"^\s*(and\s+)?((can|could|would|will) you (please )?|please )?"
    r"(tell me more|tell me more about (it|that|this)|more|more please|go on"
    r"|keep going|continue|what else|anything else|give me more( details)?|more details"
    # "Can you elaborate?", "Expand on that", "More info please": the same request.
    r"|elaborate( on (it|that|this))?|expand( on (it|that|this))?|say more|go deeper"
    r"|explain( (it|that|this))?( more| further| in more detail)|more (detail|details|info"
    r"|information)( please)?|details|anything more|is there (any )?more"
    # Sent alone, "Who else?" asks for the next answer, not the one just given.
    r"|(who|where|when|which) else|any(one|body) else|(any|which|what) others?"
    # "What other companies?" alone: the next ones of what the question before asked for.
    r"|(any|which|what) other (ones|companies|firms|names|people|examples|deals|investors"
    r"|countries|chips|figures|numbers)"
    r"|what else do (the )?(documents|articles) say)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# "Who else invested?", "Which other companies raised money?": the question without "else" or
# "other", answered past what the answer before quoted. Sent alone, "Who else?" is MORE.
ELSE = re.compile(
    r"^\s*(?:and\s+)?(?P<wh>(?:who|whom|what|where|when|which)\s+)else\s+(?=\w)"
    r"|^\s*(?:and\s+)?(?P<kind>(?:which|what)\s+)other\s+(?=\w)",
    re.IGNORECASE,
)
# "What about OpenAI?", "And for Microsoft?": the question before, asked of something else.
SWAP = re.compile(
    r"^\s*(?:and\s+)?(?:what|how)\s+about\s+(?P<a>.+?)\s*[?.!]*\s*$"
    r"|^\s*(?:and|same)\s+(?:for\s+)?(?P<b>(?:the\s+)?[A-Z].*?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)

# "When?", "And where exactly?" after a question: the same question, asked with that word.
BARE_WH = re.compile(
    r"^\s*(?:and|so|but|ok|okay)?[\s,]*(?P<wh>when|where|why|how much|how many|how)"
    r"(?:\s+(?:exactly|then|so))?\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# The question it is asked of, with its question word before an auxiliary the new word can take
# ("How much did Nscale raise?" → "When did Nscale raise?"); a copula only after a word that is
# no subject ("When is the act enforced?", not "Who is the CEO?"), or before a verb in -ing ("How
# much is Amazon investing …?", not "How much is Nscale's valuation?").
WH_OPENING = re.compile(
    r"^\s*(?:(?:how\s+much|how\s+many|what|who|whom|which|when|where|why|how)\s+"
    r"(?P<aux>do|does|did|will|would|can|could|should|has|have|had)"
    r"|(?:when|where|why|how)\s+(?P<copula>is|are|was|were)"
    r"|how\s+(?:much|many)\s+(?P<progressive>is|are|was|were)(?=\s.*\w{3}ing\b)"
    # A yes-or-no question takes one before it: "Does Amazon invest in OpenAI?", "How much?".
    r"|(?P<polar>do|does|did|will|would|can|could|should|has|have|had|is|are|was|were))"
    r"\b(?P<rest>.*)$",
    re.IGNORECASE,
)
# "And in OpenAI?" after "How much did Nvidia invest in Nebius?": the name after the same
# preposition is the one swapped.
# "And in 2025?", "What about 2024?" after a question: the same question, of that year.
YEAR_SWAP = re.compile(
    r"^\s*(?:and\s+)?(?:(?:what|how)\s+about\s+)?(?:(?:in|for|during)\s+)?"
    r"(?P<year>(?:19|20)\d{2})\s*[?.!]*\s*$",
    re.IGNORECASE,
)
SWAP_PREPOSITION = re.compile(
    r"^(?P<prep>in|into|at|to|with|from|on|by|of)\s+(?P<rest>\S.*)$", re.IGNORECASE
)

# --- Turns that are not questions (first_turns.py) ---
# Pinned by tests/answering/test_first_turns.py (exact replies to each kind of turn).

# What a person says to open or close a conversation; the whole message, give or take a word.
GREETING = re.compile(
    r"^(?=\w)((hi|hello|hey|hiya|howdy|yo|greetings|good (morning|afternoon|evening|day)|whats up"
    r"|sup|are you there|anyone there|start)( there| everyone| all| bot)?)?"
    # "Hey, how are you?" asks after the bot, not the documents: it was searched and answered.
    r"( ?(how are you( doing)?( today)?|hows it going|how is it going|how are things))?$"
)
# Leaving: a short goodbye, not a question to search for.
FAREWELL = re.compile(
    r"^((ok|okay|thanks|thank you|great)[, ]+)?(bye|bye bye|goodbye|good bye|see you( later)?"
    r"|see ya|thats all( for now)?|that is all( for now)?|good night|no thanks|no thank you)$"
)
# Thanks closes a turn; it is never a follow-up to the answer before it.
THANKS = re.compile(
    r"^((ok|okay|great|cool|perfect|nice|awesome)[, ]+)?(thanks|thank you|thank u|thx|ty|tysm"
    r"|cheers|many thanks|much appreciated)( (very|so) much| a lot| again)?$"
)
# "ok", "got it": nothing asked, and no follow-up that would repeat the answer before.
ACKNOWLEDGED = re.compile(
    r"^((ok|okay) (then|cool)|ok|okay|k|kk|yes|yeah|yep|yup|cool|great|nice|perfect|awesome"
    r"|good|fine|sure|alright|all right|got it|i see|understood|noted|makes sense|sounds good"
    r"|interesting|wow|oh|ah|hm+|lol|good job|well done|that makes sense|never mind|nevermind"
    r"|nvm)$"
)
# A yes to the reply before: after "Did you mean Nscale?", the question asked again, respelled.
AGREED = re.compile(
    r"^(yes|yeah|yep|yup|ya|sure|correct|right|exactly|indeed|of course|i did|i do|that one"
    r"|please|please do)( (please|i did|i do|thats it|thats right|thats the one|thanks|thank you))?"
    r"$"
)
# A no to the reply before: after "Did you mean Nscale?", the name asked is not in the articles.
REFUSED = re.compile(
    r"^(no|nope|nah|no thanks|no thank you|not that one|not that|neither|i didnt|i did not"
    r"|i dont|i do not|thats not it|thats not the one|wrong one|not quite)"
    r"( (thanks|thank you|i didnt|i did not|i dont|i do not))?$"
)
# Doubt about an answer: the reply says how to check it and ask again, instead of repeating it.
DOUBT = re.compile(
    r"^((thats|that is|this is|its|it is) (wrong|incorrect|false|not (right|correct|true|helpful)"
    r"|not what i (asked|meant)( for)?|a (bad|wrong) answer)"
    r"|(you are|youre) wrong|wrong( answer)?|incorrect|bad answer|not helpful|are you sure"
    r"|really|no|nope)$"
)
# "Which article is that from?", "Source?", "Where did you get that?": the articles the answer
# before quoted (read on the plain message; "what are your sources" is the overview).
SOURCES_ASKED = re.compile(
    r"^((ok|okay|thanks|and|so|but) )*("
    r"(which|what) (article|document|doc|source|story|piece|report|file)s? (is|was|are|were|did"
    r"|does|do) (that|this|it|they|these|those|the answer|that answer|this answer) (from|in"
    r"|come from|quoted?|cited?|say that|say so)"
    r"|(whats|what is) (the|your|its|that|this) source( for (that|this|it))?"
    r"|sources?( please)?|(your |the )?source for (that|this)"
    r"|where (did|do|does) (you|that|this|it) (get (that|this|it)( from)?|come from"
    r"|read (that|this|it)|say (that|so|this))"
    r"|where (is|was) (that|this) from|wheres (that|this) from"
    r"|(can you |could you |please )?(cite|name|show( me)?|give( me)?) (your|the|a|that|its"
    r"|those|these) sources?"
    r"|(in )?which (article|document|story) (is|was) (that|this|it)( in)?"
    r")$"
)
# "Who wrote the article?", "Who is the author?": who wrote the articles the answer before
# quoted (read on the plain message, as SOURCES_ASKED is). "Who wrote the memo?" names a kind of
# document the answer before may not have quoted: it is searched.
_WRITTEN = (
    r"(it|that|this|them|those|these"
    r"|the (article|story|piece|post|document)s?)"
)
AUTHOR_ASKED = re.compile(
    r"^((ok|okay|thanks|and|so|but) )*("
    rf"who (wrote|writes|authored|penned|reported) {_WRITTEN}"
    r"|who (is|was|are|were|s) (the|its|their) (author|writer|reporter)s?"
    rf"( of {_WRITTEN})?"
    rf"|(whos|who is) {_WRITTEN} by"
    r")$"
)
# "Who wrote the study?", "Who authored the Abilene memo?": who wrote the one article the question
# finds, whatever the answer before quoted. Only kinds of article: "Who wrote the Nong Shu?" or "…
# the book titled …" asks what a passage says.
WRITER_OF = re.compile(
    r"^\s*who\s+(?:wrote|writes|authored|penned|is\s+the\s+author\s+of|are\s+the\s+authors\s+of)"
    r"\s+(?:the|this|that)\s+(?:[\w-]+\s+){0,3}?(?:article|story|piece|op-ed|column|memo|study"
    r"|report|post|blog|newsletter|press\s+release|document|e-?mail)s?"
    r"(?:\s+(?:about|on|from|of)\s+[^?]+)?\s*\?*\s*$",
    re.IGNORECASE,
)
# A line naming who wrote an article: a byline ("By Anna Virtanen, October 2, 2026"), a study's
# "Authors:" line, or an e-mail memo's sender ("From: Dana Whitfield <dana@…>").
WRITER_LINE = re.compile(
    r"^[ \t>*_#-]*(?P<line>(?:(?i:(?:written|posted|reported)\s+)?(?i:by)[ \t]+"
    r"|(?i:from|authors?):[ \t]+)"
    r"(?P<names>[A-Z][\w.'’-]*(?:,?[ \t]+(?:and[ \t]+)?[A-Z][\w.'’-]*)+)[^\n]*)",
    re.MULTILINE,
)
# "Write a poem about Nscale", "Translate it into French": new text to write, which no quote is
# (read on the plain message).
TASK = re.compile(
    r"^((please|pls|can you|could you|would you|will you|now) )*(write|compose|draft|generate"
    r"|translate|rewrite|paraphrase|rephrase|code|program)\b"
)
# Asking what the bot is or does: the reply says what it covers, with example questions.
# "u" is "you" as people type it in a chat ("what can u do").
_YOU = r"(you|u|ya)"
HELP = re.compile(
    rf"^(help|help me|\?|menu|what can {_YOU} do|who (made|built|created) {_YOU}"
    rf"|(hi |hello |hey )?i have a question|can i ask {_YOU}( something| a question)?"
    rf"|what do {_YOU} do|what can i ask( {_YOU})?( about)?"
    rf"|how does this work|how do i use (this|{_YOU})|who are {_YOU}|what are {_YOU}( for)?"
    r"|(whats|what is) your name|test|testing"
    rf"|what is this( bot| tool| app| chat)?|what do {_YOU} know( about)?"
    rf"|what can {_YOU} help( me)? with|(how )?can {_YOU} help( me)?"
    rf"|what (topics|subjects|kinds? of questions|sorts? of questions|questions) (do|can) {_YOU}"
    r" (cover|answer|handle)"
    rf"|are {_YOU} (a |an )?(real )?(bot|chatbot|ai|robot|human|person|machine|llm|computer))$"
)
# A request for what the collection holds, as a whole ("What are these articles about?").
DOCS = (
    r"(documents?|articles?|docs|files|texts|sources|collection|index|corpus|reports?|papers?"
    r"|memos?|stor(y|ies))"
)
OVERVIEW = re.compile(
    rf"^((please )?(summari[sz]e|give( me)? an overview of|give( me)? a summary of|overview of"
    rf"|list|tell me about) (the |this |that |these |those |all( the)? |your |my )?{DOCS}"
    rf"|(please )?(summari[sz]e|overview|summary|give( me)? (an overview|a summary))"
    rf"|what (are|is) (the |this |that |these |those |all( the)? |your )?{DOCS} about"
    rf"|what are (the |these |those |all( the)? |your )?(documents|articles|docs|files|sources)"
    rf"|(what|which) (documents|articles|docs|files|sources) (do you have|are there"
    rf"|are in the (collection|index))"
    rf"|(what is|whats) in (the |this |your )?(collection|index)|whats in here"
    rf"|(what )?topics do (the |these )?{DOCS} cover"
    rf"|what (topics|subjects) (are|do you) (covered|cover|discussed)( in (the |these )?{DOCS})?"
    rf"|what (do|does) (the |this |that |these |those |your )?{DOCS} (cover|say)"
    # As people ask for the gist of everything at once.
    r"|(please )?(summari[sz]e|sum up) (everything|it all|all of (it|this|them))"
    r"|(give me |what are )?(the )?(key|main) (takeaways|points|highlights)"
    r"|tl ?dr|whats (the )?(latest|new)|what is (the )?latest|whats the latest news"
    r"|what is the latest news|any news)$"
)
# "How many articles are there?": the overview says how many, and which.
COUNT_DOCS = re.compile(
    rf"^how many {DOCS} ((are there|do you have|are indexed|have you got|can you search)"
    rf"( in (the |this |your )?(collection|index))?|are in (the |this |your )?(collection|index))$"
)
# "Which companies are mentioned?", "List all the people in the articles": everything of a kind
# the whole collection names, which no answer quoting a few passages can list. Without "mentioned"
# or "in the articles" ("Name all the investors") it may follow up a question, and is searched.
KINDS = (
    r"(companies|firms|businesses|organi[sz]ations|startups|people|persons|names"
    r"|countries|cities|places|investors|products|brands|executives|ceos)"
)
_IN_DOCS = rf"( in (the |these |those |your |all( of)? the )?{DOCS})"
_NAMED = r"(mentioned|named|covered|discussed|featured|talked about|referenced|cited)"
_LISTED = (
    rf"((can|could) you |please )*(list|name|show( me)?|give( me)?( a list of)?|tell me)"
    rf"( all| every one of| each of)?( of)?( the)? {KINDS}"
    rf"( (that |which )?((are|were|get|got|have been|are being) )?{_NAMED}{_IN_DOCS}?|{_IN_DOCS})"
    rf"( please)?"
)
_ASKED = (
    rf"((which|what) {KINDS}|(what|who) are( all)? the {KINDS})"
    rf"( ((are|were|get|got|have been|are being) )?{_NAMED}{_IN_DOCS}?"
    rf"|( are| were)( there)?{_IN_DOCS}|{_IN_DOCS})"
    rf"|((which|what) {KINDS}|who(m)?) (do|does) (the |these |those |your )?{DOCS} (mention|name"
    rf"|cover|discuss|talk about|feature|reference|cite)"
)
INVENTORY = re.compile(rf"^({_LISTED}|{_ASKED}|who (is|are|gets|get) {_NAMED}{_IN_DOCS}?)$")
# "Who else does it mention?", "Which other companies …?": the same request, past a name asked.
OTHER_ONES = re.compile(r"(?<=\w) (?:else|other)\b")
# "Which companies does it mention?" asked of one article: its "it" read as the documents.
THE_ONE_ARTICLE = re.compile(r"\b(?:it|(?:this|the|that) (?:article|story|piece|one))\b")
# The kind of thing an inventory request asks for, to name it in the reply.
INVENTORY_KIND = re.compile(rf"\b{KINDS}\b")
# "What do the documents say about X?", "Can you summarise the article about X?": a request for
# what the documents hold on a subject, which is searched and answered as "Tell me about X".
ABOUT = re.compile(
    rf"^\s*((can|could|would|will) you (please )?|please )?"
    rf"((what (do|does|did|can) (the |these |those |your |all( the)? )?{DOCS} "
    rf"(say|tell( me| us)?|report|mention|write|have)"
    rf"|what (is|was|has been) (said|written|reported|known|mentioned)"
    rf"|what do you (know|have)"
    rf"|tell me (everything|all|something|a (little|bit|few things))( (that )?you (know|have))?"
    rf"|(give me|i('d| would) like|i want|show me|(do you have|got) (any|some)) (some |any |more )?"
    rf"(info|information|details|background)"
    rf"|(give me|tell me|list|share|what are) (some |a few |the |any |more |(two|three|four|five"
    rf"|ten|\d+) )?(key |main |important |interesting )?(facts|things|points|highlights))"
    rf" (about|on|regarding)"
    rf"|(summari[sz]e|sum up|give( me)? (a |an )?(short |brief )?(summary|overview|rundown))"
    rf"( what)?( (the |these |those |all( the)? )?{DOCS}( say| said| report)?)?"
    rf" (about|on|regarding|of|for)"
    # "Do you know Nscale?", "Have you heard of Skyroot?"; not "Do you know who …?" (a question).
    rf"|(do|did) you (happen to )?know( anything| something| much)?( about| of)?"
    rf"|have you (ever )?heard( anything)? (about|of)"
    rf")(?! (what|when|where|which|who|whom|whose|why|how|if|whether|that)\b)"
    rf" (?P<subject>\S.*?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# A word written with a capital (or a digit) first, as a name's words are, whatever the flags.
NAME_WORD = r"(?-i:[A-Z0-9])[\w.&'’-]*"
# A transcript's speaker label: a name, maybe a comma and the speaker's role or firm, a colon,
# alone on its line ("Jensen Huang, President and Chief Executive Officer:"). Leading the
# speaker's words on the line, only with the role or in capitals ("JENSEN HUANG: Thanks."):
# "Outlook: …" and "AMD MI300X: …" lead a list's items. A name has no digits, nor one letter
# alone (an interview's "Q:").
_SPEAKER_WORD = r"(?-i:[A-Z])(?:[^\W\d_]|[.'’-])"
SPEAKER_LABEL = re.compile(
    rf"^[ \t*_]*(?P<name>{_SPEAKER_WORD}+(?:[ \t]+{_SPEAKER_WORD}*){{0,3}})"
    r"(?P<role>[ \t]*,[^\n:()/\d]{1,150})?[*_]*:[*_]*(?:[ \t]*$|[ \t]+(?P<words>\S))"
)
# A line a label leads, whoever it names ("AMD MI300X: …", "Q: …"): a turn ends before it.
LABELLED_LINE = re.compile(r"^[ \t*_]*(?-i:[A-Z])[^\s:]*(?:[ \t]+[^\s:]+){0,5}[ \t]*:(?:\s|$)")
# A short follow-up's definite noun, which is the topic's ("Who is the CEO?" of Nscale's).
THE_NOUN = re.compile(r"\bthe\s+(?=(?:[a-z][\w-]*|CEO|CFO|CTO|COO|IPO)\s*[?.!]*\s*$)")
# A question asking what someone said, about anything ("What did Jensen Huang say about Rubin?").
ASKS_SAID = re.compile(
    r"^\s*what\s+(?:did|does|do|has|have|had)\s+\S.*?\s+(?:say|said|think|thought|tell|told"
    r"|write|wrote|written|predict|expect|warn|claim|believe)\b",
    re.IGNORECASE,
)
# The form every request about a subject is asked in (`on_subject`), or a user's own.
SUBJECT_REQUEST = re.compile(r"^\s*tell me about\s+(?P<subject>\S.*?)\s*[?.!]*\s*$", re.IGNORECASE)
# "What does it say about risks?" asked of one article (its "it"): a request about risks there.
ARTICLE_SUBJECT = re.compile(
    r"^\s*what\s+(?:does|did)\s+it\s+(?:say|report|write|mention|tell\s+us)\s+"
    r"(?:about|on|regarding)\s+(?P<subject>\S.*?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# A role in lower case ("the financial strategist") as SAID_QUESTION reads it: no pronoun, and no
# word for the documents themselves ("What does the article say?" asks for a summary).
ROLE_WORD = (
    r"(?!(?:i|you|we|they|he|she|it|this|that|these|those|article|articles|document|documents"
    r"|text|story|stories|report|reports|piece|passage|passages|source|sources|collection)\b)"
    r"(?-i:[a-z][a-z'’-]*)"
)
# "What did Cathie Wood say?", "What does ARK Invest predict?": what a name said, and no more;
# any sentence naming it that reports its words answers, though it shares no other word. So does
# one naming a role ("What did the financial strategist say?") by all its words.
SAID_QUESTION = re.compile(
    r"^\s*what\s+(?:did|does|do|has|have|had)\s+"
    r"(?P<who>(?:(?:the|an?)\s+)?"
    rf"(?:(?P<name>{NAME_WORD}(?:\s+(?:(?:of|and|&)\s+)?{NAME_WORD}){{0,5}})"
    rf"|(?P<role>{ROLE_WORD}(?:\s+{ROLE_WORD}){{0,2}})))"
    r"\s+(?:say|said|think|thought|predict|forecast|expect|argue|claim|believe|warn|write|wrote"
    r"|written|suggest|estimate|project|state|stated|tell|told)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# A line that asks (an interview's or FAQ's question, bold or quoted): it states nothing.
ASKS = re.compile(r"\?[*_\"'”’ \t]*$")
# What may lead a line before its words: a Markdown heading or quote mark, bold, a bullet.
LINE_MARKUP = " \t#>*_-"
# A sentence reporting what someone said, forecast or thinks: a verb of saying, or a quotation
# (a phrase: "a “sleeping giant”" quotes no one).
ATTRIBUTION = re.compile(
    r"[“\"]\w[^”\"]{24,}[”\"]"
    # "States" and "notes" are often nouns ("the United States"): those only before "that".
    r"|\b(?:says?|said|saying|told|tells?|stated|noted|(?:states|notes) that|wr(?:ote|ites)"
    r"|(?:predict|forecast|warn|argu|claim|believ|expect|estimat|suggest|remark|comment|announc"
    r"|articulat|explain)\w*|projections?|project(?:s|ed) that|statements?|according to"
    r"|thinks?|thought)\b",
    re.IGNORECASE,
)
# "Who is Kenji Sato?": a question asking who one person is, not "who is the CEO of …".
WHO_IS = re.compile(
    rf"^\s*who\s+(?:is|was)\s+(?P<name>{NAME_WORD}(?:\s+{NAME_WORD}){{1,4}})\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# "What is Stargate?": a question that is only one name, which a quote answers only by writing it.
WHAT_IS_NAME = re.compile(
    rf"^\s*what\s+(?:is|are|was|were)\s+(?P<name>{NAME_WORD})\s*[?.!]*\s*$", re.IGNORECASE
)
# "Tell me about Orbital Compute", "Who is Mara Quinn?": a question that is only a name of two
# words or more, which a sentence answers only by naming it whole.
NAME_QUESTION = re.compile(
    r"^\s*(?:tell me about|(?:what|who)\s+(?:is|are|was|were))\s+(?:the\s+)?"
    rf"(?P<name>{NAME_WORD}(?:\s+(?:(?:of|and|&)\s+)?{NAME_WORD}){{1,5}})"
    r"\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# "Summarise the Nscale article": the same request, its subject named before the word "article".
ARTICLE_ON = re.compile(
    r"^\s*((can|could|would|will) you (please )?|please )?"
    r"(summari[sz]e|sum up|give( me)? (a |an )?(short |brief )?(summary|overview|rundown) of)"
    # The subject is a name (capitalised), so "the main findings of the report" is left as asked.
    # A capital "The" is part of the name: "Summarise The Verge article" is about The Verge.
    r" ((?-i:the|that|this) )?(?P<subject>(?-i:[A-Z0-9])[\w.&'’-]*(?:\s+(?:(?-i:[A-Z0-9])[\w.&'’-]*"
    r"|of|and|&)){0,5}?)\s+(article|document|story|piece|report|post)s?"
    r"\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# "Summarise the Trend Analysis article", "What does “…” report?", "What is the … article about?":
# a request about one document, named by (part of) its title; `rest` holds the name.
ARTICLE_REQUESTS = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^\s*((can|could|would|will) you (please )?|please )?(summari[sz]e|sum up"
        r"|give( me)? (a |an )?(short |brief |quick )?(summary|overview|rundown) of"
        r"|tell me (more )?about)"
        r"\s+(?P<rest>\S.*?)(,? please)?\s*[?.!]*\s*$",
        r"^\s*what('s|’s| is| was)\s+(?P<rest>\S.*?)\s+about(,? please)?\s*[?.!]*\s*$",
        r"^\s*what (does|did|do)\s+(?P<rest>\S.*?)\s+(say|report|cover|tell (us|me)|talk about"
        r"|discuss)(,? please)?\s*[?.!]*\s*$",
    )
)
# "Does the article mention Amazon?" after "What is the second article about?": that article.
THE_ARTICLE = re.compile(r"\b(?:the|this|that) (?:article|piece|story|document|memo)\b", re.I)
# What calls the words before it an article's name: "the Trend Analysis article".
ARTICLE_NOUN = re.compile(r"(^|\s+)(article|document|story|piece|report|post|memo)s?$", re.I)
# "What obstacles …, according to the Anthropic joint-venture article?", "In the Nscale story, who
# …?": a question asked of one article, named by its title or by what it opens with. Only the
# journalism nouns: "in the 2007 report" or "in the census document" name no article of a news
# collection. `phrase` holds the name, `question` the question without it.
SCOPED = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"^\s*(?P<question>\S.*[^\s,;]),?\s+(according to|in|from) (the|that|this)"
        r" (?P<phrase>[^,;:?!]{1,80}?) (article|piece|story)\s*(?P<end>[?.!]*)\s*$",
        r"^\s*(according to|in) (the|that|this) (?P<phrase>[^,;:?!]{1,80}?) (article|piece|story)"
        r"\s*,\s*(?P<question>\S.*?)\s*$",
    )
)
# "What does the Anthropic joint-venture article say about Wall Street?": asked of that article as
# "What does it say about Wall Street?".
ARTICLE_SAYS = re.compile(
    r"^\s*(?P<wh>what|how|why|when|who|whom|where|which\s+\w+)\s+(?P<aux>does|did|do)\s+"
    r"(?:the|that|this)\s+(?P<phrase>[^,;:?!]{1,80}?)\s+(?:article|piece|story)\s+"
    r"(?P<rest>(?:say|report|write|mention|tell\s+\w+|claim|argue|predict|conclude|suggest)\b.*?)"
    r"\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# "the second article", "the 3rd document", "the last story", "article 2": a document by its place
# in the overview's list (ordered by file name), not by its title. The phrase is what a request
# names an article by once "the" and "article" are gone.
ORDINAL_WORDS = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
)
PLACE = re.compile(
    rf"^(?:(?P<word>{'|'.join(ORDINAL_WORDS)}|last)|(?P<digits>[1-9]\d{{0,2}})(?:st|nd|rd|th)"
    r"|(?:article|document|story|piece|report|post|memo)\s+(?:number\s+|no\.?\s*|#)?"
    r"(?P<number>[1-9]\d{0,2}))(?:\s+one)?$",
    re.IGNORECASE,
)
# What a question calls one document of the collection (not "report", which more often names a
# source's own papers).
_ONE_DOCUMENT = r"(?:article|document|story|piece)"
# "When was the second article published?": a question about one article by its place, asked of
# it. Not "article 34" (a treaty's).
ARTICLE_AT = re.compile(
    rf"\b(?:the|that|this)\s+(?P<phrase>(?:{'|'.join(ORDINAL_WORDS)}|last)|[1-9]\d{{0,2}}"
    rf"(?:st|nd|rd|th))\s+{_ONE_DOCUMENT}\b",
    re.IGNORECASE,
)
# A question naming two ("in the first article and the second") speaks of articles of its own,
# not of one in the collection.
ARTICLE_WORD = re.compile(rf"\b{_ONE_DOCUMENT}s?\b", re.IGNORECASE)
# "What about the third?", "And the last one?", "What about the Nscale one?" after a request for
# one article: another.
NEXT_ARTICLE = re.compile(
    r"^\s*(?:and\s+)?(?:(?:what|how)\s+about\s+)?(?:the\s+)?"
    r"(?P<phrase>[\w'’&-]+(?:\s+[\w'’&-]+){0,5}?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
ONE_NOUN = re.compile(r"\s+(?:one|article|story|piece)$", re.IGNORECASE)
# A title in quotation marks, perhaps called an article: "“Trend Analysis: …” article".
QUOTED_TITLE = re.compile(
    r"[“\"](?P<title>[^”\"]+)[”\"](\s+(article|document|story|piece|report|post|memo)s?)?", re.I
)
# "Which article talks about Adani?": the documents on a subject, found by asking about it (the
# answer cites them). Only verbs of topic: "Which articles state that …" asks a content question.
WHICH_DOC = re.compile(
    rf"^\s*(which|what) (one of the |of the )?{DOCS} "
    r"(talks? about|talked about|writes? about|wrote about|(is|are|was|were) about|reports? on"
    r"|reported on|mentions?|mentioned|discuss(es)?|discussed|covers?|covered|deals? with"
    r"|dealt with|focus(es)? on|refers? to"
    r"|(has|have|contains?) (anything|something|more) (about|on))"
    r" (?P<subject>(?!(that|whether|how|why|when|where|if|what|who)\b)\S.*?)\s*[?.!]*\s*$",
    re.IGNORECASE,
)
# "What's new with OpenAI?", "Any news on Anthropic?": a request about a subject that is a name
# (capitalised; "What happened to the population …?" asks an event and is left as asked).
NEWS_OF = re.compile(
    r"^\s*(?i:(and\s+)?(so\s+)?"
    r"(what(?:['’]?s| is)? (new|happening|going on|up)"
    r"|what(?:['’]?s| is) the (latest|news|story|deal)"
    r"|any (news|updates?)|(the )?latest( news)?|news) (with|on|about|at|for|regarding)"
    r"|what (happened|has happened|is happening) with) "
    r"(?P<subject>(?i:the\s+)?[A-Z][\w.&'’-]*(?:\s+(?:[A-Z0-9][\w.&'’-]*|of|and|&)){0,5})"
    r"\s*[?.!]*\s*$"
)
# A name sent alone ("Skyroot", "EU AI Act", "Orbital Compute?"): what the documents say about
# it. Capitalised words only; a question word or auxiliary opening it makes it a question, and
# "And Microsoft?" asks the question before of Microsoft.
NAME_ALONE = re.compile(
    r"^\s*(?P<subject>(?!(?:What|When|Where|Which|Who|Whom|Whose|Why|How|Is|Are|Was|Were|Do|Does"
    r"|Did|Has|Have|Had|Can|Could|Will|Would|Should|Tell|Please|And|But|Also|Plus|So|Then|Or"
    r"|For|Ok|Okay|Thanks|Yes|No|Hi|Hello|Hey)\b)[A-Z][\w.&'’-]*"
    r"(?:\s+(?:of\s+|&\s+)?[A-Z0-9][\w.&'’-]*){0,3})\s*[?.!]*\s*$"
)
# Words that are common in questions of other languages written in Latin letters and are not
# English words, so that a name or a borrowed word does not make a question foreign.
QUESTION_WORDS_ABROAD = (
    # Spanish
    "qué cuánto cuánta cuántos cuántas cómo dónde cuándo quién quiénes cuál cuáles por para"
    " los las del una es son está están fue fueron tiene tienen hay pero muy también sobre"
    " el y la que se lo su sus",
    # French
    "quoi combien comment où quand pourquoi quel quelle quels quelles qui est sont les des du"
    " une avec pour dans sur cette ces il elle ont été le au aux et ne pas",
    # German
    "wie viel wieviel wer wo wann warum welche welcher welches ist sind hat haben wurde"
    " wurden der das und mit für ein eine einen den dem nicht auch über von zu",
    # Italian and Portuguese
    "quanto quanta quanti quante perché dove chi sono ha hanno della delle degli il gli"
    " quem onde porque são foi tem têm uma não com os da do em",
)
FOREIGN = frozenset(word for line in QUESTION_WORDS_ABROAD for word in line.split())
# A question word of another language that English writes too ("Was ist Nscale?", "Que es …?"),
# read as foreign only when a verb of that language follows it in lower case: "Was Nscale founded
# …?" and "Was la Liga founded …?" are English.
FOREIGN_OPENING = re.compile(
    r"^\W*(?i:was|wer|wie|wo|que|qui|quel|come|cosa|che|chi|dove|quando|o\s+que)\s+"
    r"(?:ist|sind|hat|haben|war|waren|wird|werden|kostet|macht|bedeutet|es|son|fue|fueron|está"
    r"|están|tiene|tienen|hay|est|sont|fait|ont|è|sono|ha|hanno|fa|fanno|foi|são|tem|têm)\b"
)

# Letters only: "H100", "x86" and "e-mail" are no words to respell.
LETTERS_ONLY = re.compile(r"(?<![\w'’-])[A-Za-z]+(?![\w'’-])")
# A prefix that turns a word into its opposite: "uncompromise" is no slip for "compromise".
NEGATIONS = ("un", "in", "im", "il", "ir", "non", "dis", "mis")
# British spellings the American-spelled word list lacks ("analysed", "colour", "centre").
BRITISH = (
    (re.compile(r"is(e|ed|es|ing|ation|ations)$"), r"iz\1"),
    (re.compile(r"ys(e|ed|es|ing)$"), r"yz\1"),
    (re.compile(r"our"), "or"),
    (re.compile(r"tre(s?)$"), r"ter\1"),
    (re.compile(r"ll(ed|ing|er|ers)$"), r"l\1"),
)
