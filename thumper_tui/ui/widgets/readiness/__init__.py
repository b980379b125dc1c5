"""Widgets for the readiness screen: the checklist and the history charts."""
