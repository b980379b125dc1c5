"""Answers from recorded facts: readiness, health, the weekly report, the advisor, the schedule.

Headless: the CLI and the dashboard call the same functions."""
