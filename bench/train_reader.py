"""Trains the trial answer reader on squad2-train2 and its near misses; writes bf16 weights.

The packaged all-MiniLM-L6-v2 with every layer fine-tuned and a linear head on the mean-pooled
output of `tokenizer(question, sentence)` (128 word pieces), BCE loss, AdamW (encoder 3e-5,
head 1e-3, linear warmup and decay), batch 32, 3 epochs, bfloat16 autocast on the CPU. Pairs:
the answerer's top-3 ranked sentences of every question, labelled by whether the question is
answerable and the sentence holds its key facts. Data: squad2-train2 and the near-miss questions
of squad2-train2-nearmiss only, so that the trials that stack it under the decision
(`bench/decision_trial.py`, `bench/rerank_trial.py`, `bench/reader_veto_trial.py`) judge it on
articles it never saw (squad2-train, its near misses, the own set). Measuring sets are not read.

Usage: RAG_BENCHMARKS=../shared/benchmarks PYTHONPATH=. python bench/train_reader.py [--epochs N]
       [--synonyms 0.5 --out build/reader-syn.safetensors]   (questions paraphrased by WordNet)
       [--sets squad2-train squad2-train-nearmiss]   (the mirror, for bench/decision_trial.py xfit)
Writes build/reader.safetensors (45.4 MB). Run time: 31 minutes on the 2-core machine (14,391
pairs, 2,498 positive; about 25 training pairs/s; 3.9 GB peak memory).
"""

from __future__ import annotations

import argparse
import math
import random
import time
from pathlib import Path

import torch
from safetensors.torch import save_file

from bench.fitting_cases import Case, fitting_set
from bench.reader_model import WEIGHTS, base_model_path, build, tokenize
from rag.answering.extractive import Choice

TOP = 3
BATCH = 32
LR = 3e-5
HEAD_LR = 1e-3
WARMUP = 0.1
SEED = 0
SETS = ("squad2-train2", "squad2-train2-nearmiss")

Pair = tuple[str, str, float]


def pairs_of(case: Case, choice: Choice) -> list[Pair]:
    """The answerer's top distinct sentences for a case, each labelled 1.0 if it answers."""
    q = case.question
    out: list[Pair] = []
    for s in choice.scored:
        if s.candidate.text in {p[1] for p in out}:
            continue
        label = q.answerable and q.answered_by(s.candidate.text)
        out.append((case.text, s.candidate.text, float(label)))
        if len(out) >= TOP:
            break
    return out


def training_pairs(sets: tuple[str, ...] = SETS) -> list[Pair]:
    """Every training pair; of a near-miss set only its near misses (the rest repeat its base)."""
    pairs: list[Pair] = []
    for name in sets:
        found = fitting_set(name)
        for case in found.cases:
            if name.endswith("-nearmiss") and case.question.kind != "near-miss":
                continue
            pairs.extend(pairs_of(case, found.choice(case)))
    return pairs


def new_reader(path: str) -> tuple[torch.nn.Module, torch.optim.AdamW]:
    """A fresh reader from the packaged weights, and its optimiser."""
    model = build(path, pretrained=True)
    opt = torch.optim.AdamW(
        [
            {"params": model.encoder.parameters(), "lr": LR},
            {"params": model.head.parameters(), "lr": HEAD_LR},
        ],
        weight_decay=0.01,
    )
    return model, opt


def step(
    model: torch.nn.Module, opt: torch.optim.Optimizer, tok: object, chunk: list[Pair]
) -> float:
    """One optimiser step on a batch, under bf16 autocast; the loss."""
    batch = tokenize(tok, [(q, s) for q, s, _ in chunk])
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = model(batch)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        logits.float(), torch.tensor([c[2] for c in chunk])
    )
    opt.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    return float(loss.item())


def train(path: str, tok: object, pairs: list[Pair], epochs: int, seed: int) -> torch.nn.Module:
    """A reader fine-tuned (every layer) on the pairs."""
    torch.manual_seed(seed)
    rng = random.Random(seed)
    model, opt = new_reader(path)
    steps = epochs * math.ceil(len(pairs) / BATCH)
    warmup = max(1, int(WARMUP * steps))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup)))
    )
    model.train()
    started = time.perf_counter()
    done = 0
    for epoch in range(epochs):
        order = pairs[:]
        rng.shuffle(order)
        total = 0.0
        for i in range(0, len(order), BATCH):
            chunk = order[i : i + BATCH]
            total += step(model, opt, tok, chunk) * len(chunk)
            schedule.step()
            done += len(chunk)
            if (i // BATCH) % 100 == 0:
                elapsed = time.perf_counter() - started
                print(
                    f"  seed {seed} epoch {epoch} {i}/{len(order)} {elapsed:.0f} s "
                    f"{done / elapsed:.1f} pairs/s",
                    flush=True,
                )
        elapsed = time.perf_counter() - started
        print(
            f"  seed {seed} epoch {epoch} mean loss {total / len(order):.4f}; "
            f"{elapsed:.0f} s, {done / elapsed:.1f} pairs/s",
            flush=True,
        )
    return model


def save(model: torch.nn.Module, target: Path) -> None:
    """The weights in bfloat16 (half the bytes; the answerer reads them back in float32)."""
    state = {k: v.detach().to(torch.bfloat16).contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(target))


def main() -> None:
    """Collect the pairs, train, write the weights."""
    from transformers import AutoTokenizer

    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    parser.add_argument(
        "--synonyms",
        type=float,
        default=0.0,
        help="share of pairs whose question has the words it shares with the sentence swapped "
        "for WordNet synonyms (bench/synonyms.py; needs Debian's wordnet-base)",
    )
    parser.add_argument(
        "--sets",
        nargs="+",
        default=list(SETS),
        help="the fitting sets to train on (the mirror: squad2-train squad2-train-nearmiss)",
    )
    args = parser.parse_args()
    torch.set_num_threads(2)
    started = time.perf_counter()
    pairs = training_pairs(tuple(args.sets))
    if args.synonyms:
        from bench.synonyms import first_sense_synonyms, swap_shared

        synonyms = first_sense_synonyms()
        rng = random.Random(SEED)
        pairs = [
            (swap_shared(q, s, synonyms, rng) if rng.random() < args.synonyms else q, s, y)
            for q, s, y in pairs
        ]
    print(
        f"{len(pairs)} training pairs, {int(sum(p[2] for p in pairs))} positive; "
        f"read in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    path = base_model_path()
    model = train(path, AutoTokenizer.from_pretrained(path), pairs, args.epochs, SEED)
    save(model, args.out)
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({size:.1f} MB) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
