"""The YOLO detector: offline loading, the shipped demo weights, training and evaluation.

Import :mod:`thumper_tui.detector.offline` (``prepare()``) before anything imports ultralytics.
"""
