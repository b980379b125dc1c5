"""Host readings from psutil: CPU per core, memory and load average."""

from __future__ import annotations

import os
import socket

from thumper_tui.telemetry.snapshots import HostSnapshot


def sample_host() -> HostSnapshot:
    """This machine now. CPU percentages are since the previous call (the first call reads 0)."""
    import psutil  # loaded by the sampling thread, not before the dashboard's first paint

    memory = psutil.virtual_memory()
    return HostSnapshot(
        cpu_percent=tuple(float(p) for p in psutil.cpu_percent(percpu=True)),
        memory_used=int(memory.total - memory.available),
        memory_total=int(memory.total),
        load_average=os.getloadavg(),
        hostname=socket.gethostname(),
    )
