"""Telemetry: NVML through its one seam (a fake with two GPUs, and this machine's real no-GPU
path), host readings from psutil, and the samples workers store for other dashboards."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncEngine

from tests.fake_nvml import FakeGpu, FakeNvml
from thumper_tui.engine.workers import register_worker
from thumper_tui.store.types import utcnow
from thumper_tui.telemetry.host import sample_host
from thumper_tui.telemetry.nvml import GpuSampler
from thumper_tui.telemetry.samples import (
    Sample,
    prune_samples,
    record_sample,
    samples_since,
    throughput_series,
)
from thumper_tui.telemetry.snapshots import GpuState


def test_two_gpus_become_frozen_snapshots() -> None:
    fake = FakeNvml([FakeGpu(util=87), FakeGpu(name="NVIDIA L4", util=3, pids=[], used=0)])
    sampler = GpuSampler(fake)
    state = sampler.sample()
    assert state.available and state.reason is None
    first, second = state.gpus
    assert (first.index, first.name, first.util_percent) == (0, "NVIDIA H200", 87.0)
    assert first.power_w == 412.0 and first.power_limit_w == 700.0
    assert first.sm_clock_mhz == 1980 and first.temperature_c == 61.0
    assert [p.pid for p in first.processes] == [4242]
    assert round(first.memory_percent, 1) == round(100 * 40 / 141, 1)
    assert (second.name, second.util_percent, second.processes) == ("NVIDIA L4", 3.0, ())
    sampler.sample()
    assert fake.init_calls == 1  # initialised lazily, once
    sampler.close()
    assert fake.shutdowns == 1


def test_a_reading_the_device_lacks_is_none_not_an_error() -> None:
    state = GpuSampler(FakeNvml([FakeGpu(temperature=None, power_mw=None)])).sample()
    assert state.gpus[0].temperature_c is None and state.gpus[0].power_w is None
    assert state.gpus[0].util_percent == 87.0


def test_a_failing_driver_is_a_state_with_its_reason() -> None:
    fake = FakeNvml(init_error="Driver Not Loaded")
    sampler = GpuSampler(fake)
    state = sampler.sample()
    assert not state.available
    assert state.reason == "the NVIDIA driver is not loaded"
    assert sampler.sample() == state and fake.init_calls == 1  # not retried every second


def test_no_gpu_device_at_all() -> None:
    assert GpuSampler(FakeNvml([])).sample() == GpuState(reason="NVML sees no GPU")


def test_this_machines_real_nvml_path_reports_why_there_is_no_gpu() -> None:
    state = GpuSampler().sample()  # the real pynvml: this machine has no NVIDIA driver
    if state.available:  # a developer box with a GPU: its readings must be sane instead
        assert all(0 <= g.memory_percent <= 100 for g in state.gpus)
        return
    assert state.reason and "NVIDIA" in state.reason


def test_host_snapshot_reads_this_machine() -> None:
    sample_host()
    host = sample_host()
    assert len(host.cpu_percent) >= 1
    assert all(0 <= p <= 100 for p in host.cpu_percent)
    assert 0 < host.memory_used < host.memory_total
    assert len(host.load_average) == 3 and host.hostname


async def test_samples_are_stored_per_gpu_and_summed_per_bucket(engine: AsyncEngine) -> None:
    start = utcnow() - timedelta(seconds=1)
    worker = await register_worker(engine, "cuda:0")
    gpus = GpuSampler(FakeNvml([FakeGpu(), FakeGpu()])).sample()
    await record_sample(engine, worker, gpus, 600.0)
    await record_sample(engine, worker, GpuState(reason="none"), 300.0)
    samples = await samples_since(engine, start)
    assert [s.gpu_index for s in samples] == [0, 1, None]
    assert samples[0].util_percent == 87.0 and samples[0].memory_total == 141 * 2**30
    assert await prune_samples(engine, keep=timedelta(days=1)) == 0


def test_throughput_series_counts_each_worker_once_per_bucket() -> None:
    start = utcnow()
    a, b = uuid.uuid4(), uuid.uuid4()

    def at(seconds: float, worker: uuid.UUID, rate: float, gpu: int | None = 0) -> Sample:
        return Sample(start + timedelta(seconds=seconds), worker, gpu, 50.0, 1, 2, rate)

    samples = [
        at(1, a, 100.0),
        at(1, a, 100.0, gpu=1),  # the same worker's second GPU: its rate is not doubled
        at(2, b, 50.0),
        at(12, a, 120.0),
        at(-5, b, 999.0),  # before the run
    ]
    series = throughput_series(samples, start, bucket_s=10)
    assert series == [(10 / 60, 150.0), (20 / 60, 120.0)]


async def test_the_heartbeat_prunes_old_samples_once_an_hour(engine: AsyncEngine) -> None:
    from sqlalchemy import func, insert, select

    from thumper_tui.engine.heartbeat import Heartbeat, RateMeter, WorkerStatus
    from thumper_tui.store.models import Telemetry

    worker = await register_worker(engine, "cpu")
    keep = timedelta(days=35)
    beat = Heartbeat(engine, worker, timedelta(seconds=60), keep, WorkerStatus(), RateMeter(), None)

    async def add_old(days: int) -> None:
        async with engine.begin() as conn:
            old = {"worker_id": worker, "ts": utcnow() - timedelta(days=days)}
            await conn.execute(insert(Telemetry).values(**old))

    async def ages() -> list[int]:
        async with engine.connect() as conn:
            rows = await conn.scalars(select(Telemetry.ts).order_by(Telemetry.ts))
            return [(utcnow() - ts).days for ts in rows]

    await add_old(40)
    await add_old(20)
    await beat.beat()
    assert await ages() == [20, 0]  # the 40-day sample went; this beat's sample came
    await add_old(50)
    await beat.beat()
    assert len(await ages()) == 4  # within the hour: not pruned again
    beat._pruned_at = (beat._pruned_at or 0.0) - Heartbeat.PRUNE_EVERY
    await beat.beat()
    assert await ages() == [20, 0, 0, 0]
    async with engine.connect() as conn:
        assert await conn.scalar(select(func.count()).select_from(Telemetry)) == 4
