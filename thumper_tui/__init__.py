"""Thumper: trail-camera deer tracking."""
