"""Trial of answer-decision variants on every fitting set, near-miss sets included (issue 26).

Nested 5-fold cross-validation grouped by article (an article's questions, in a set and in its
near-miss variant, stay in one fold), the threshold chosen on the training folds only, as
`bench/tune_confidence.py` does. Prints, per variant and fitting set: nested right answers,
answerable questions declined, and near misses declined. Measuring sets are not read.
Usage: PYTHONPATH=. python bench/decision_trial.py [variant ...]; the variants named with
"reader" read the trial reader's weights (build/reader.safetensors, bench/train_reader.py).
The "xfit" variants fit the decision on all four SQuAD fitting sets, each read by the reader that
never saw it: READER_WEIGHTS (trained on squad2-train2 and its near misses) for squad2-train and
its near misses, MIRROR_WEIGHTS (build/reader-mirror.safetensors, `bench/train_reader.py --sets
squad2-train squad2-train-nearmiss`) for squad2-train2 and its near misses, their mean for the
own set; a run that names an xfit variant reads every variant's reader column that way.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

from bench.fitting_cases import CaseSet, best_pair, fitting_set, read_best
from rag.answering.confidence import FEATURES
from rag.answering.extractive import Choice
from rag.text import QUESTION_WORDS, terms

SETS = ("squad2-train", "squad2-train2", "squad2-train-nearmiss", "squad2-train2-nearmiss", "own")
MIRROR = Path(os.environ.get("MIRROR_WEIGHTS") or "build/reader-mirror.safetensors")
FOLDS = 5
THRESHOLDS = np.round(np.arange(0.05, 0.951, 0.01), 2)


def candidates(question: str, choice: Choice) -> dict[str, float]:
    """The features tried here beside the decision's own (not in rag/answering/confidence.py)."""
    q_terms = set(terms(question)) - QUESTION_WORDS
    best = choice.scored[0].candidate
    passages = "\n".join(dict.fromkeys(s.candidate.passage.text for s in choice.scored))

    def share(found: set[str] | frozenset[str]) -> float:
        return sum(q in found for q in q_terms) / len(q_terms) if q_terms else 1.0

    return {
        "sentence_coverage": share(best.terms),
        # A near miss has lost, with its passage, the question's words only that passage had.
        "terms_found": share(set(terms(passages))),
        # A count, unbounded: fitted on SQuAD's short questions, it raised every long question's
        # confidence on the measuring sets (docs/quality.md); kept here to show it.
        "question_terms": float(len(q_terms)),
    }


@dataclass
class Table:
    """Every fitting question's features (by name), label and bookkeeping."""

    names: list[str]
    x: np.ndarray
    right: np.ndarray
    answerable: np.ndarray
    near_miss: np.ndarray
    groups: np.ndarray
    sets: np.ndarray
    off_topic: np.ndarray
    # Each question with the answerer's best sentence ("" when it ranked none), as a reader reads.
    best: list[tuple[str, str]]

    def columns(self, names: list[str]) -> np.ndarray:
        """The feature columns of these names."""
        return self.x[:, [self.names.index(n) for n in names]]


def table(found: list[CaseSet], reader: bool = False, crossfit: bool = False) -> Table:
    """The answerer's own choice for every question of every set, with all its features.

    With reader, a last column holds the trial reader's logit for (question, best sentence);
    with crossfit, each set's from the reader that never saw it.
    """
    x, right, answerable, near, groups, sets, off = [], [], [], [], [], [], []
    names: list[str] = []
    best: list[tuple[str, str]] = []
    for cases in found:
        for case in cases.cases:
            choice = cases.choice(case)
            best.append(best_pair(case, choice))
            values = choice.values | candidates(case.text, choice) if choice.values else {}
            if not names and values:
                names = sorted(values)
            quote = " ".join(s.candidate.text for s in choice.chosen)
            q = case.question
            x.append([values.get(n, 0.0) for n in names] if values else None)
            right.append(bool(choice.chosen) and q.answerable and q.answered_by(quote))
            answerable.append(q.answerable)
            near.append(q.kind == "near-miss")
            groups.append(case.group)
            sets.append(cases.name)
            off.append(choice.off_topic or not choice.chosen)
    width = len(names)
    rows = np.array([r if r is not None else [0.0] * width for r in x], dtype=float)
    if reader:
        names.append("reader")
        rows = np.column_stack([rows, np.zeros(len(rows))])
        read = [i for i, (_, sentence) in enumerate(best) if sentence]
        rows[read, -1] = read_best([best[i] for i in read])
        if crossfit:
            # The mirror reads only the rows it never saw: squad2-train2's sets and the own set.
            unseen = [i for i in read if sets[i].startswith("squad2-train2") or sets[i] == "own"]
            mirror = np.array(read_best([best[i] for i in unseen], MIRROR))
            own = np.array([sets[i] == "own" for i in unseen])
            rows[unseen, -1] = np.where(own, (mirror + rows[unseen, -1]) / 2, mirror)
    return Table(
        names,
        rows,
        np.array(right),
        np.array(answerable),
        np.array(near),
        np.array(groups),
        np.array(sets),
        np.array(off, dtype=bool),
        best,
    )


def fitted_once(t: Table) -> np.ndarray:
    """Every row but a near-miss set's repeats of its source set's SQuAD unanswerables."""
    repeats: np.ndarray = (
        np.isin(t.sets, ["squad2-train-nearmiss", "squad2-train2-nearmiss"])
        & ~t.answerable
        & ~t.near_miss
    )
    return ~repeats


def declined(p: np.ndarray, t: Table, threshold: float, mask: np.ndarray) -> int:
    """How many answerable questions of mask a threshold declines (the hard rule's too)."""
    return int((mask & t.answerable & ~((p >= threshold) & ~t.off_topic)).sum())


def highest_threshold(
    p: np.ndarray, t: Table, allowed: float, grid: np.ndarray, mask: np.ndarray
) -> float:
    """The highest threshold of grid declining at most `allowed` answerable questions of mask."""
    return float(max(th for th in grid if declined(p, t, th, mask) <= allowed))


def weights(t: Table, own_share: float, fit_on: np.ndarray) -> np.ndarray:
    """SQuAD rows weigh one each; the own set weighs own_share of the fitted SQuAD rows' total."""
    squad = t.sets != "own"
    w = np.ones(len(t.right))
    w[~squad] = own_share * (squad & fit_on).sum() / max(1, (~squad).sum())
    return w


def outcomes(p: np.ndarray, t: Table, threshold: float) -> np.ndarray:
    """Right per question: the quote holds the facts, or a decline where nothing answers."""
    answered = (p >= threshold) & ~t.off_topic
    return np.where(answered, t.right, ~t.answerable)


def best_threshold(p: np.ndarray, t: Table, w: np.ndarray, mask: np.ndarray) -> float:
    """The lowest threshold within one standard error of the best (tune_confidence's rule)."""
    right = np.stack([outcomes(p, t, th)[mask] * w[mask] for th in THRESHOLDS])
    totals = right.sum(axis=1)
    best = int(np.argmax(totals))
    error = np.sqrt(((right - right[best]) ** 2).sum(axis=1))
    return float(THRESHOLDS[int(np.flatnonzero(totals >= totals[best] - error).min())])


Fit = Callable[[np.ndarray, np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]]


def logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """tune_confidence's model: standardised logistic regression."""
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=1.0, max_iter=2000).fit(
        np.nan_to_num(scaler.transform(x)), y, sample_weight=w
    )
    return lambda z: model.predict_proba(np.nan_to_num(scaler.transform(z)))[:, 1]


def boosted(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, monotone: list[int] | None = None
) -> Callable[[np.ndarray], np.ndarray]:
    """Shallow gradient-boosted trees: interactions the linear model cannot draw."""
    model = HistGradientBoostingClassifier(
        max_depth=3,
        max_iter=150,
        learning_rate=0.05,
        min_samples_leaf=40,
        random_state=0,
        monotonic_cst=monotone,
    ).fit(x, y, sample_weight=w)
    return lambda z: model.predict_proba(z)[:, 1]


def nested(
    t: Table, x: np.ndarray, fit: Fit, fit_on: np.ndarray, w: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whether each question is right and answered, by a model and threshold of other folds."""
    held = np.zeros(len(t.right), dtype=bool)
    answered = np.zeros(len(t.right), dtype=bool)
    oof = np.zeros(len(t.right))
    for train, test in GroupKFold(n_splits=FOLDS).split(x, t.right, t.groups):
        seen = train[~t.off_topic[train] & fit_on[train]]
        predict = fit(x[seen], t.right[seen], w[seen])
        p = predict(x)
        inner = np.zeros(len(t.right), dtype=bool)
        inner[train] = True
        inner &= fit_on
        threshold = best_threshold(p, t, w, inner)
        held[test] = outcomes(p, t, threshold)[test]
        answered[test] = ((p >= threshold) & ~t.off_topic)[test]
        oof[test] = p[test]
    return held, answered, oof


def report(label: str, t: Table, held: np.ndarray, answered: np.ndarray, oof: np.ndarray) -> None:
    """One line per set: nested right, answerable declined, near misses declined; then AUCs."""
    parts = []
    for name in SETS:
        m = t.sets == name
        false_declines = (m & t.answerable & ~answered).sum()
        nm = m & t.near_miss
        part = f"{name} {held[m].sum()}/{m.sum()}"
        if nm.any():
            part += f" nm {held[nm].sum()}/{nm.sum()}"
        part += f" fd {int(false_declines)}"
        parts.append(part)
    print(f"{label:38s} " + " | ".join(parts), flush=True)
    # How well the out-of-fold confidence ranks right quotes above the rest, threshold aside.
    aucs = []
    for name in SETS:
        m = (t.sets == name) & ~t.off_topic
        aucs.append(f"{name} {roc_auc_score(t.right[m], oof[m]):.3f}")
    m = (t.near_miss | t.right) & ~t.off_topic
    aucs.append(f"right-vs-near-miss {roc_auc_score(t.right[m], oof[m]):.3f}")
    print(f"{'':38s} AUC " + " | ".join(aucs), flush=True)


def at_equal_declines(t: Table, oofs: dict[str, np.ndarray], fitted: np.ndarray) -> None:
    """Out-of-fold right answers at thresholds that decline the same share of answerable SQuAD."""
    squad = np.isin(t.sets, ["squad2-train", "squad2-train2"])
    near_sets = np.isin(t.sets, ["squad2-train-nearmiss", "squad2-train2-nearmiss"]) & fitted
    own = t.sets == "own"
    grid = np.round(np.arange(0.02, 0.95, 0.005), 3)
    for rate in (0.08, 0.10, 0.12):
        allowed = int(rate * (squad & t.answerable).sum())
        for label, p in oofs.items():
            th = highest_threshold(p, t, allowed, grid, squad)
            out = outcomes(p, t, th)
            print(
                f"fd<={allowed} ({rate:.0%}) {label:28s} th {th:.3f} squad {out[squad].sum()} "
                f"near-miss sets {out[near_sets].sum()} (near misses "
                f"{out[near_sets & t.near_miss].sum()}/{(near_sets & t.near_miss).sum()}, "
                f"fd {declined(p, t, th, near_sets)}) "
                f"own {out[own].sum()}",
                flush=True,
            )


def with_columns(t: Table, names: Sequence[str], rows: np.ndarray) -> Table:
    """The table with a trial's feature columns added."""
    t.x = np.column_stack([t.x, rows])
    t.names = [*t.names, *names]
    return t


def compare(t: Table, variants: dict[str, list[str]], shares: Sequence[float] = (0.5,)) -> None:
    """Each variant's nested figures, then out of fold at equal false declines, per own share."""
    once = fitted_once(t)
    for share in shares:
        oofs = {}
        for label, names in variants.items():
            w = weights(t, share, once)
            held, answered, oof = nested(t, t.columns(names), logistic, once, w)
            report(f"{label}, own {share}", t, held, answered, oof)
            oofs[label] = oof
        at_equal_declines(t, oofs, once)


def main(wanted: list[str]) -> None:
    """Each variant's nested figures."""
    started = time.perf_counter()
    # The reader's weights are not committed (bench/train_reader.py): read only when asked for.
    reader = any("reader" in w or "xfit" in w for w in wanted)
    crossfit = any("xfit" in w for w in wanted)
    t = table([fitting_set(name) for name in SETS], reader, crossfit)
    print(f"{len(t.right)} questions, features in {time.perf_counter() - started:.0f} s")
    base = list(FEATURES)
    extra = [n for n in t.names if n not in FEATURES and n != "reader"]
    old_sets = np.isin(t.sets, ["squad2-train", "own"])
    everything = np.ones(len(t.right), dtype=bool)
    # The near-miss sets repeat their source set's SQuAD unanswerables: fitted once, not twice.
    once = fitted_once(t)
    # The reader was trained on squad2-train2 and its near misses: fitted and judged on the rest.
    unseen = once & np.isin(t.sets, ["squad2-train", "squad2-train-nearmiss", "own"])
    variants: dict[str, tuple[list[str], Fit, np.ndarray, float]] = {
        "lr, train+own (today)": (base, logistic, old_sets, 1.0),
        "lr+reader, train+own": ([*base, "reader"], logistic, old_sets, 1.0),
        "lr+reader, train+nm+own, own 1": ([*base, "reader"], logistic, unseen, 1.0),
        "lr+reader, train+nm+own, own 1/2": ([*base, "reader"], logistic, unseen, 0.5),
        "lr+reader, train+nm+own, own 2/3": ([*base, "reader"], logistic, unseen, 2 / 3),
        "lr+reader, train+nm+own, own 3/4": ([*base, "reader"], logistic, unseen, 0.75),
        "lr+reader, train+own, own 3/4": ([*base, "reader"], logistic, old_sets, 0.75),
        "lr, train+nm+own, own 1": (base, logistic, unseen, 1.0),
        "xfit lr, once, own 1/2": (base, logistic, once, 0.5),
        "xfit lr+reader, once, own 1/2": ([*base, "reader"], logistic, once, 0.5),
        "xfit lr, once, own 1": (base, logistic, once, 1.0),
        "xfit lr+reader, once, own 1": ([*base, "reader"], logistic, once, 1.0),
        "lr, all sets, own 1/2": (base, logistic, everything, 0.5),
        "gbdt+new, all sets, own 1/4": (base + extra, boosted, everything, 0.25),
        "lr+new, all sets, own 1/4": (base + extra, logistic, everything, 0.25),
        "lr+new, once, own 1/4": (base + extra, logistic, once, 0.25),
        "lr+new, once, own 1/2": (base + extra, logistic, once, 0.5),
        "lr+new, once, own 1": (base + extra, logistic, once, 1.0),
    }
    for drop in extra:
        kept = [n for n in base + extra if n != drop]
        variants[f"lr+new-{drop}, once, own 1/2"] = (kept, logistic, once, 0.5)
    for label, (names, fit, fit_on, own_share) in variants.items():
        if wanted and not any(w in label for w in wanted):
            continue
        if not set(names) <= set(t.names):
            print(f"{label:38s} skipped: name a variant with 'reader' to read its column")
            continue
        w = weights(t, own_share, fit_on)
        report(label, t, *nested(t, t.columns(names), fit, fit_on, w))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main(sys.argv[1:])
