"""Frozen readings of the GPUs and the host, as the dashboard and the workers' samples use them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GpuProcess:
    """A process holding memory on a GPU."""

    pid: int
    memory_used: int | None  # bytes; None where the driver does not say


@dataclass(frozen=True)
class GpuSnapshot:
    """One GPU at one moment. Any reading the device does not support is ``None``."""

    index: int
    name: str
    util_percent: float | None
    memory_used: int
    memory_total: int
    temperature_c: float | None
    power_w: float | None
    power_limit_w: float | None
    sm_clock_mhz: int | None
    processes: tuple[GpuProcess, ...] = ()

    @property
    def memory_percent(self) -> float:
        """VRAM in use, 0-100."""
        return 100.0 * self.memory_used / self.memory_total if self.memory_total else 0.0


@dataclass(frozen=True)
class GpuState:
    """Every GPU NVML can see, or why there are none (``reason`` is set when ``gpus`` is empty)."""

    gpus: tuple[GpuSnapshot, ...] = ()
    reason: str | None = None
    driver: str | None = None  # the NVIDIA driver's version, where NVML says

    @property
    def available(self) -> bool:
        """True when at least one GPU was read."""
        return bool(self.gpus)


@dataclass(frozen=True)
class HostSnapshot:
    """CPU per core, memory and load average of this machine."""

    cpu_percent: tuple[float, ...]
    memory_used: int
    memory_total: int
    load_average: tuple[float, float, float]
    hostname: str = ""

    @property
    def cpu_mean(self) -> float:
        """Mean utilisation over all cores, 0-100."""
        return sum(self.cpu_percent) / len(self.cpu_percent) if self.cpu_percent else 0.0

    @property
    def memory_percent(self) -> float:
        """Memory in use, 0-100."""
        return 100.0 * self.memory_used / self.memory_total if self.memory_total else 0.0
