"""Widgets for the active run: its progress and its throughput."""
