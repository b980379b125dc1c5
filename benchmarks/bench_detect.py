"""Detection speed of the engine's ``Detector`` on this machine, by precision, batch and layout.

Decodes a small synthetic ranch at 1920x1080 the way the engine does, then times the shipped
demo detector on the same frames in several ways and prints images/s with its ratio to a
baseline measured in the same process: float32, batch 1 on the CPU; on a GPU (``--device cuda``
or ``auto`` where torch sees one) the baseline is float32 batch 1 on that GPU, and each GPU line
adds NVML's mean utilisation and the most memory it saw in use (read through the engine's one
NVML seam, ``telemetry.nvml``).

    .venv/bin/python benchmarks/bench_detect.py [--images 64] [--device auto]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from thumper_tui.detector.decode import decode_for_model
from thumper_tui.detector.inference import Detector
from thumper_tui.synth.ranch import RanchOptions, generate
from thumper_tui.telemetry.nvml import GpuSampler

Frames = list[Any]


@contextmanager
def gpu_watch(sampler: GpuSampler | None, readings: list[tuple[float, int]]) -> Iterator[None]:
    """Sample GPU 0 every 0.2 s while the block runs: (util %, memory used bytes)."""
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.2):
            state = sampler.sample() if sampler else None
            if state and state.gpus:
                gpu = state.gpus[0]
                readings.append((gpu.util_percent or 0.0, gpu.memory_used))

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def rate(detector: Detector, frames: Frames, repeats: int) -> float:
    detector.detect(frames[: max(detector.batch, 4)])  # warm-up: kernels, allocator
    started = time.perf_counter()
    for _ in range(repeats):
        detector.detect(frames)
    return repeats * len(frames) / (time.perf_counter() - started)


def channels_last(detector: Detector) -> None:
    """Weights and every input in channels-last layout (what DESIGN.md's CPU figure used)."""
    import torch

    module = detector.model.model
    module.to(memory_format=torch.channels_last)
    module.register_forward_pre_hook(
        lambda _m, args: (args[0].contiguous(memory_format=torch.channels_last), *args[1:])
    )


def variants(device: str) -> list[tuple[str, bool, int, Callable[[Detector], None] | None]]:
    """(label, half, batch, preparation); the first is the baseline."""
    if device.startswith("cuda"):
        return [
            ("float32, batch 1", False, 1, None),
            ("half, batch 1", True, 1, None),
            ("float32, batch 16", False, 16, None),
            ("half, batch 16", True, 16, None),
            ("half, batch 32", True, 32, None),
            ("half, batch 64", True, 64, None),
        ]
    return [
        ("float32, batch 1", False, 1, None),
        ("float32, batch 4", False, 4, None),
        ("channels-last, batch 1", False, 1, channels_last),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=64)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ranch = generate(Path(tmp) / "ranch", RanchOptions(images=args.images, seed=77)).out
        frames = [decode_for_model(p, 512).array for p in sorted(ranch.glob("*/*.jpg"))]
    device = Detector(None, device=args.device).device
    sampler = GpuSampler() if device.startswith("cuda") else None
    repeats = 5 if sampler else 3
    baseline = 0.0
    for label, half, batch, prepare in variants(device):
        detector = Detector(None, device=device)
        detector.half, detector.batch = half, batch
        if prepare:
            prepare(detector)
        readings: list[tuple[float, int]] = []
        with gpu_watch(sampler, readings):
            speed = rate(detector, frames, repeats)
        baseline = baseline or speed
        gpu = ""
        if readings:
            util = sum(r[0] for r in readings) / len(readings)
            gpu = f"   GPU {util:3.0f}% busy, {max(r[1] for r in readings) / 2**30:5.2f} GiB"
        print(f"{label:<24} {device:<7} {speed:7.1f} images/s   {speed / baseline:5.2f}x{gpu}")
    if sampler:
        sampler.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
