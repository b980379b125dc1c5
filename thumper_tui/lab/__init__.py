"""The lab: training, synthetic datasets, evaluation and the threshold replay.

Nothing the engine runs imports it: a worker that serves a run never loads this package
(``tests/test_headless.py`` checks), so its heavy training imports stay out of the runtime.
"""
