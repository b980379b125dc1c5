"""The one seam between Thumper and NVML: every call to the driver library goes through here.

:class:`GpuSampler` initialises NVML lazily on its first sample and turns any ``NVMLError``
(no library, no driver, no device) into a :class:`GpuState` with a reason. Tests hand it a
fake module with the same functions; production uses ``pynvml`` from ``nvidia-ml-py``.
"""

from __future__ import annotations

import contextlib
import threading
from types import ModuleType
from typing import Any

from thumper_tui.telemetry.snapshots import GpuProcess, GpuSnapshot, GpuState


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, ImportError):
        return "the NVML bindings (nvidia-ml-py) are not installed"
    if "Library Not Found" in text or isinstance(exc, OSError):
        return "the NVIDIA driver library (libnvidia-ml) is not installed"
    if "Driver Not Loaded" in text:
        return "the NVIDIA driver is not loaded"
    return text


class GpuSampler:
    """Reads every GPU through NVML; thread-safe, so a thread worker can poll it."""

    def __init__(self, nvml: ModuleType | Any | None = None) -> None:
        self._nvml = nvml
        self._lock = threading.Lock()
        self._ready = False
        self._failure: str | None = None

    def _module(self) -> Any:
        if self._nvml is None:
            import pynvml

            self._nvml = pynvml
        return self._nvml

    def _init(self) -> Any:
        nvml = self._module()
        if not self._ready:
            nvml.nvmlInit()
            self._ready = True
        return nvml

    def sample(self) -> GpuState:
        """A snapshot of every GPU, or the reason there is none."""
        with self._lock:
            if self._failure is not None:
                return GpuState(reason=self._failure)
            try:
                nvml = self._init()
                count = int(nvml.nvmlDeviceGetCount())
                if count == 0:
                    return GpuState(reason="NVML sees no GPU")
                driver = self._optional(nvml.nvmlSystemGetDriverVersion)
                return GpuState(
                    gpus=tuple(self._read(nvml, i) for i in range(count)),
                    driver=None if driver is None else _text(driver),
                )
            except Exception as exc:
                if not self._is_nvml_failure(exc):
                    raise
                if not self._ready:
                    # Initialisation failures do not heal while the process lives.
                    self._failure = _reason(exc)
                return GpuState(reason=_reason(exc))

    def _is_nvml_failure(self, exc: Exception) -> bool:
        if isinstance(exc, ImportError | OSError):
            return True
        error = getattr(self._nvml, "NVMLError", None)
        return isinstance(error, type) and isinstance(exc, error)

    @staticmethod
    def _optional(call: Any, *args: Any) -> Any:
        try:
            return call(*args)
        except Exception:
            return None  # this device does not support the reading

    def _read(self, nvml: Any, index: int) -> GpuSnapshot:
        handle = nvml.nvmlDeviceGetHandleByIndex(index)
        memory = nvml.nvmlDeviceGetMemoryInfo(handle)
        util = self._optional(nvml.nvmlDeviceGetUtilizationRates, handle)
        temperature = self._optional(
            nvml.nvmlDeviceGetTemperature, handle, nvml.NVML_TEMPERATURE_GPU
        )
        power = self._optional(nvml.nvmlDeviceGetPowerUsage, handle)
        limit = self._optional(nvml.nvmlDeviceGetEnforcedPowerLimit, handle)
        clock = self._optional(nvml.nvmlDeviceGetClockInfo, handle, nvml.NVML_CLOCK_SM)
        procs = self._optional(nvml.nvmlDeviceGetComputeRunningProcesses, handle) or []
        return GpuSnapshot(
            index=index,
            name=_text(nvml.nvmlDeviceGetName(handle)),
            util_percent=float(util.gpu) if util is not None else None,
            memory_used=int(memory.used),
            memory_total=int(memory.total),
            temperature_c=float(temperature) if temperature is not None else None,
            power_w=power / 1000.0 if power is not None else None,
            power_limit_w=limit / 1000.0 if limit is not None else None,
            sm_clock_mhz=int(clock) if clock is not None else None,
            processes=tuple(
                GpuProcess(int(p.pid), getattr(p, "usedGpuMemory", None)) for p in procs
            ),
        )

    def close(self) -> None:
        """Shut NVML down if this sampler started it."""
        with self._lock:
            if self._ready:
                # Shutting down a library that is going away anyway: nothing to report.
                with contextlib.suppress(Exception):
                    self._module().nvmlShutdown()
                self._ready = False
