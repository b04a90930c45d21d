"""Writes rag/answering/antonyms.json: WordNet 3.0's direct antonyms between single words."""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Debian's wordnet-base (`apt-get install wordnet-base`) puts the database here.
WORDNET = Path("/usr/share/wordnet")
OUT = Path(__file__).parents[1] / "rag" / "answering" / "antonyms.json"
POS = ("adj", "adv", "verb", "noun")
NOTICE = """\
WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.

Permission to use, copy, modify and distribute this software and database and its documentation
for any purpose and without fee or royalty is hereby granted, provided that you agree to comply
with the following copyright notice and statements, including the disclaimer, and that the same
appear on ALL copies of the software, database and documentation, including modifications that
you make for internal use or for distribution.

THIS SOFTWARE AND DATABASE IS PROVIDED "AS IS" AND PRINCETON UNIVERSITY MAKES NO REPRESENTATIONS
OR WARRANTIES, EXPRESS OR IMPLIED. BY WAY OF EXAMPLE, BUT NOT LIMITATION, PRINCETON UNIVERSITY
MAKES NO REPRESENTATIONS OR WARRANTIES OF MERCHANTABILITY OR FITNESS FOR ANY PARTICULAR PURPOSE
OR THAT THE USE OF THE LICENSED SOFTWARE, DATABASE OR DOCUMENTATION WILL NOT INFRINGE ANY THIRD
PARTY PATENTS, COPYRIGHTS, TRADEMARKS OR OTHER RIGHTS.

The name of Princeton University or Princeton may not be used in advertising or publicity
pertaining to distribution of the software and/or database. Title to copyright in this software,
database and any associated documentation shall at all times remain with Princeton University and
LICENSEE agrees to preserve same."""

Synset = tuple[list[str], list[tuple[str, str, str]]]


def _synsets(path: Path) -> dict[str, Synset]:
    """Each synset's words and antonym pointers (target offset, source word, target word)."""
    found: dict[str, Synset] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        if line.startswith("  "):  # the licence header
            continue
        fields = line.split(" | ")[0].split()
        count = int(fields[3], 16)
        words = [fields[4 + 2 * i] for i in range(count)]
        at = 4 + 2 * count
        pointers = []
        for i in range(int(fields[at])):
            symbol, target, _, source_target = fields[at + 1 + 4 * i : at + 5 + 4 * i]
            if symbol == "!":
                pointers.append((target, source_target[:2], source_target[2:]))
        found[fields[0]] = (words, pointers)
    return found


def _word(entry: str) -> str | None:
    # "good(a)" marks an adjective's position; phrases and hyphenated forms match no single word.
    word = entry.split("(")[0].lower()
    return word if word.isalpha() else None


def antonym_pairs(folder: Path) -> list[tuple[str, str]]:
    """Sorted pairs of single words that WordNet lists as each other's direct antonyms."""
    pairs: set[tuple[str, str]] = set()
    for pos in POS:
        synsets = _synsets(folder / f"data.{pos}")
        for words, pointers in synsets.values():
            for target, source, other in pointers:
                if target not in synsets:
                    continue
                a = _word(words[int(source, 16) - 1])
                b = _word(synsets[target][0][int(other, 16) - 1])
                if a and b and a != b:
                    pairs.add((min(a, b), max(a, b)))
    return sorted(pairs)


def main() -> int:
    """Read the database, write the pairs with WordNet's licence beside them."""
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else WORDNET
    if not (folder / "data.adj").is_file():
        print(f"no WordNet database in {folder}: apt-get install wordnet-base", file=sys.stderr)
        return 2
    pairs = antonym_pairs(folder)
    head = {
        "source": "WordNet 3.0 (Princeton University): direct antonyms between single words",
        "notice": NOTICE,
    }
    # One pair a line, so that a new WordNet shows as a readable diff.
    lines = ",\n".join(json.dumps(list(pair)) for pair in pairs)
    OUT.write_text(json.dumps(head, indent=1)[:-2] + ',\n "pairs": [\n' + lines + "\n]}\n", "utf-8")
    print(f"wrote {len(pairs)} pairs to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
