"""The assignment problem: pair rows with columns so the total weight is largest.

The Hungarian method (Kuhn-Munkres with potentials, O(n^2 m)); small enough to keep here rather
than depend on SciPy for one function.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def max_weight_pairs(weights: np.ndarray[Any, Any]) -> list[tuple[int, int]]:
    """(row, column) pairs, each row and column at most once, maximising the summed weight.

    Pairs of weight 0 or less are left out of the answer.
    """
    rows, cols = weights.shape
    if rows == 0 or cols == 0:
        return []
    transposed = rows > cols
    w = weights.T if transposed else weights
    n, m = w.shape  # n <= m
    cost = (w.max() - w).astype(np.float64)
    u, v = np.zeros(n + 1), np.zeros(m + 1)
    match = np.zeros(m + 1, dtype=int)  # match[j] = row (1-based) assigned to column j
    way = np.zeros(m + 1, dtype=int)
    for i in range(1, n + 1):
        match[0], j0 = i, 0
        minv = np.full(m + 1, np.inf)
        used = np.zeros(m + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = match[j0]
            delta, j1 = np.inf, 0
            for j in range(1, m + 1):
                if used[j]:
                    continue
                cur = cost[i0 - 1, j - 1] - u[i0] - v[j]
                if cur < minv[j]:
                    minv[j], way[j] = cur, j0
                if minv[j] < delta:
                    delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[match[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if match[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            match[j0] = match[j1]
            j0 = j1
    pairs = []
    for j in range(1, m + 1):
        if match[j]:
            r, c = match[j] - 1, j - 1
            if w[r, c] > 0:
                pairs.append((c, r) if transposed else (r, c))
    return sorted(pairs)
