"""The devices area: a panel per GPU, or the host panel when NVML sees none."""

from __future__ import annotations

from textual.containers import Vertical

from thumper_tui.telemetry.snapshots import GpuState, HostSnapshot
from thumper_tui.ui.widgets.telemetry.gpu_panel import GpuPanel
from thumper_tui.ui.widgets.telemetry.host_panel import HostPanel


class Devices(Vertical):
    """Keeps one :class:`GpuPanel` per GPU (their history lives as long as the dashboard)."""

    DEFAULT_CSS = """
    Devices { height: auto; }
    """

    async def show(self, gpus: GpuState, host: HostSnapshot) -> None:
        """Draw the latest sample, adding or removing panels when the GPU count changes."""
        if not gpus.available:
            await self.query(GpuPanel).remove()
            if not self.query(HostPanel):
                await self.mount(HostPanel())
            self.query_one(HostPanel).show(host, gpus.reason)
            return
        await self.query(HostPanel).remove()
        panels = {p.index: p for p in self.query(GpuPanel)}
        for index, panel in panels.items():
            if index not in {g.index for g in gpus.gpus}:
                await panel.remove()
        for gpu in gpus.gpus:
            if gpu.index not in panels:
                panels[gpu.index] = GpuPanel(gpu.index)
                await self.mount(panels[gpu.index])
            panels[gpu.index].show(gpu)
