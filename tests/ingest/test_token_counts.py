"""The chunker's word-piece counts: the same as the model's tokenizer, word cache or not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import transformers
from llama_index.core import Document
from llama_index.core.node_parser import SentenceSplitter
from tokenizers import Tokenizer, models, pre_tokenizers, trainers
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from rag.ingest.token_counts import TokenCounter
from rag.search.embeddings import model_path
from rag.text import sentence_spans
from tests.fixtures import SEEDS, make_settings

# Characters where Python's split and BERT's normaliser disagree, accents, CJK, emoji.
ODD = [
    "a\x0cb c",
    "x\x85y and\x1fz",
    "no\u00a0break",
    "line\u2028sep",
    "中文字符 mixed",
    "cafe\u0301 naïve",
    "zero\u200bwidth",
    "\u0301leading mark",
    "👍🏽 thumbs",
    "tab\tnew\nline  double",
    "",
]


@pytest.fixture(scope="module")
def hf_tokenizer() -> Any:
    """The packaged model's transformers tokenizer, as sentence-transformers (torch) reads with."""
    return AutoTokenizer.from_pretrained(str(model_path(make_settings(Path("unused")).embedding)))


def seed_texts() -> list[str]:
    """Every seed article whole, and each of its sentences."""
    texts = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        texts.append(text)
        texts += [text[start:end] for start, end in sentence_spans(text)]
    return texts


def test_word_counts_equal_the_tokenizer_on_seeds_and_odd_text(hf_tokenizer: Any) -> None:
    tokenizer = hf_tokenizer
    counter = TokenCounter(tokenizer)
    assert counter.per_word is True
    texts = seed_texts() + ODD
    got = [counter.count(t) for t in texts]
    want = [len(tokenizer.encode(t, add_special_tokens=False)) for t in texts]
    assert got == want
    assert counter.count("a\x0cb") == 1  # BERT deletes the form feed and reads one word
    assert len(counter("Adani will invest")) == counter.count("Adani will invest") == 4  # ada ##ni


def test_chunks_are_the_same_as_with_the_plain_tokenizer(hf_tokenizer: Any) -> None:
    tokenizer = hf_tokenizer
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))

    def chunks(count: Any) -> list[str]:
        splitter = SentenceSplitter(chunk_size=120, chunk_overlap=16, tokenizer=count)
        return [n.get_content() for n in splitter.get_nodes_from_documents([Document(text=text)])]

    cached = chunks(TokenCounter(tokenizer))
    assert len(cached) > 20
    assert cached == chunks(lambda s: tokenizer.encode(s, add_special_tokens=False))


def test_a_tokenizer_that_is_not_bert_is_counted_whole() -> None:
    # Byte-level BPE keeps the space before a word in its token: per-word sums would be wrong.
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.train_from_iterator(seed_texts(), trainers.BpeTrainer(vocab_size=400))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe)
    counter = TokenCounter(tokenizer)
    assert counter.per_word is False
    texts = seed_texts()[:40] + ODD
    assert [counter.count(t) for t in texts] == [
        len(tokenizer.encode(t, add_special_tokens=False)) for t in texts
    ]


def test_a_slow_tokenizer_is_counted_whole(hf_tokenizer: Any) -> None:
    # A model folder may load a pure-Python tokenizer, which has no backend to copy
    # (transformers 5 names BERT's "Legacy"; in 4 the plain name was the pure-Python one).
    slow = getattr(transformers, "BertTokenizerLegacy", None) or transformers.BertTokenizer
    vocab = Path(hf_tokenizer.vocab_file)
    tokenizer = slow(vocab_file=str(vocab))
    counter = TokenCounter(tokenizer)
    assert counter.per_word is False
    texts = seed_texts()[:40] + ODD
    assert [counter.count(t) for t in texts] == [
        len(hf_tokenizer.encode(t, add_special_tokens=False)) for t in texts
    ]


def test_a_word_too_long_for_bert_counts_by_its_length(hf_tokenizer: Any) -> None:
    # BERT reads a word over 100 characters as one unknown piece: text without spaces would be
    # one chunk, however long, and its title and citations with it.
    tokenizer = hf_tokenizer
    word = "x" * 4000
    assert len(tokenizer.encode(word, add_special_tokens=False)) == 1
    counter = TokenCounter(tokenizer)
    assert counter.count(f"Adani {word}") == 2 + 1000
    splitter = SentenceSplitter(chunk_size=120, chunk_overlap=16, tokenizer=counter)
    nodes = splitter.get_nodes_from_documents([Document(text=f"Adani will invest. {word}")])
    lengths = [len(n.get_content()) for n in nodes]
    assert (len(lengths), max(lengths)) == (39, 134)
