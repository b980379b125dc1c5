"""The YOLO detector at run time: offline loading, the demo weights, decoding, inference.

Its training and evaluation live in :mod:`thumper_tui.lab.detector`.

Import :mod:`thumper_tui.detector.offline` (``prepare()``) before anything imports ultralytics.
"""
