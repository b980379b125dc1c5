"""Synthetic ranch generation speed at 1920x1080 on this machine.

Prints photos/s of ``thumper synth`` (all cores) and its ratio to a baseline measured in the
same process: encoding the camera's empty background as a JPEG with the same quality, once per
photo, on all cores — the floor set by writing the files at all.

    .venv/bin/python benchmarks/bench_synth.py [--images 200]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from thumper_tui.synth.ranch import JPEG_QUALITY, RanchOptions, generate
from thumper_tui.synth.scene import background, make_scene

SIZE = (1920, 1080)


def _encode(index: int) -> int:
    spec = make_scene(np.random.default_rng(index % 6), index % 6)
    buffer = io.BytesIO()
    background(spec, SIZE).save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.tell()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=200)
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    with ProcessPoolExecutor(cores) as pool:
        list(pool.map(_encode, range(12)))  # backgrounds cached in each worker
        start = time.perf_counter()
        list(pool.map(_encode, range(args.images)))
        floor = args.images / (time.perf_counter() - start)
    print(f"{'baseline: JPEG encode only':<30} {floor:7.1f} photos/s   1.00x")
    with tempfile.TemporaryDirectory() as tmp:
        result = generate(Path(tmp) / "ranch", RanchOptions(images=args.images, size=SIZE))
    rate = result.images_per_second
    print(
        f"{'thumper synth 1920x1080':<30} {rate:7.1f} photos/s   {rate / floor:.2f}x"
        f"   ({result.animals} animals, {cores} cores)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
