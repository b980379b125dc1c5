"""How embeddings are stored: float16, little-endian; one vector, or a bank of rows."""

from __future__ import annotations

from typing import Any

import numpy as np

STORED = "<f2"
BYTES_PER_VALUE = 2


def vector_to_bytes(vector: np.ndarray[Any, Any]) -> bytes:
    """One embedding (or a bank of rows, flattened) in its stored form."""
    return np.asarray(vector, dtype=STORED).tobytes()


def vector_from_bytes(blob: bytes) -> np.ndarray[Any, Any]:
    """A stored embedding back as float32."""
    return np.frombuffer(blob, dtype=STORED).astype(np.float32)


def dimension_of(blob: bytes) -> int:
    """How many values one stored embedding holds."""
    return len(blob) // BYTES_PER_VALUE


def bank_from_bytes(blob: bytes | None, dim: int) -> np.ndarray[Any, Any]:
    """A stored exemplar bank back as float32 rows of ``dim`` values (none for no blob)."""
    if not blob or not dim:
        return np.zeros((0, dim), dtype=np.float32)
    return vector_from_bytes(blob).reshape(-1, dim)
