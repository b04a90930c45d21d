"""Word-piece counts for the chunker, remembered per word when the tokenizer allows it."""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

# Python splits on these, while BERT's normalizer deletes them and so joins the words around them.
_JOINED_BY_BERT = re.compile("[\x0b\x0c\x1c-\x1f\x85]")
# BERT reads a word longer than this as one unknown piece, so a text without spaces would count
# as one piece however long, and become one chunk.
_LONGEST_WORD = 100
# What the splitter is told such a word weighs: about one piece per four characters, as in prose,
# so that it is cut into chunks of a normal length.
_CHARS_PER_PIECE = 4


class TokenCounter:
    """The number of word pieces a text has, as the model's tokenizer counts them."""

    def __init__(self, tokenizer: Any, cache_words: int = 1 << 16) -> None:
        # A copy of its own: the chunker runs in the reader thread, and the model's encode
        # sets padding and truncation on the fast tokenizer it shares.
        # A transformers tokenizer wraps a `tokenizers` one; the ONNX model reads with one bare.
        found = getattr(tokenizer, "backend_tokenizer", None)
        if found is None and type(tokenizer).__module__.startswith("tokenizers"):
            found = tokenizer
        backend = copy.deepcopy(found)
        if backend is not None:
            backend.no_truncation()
            backend.no_padding()
        self._backend = backend
        self._tokenizer = tokenizer
        # BERT cuts text at whitespace before anything else and normalises each character on
        # its own, so a text's count is the sum of its words' counts. Words repeat across a
        # corpus, and counting each once halves the chunker's time, which it would otherwise
        # take from the model on the same cores.
        self.per_word = (
            backend is not None
            and type(backend.normalizer).__name__ == "BertNormalizer"
            and type(backend.pre_tokenizer).__name__ == "BertPreTokenizer"
        )
        self._word = functools.lru_cache(maxsize=cache_words)(self._encode)

    def _encode(self, text: str) -> int:
        if self._backend is None:
            return len(self._tokenizer.encode(text, add_special_tokens=False))
        return len(self._backend.encode(text, add_special_tokens=False).ids)

    def count(self, text: str) -> int:
        """Word pieces in the text, special tokens not included; an overlong word by its length."""
        words = text.split()
        whole = not self.per_word or _JOINED_BY_BERT.search(text) is not None
        if not whole and max(map(len, words), default=0) <= _LONGEST_WORD:
            # The common case, summed without a Python-level loop: the splitter counts every
            # paragraph, sentence and piece, and the loop was a quarter of its time.
            return sum(map(self._word, words))
        overlong = sum(len(w) // _CHARS_PER_PIECE for w in words if len(w) > _LONGEST_WORD)
        if whole:
            return self._encode(text) + overlong
        return overlong + sum(self._word(w) for w in words if len(w) <= _LONGEST_WORD)

    def __call__(self, text: str) -> range:
        """A sequence as long as the text's word pieces, which is all the splitter measures."""
        return range(self.count(text))
