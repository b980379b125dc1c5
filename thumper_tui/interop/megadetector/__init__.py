"""MegaDetector's batch-output JSON (format 1.x), as Timelapse and AddaxAI read it."""

FORMAT_VERSION = "1.6"  # what Thumper writes; any 1.x is read
# The categories MegaDetector itself detects, for ``--md-categories``.
MD_CATEGORIES = {"1": "animal", "2": "person", "3": "vehicle"}
