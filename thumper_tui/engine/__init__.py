"""The reprocessing engine: runs, workers, claiming images with leases.

Groundwork for the engine issue: the database side of runs and workers. The detection and
re-identification pipeline builds on it.
"""
