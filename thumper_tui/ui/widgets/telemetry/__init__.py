"""Widgets for the devices: GPUs, or the host without one."""
