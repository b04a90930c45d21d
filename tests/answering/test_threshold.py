"""The threshold `make tune` chooses: the lowest within one standard error of the best."""

from __future__ import annotations

import numpy as np

from bench.tune_confidence import Rows, best_threshold


def _rows(groups: list[tuple[int, bool, bool, float]]) -> tuple[Rows, np.ndarray]:
    """Rows from (count, answerable, right when answered, probability) groups, weight 1 each."""
    answerable, right, p = [], [], []
    for count, can, ok, prob in groups:
        answerable += [can] * count
        right += [ok] * count
        p += [prob] * count
    n = len(p)
    rows = Rows(
        x=np.zeros((n, 1)),
        right=np.array(right),
        answerable=np.array(answerable),
        groups=np.arange(n),
        weights=np.ones(n),
        sets=np.array(["own"] * n),
        words=np.zeros(n),
        off_topic=np.zeros(n, dtype=bool),
    )
    return rows, np.array(p)


def test_the_lowest_threshold_within_noise_of_the_best_is_chosen() -> None:
    rows, p = _rows(
        [
            (10, True, True, 0.45),  # answered right up to 0.45
            (3, False, False, 0.20),  # unanswerable: right once declined, above 0.20
            (4, False, False, 0.35),  # unanswerable: right above 0.35
            (3, True, True, 0.30),  # answered right up to 0.30
        ]
    )
    everything = np.ones(len(p), dtype=bool)
    # Right: 13 up to 0.20, 16 to 0.30, 13 to 0.35, 17 to 0.45 (the most), then 7. At 0.21 the 16
    # differs from the 17 on 7 questions (error 2.6): within noise. At 0.20, 13 on 10 (3.2): not.
    assert best_threshold(p, rows, everything) == 0.21


def test_a_clear_best_is_kept() -> None:
    rows, p = _rows([(10, True, True, 0.60), (10, False, False, 0.40)])
    # 10 right below 0.40, 20 from 0.41 to 0.60: the lower ones differ on 10 questions by 10.
    assert best_threshold(p, rows, np.ones(len(p), dtype=bool)) == 0.41
