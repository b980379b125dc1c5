"""The dashboard's screens and dialogs, one per module."""
