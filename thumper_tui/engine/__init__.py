"""The reprocessing engine: runs and their recipes, workers, leases, the batch pipeline.

A worker claims images with leases, decodes, detects and embeds them, re-identifies each
batch in one transaction, and consolidates the profiles when the run ends.
"""
