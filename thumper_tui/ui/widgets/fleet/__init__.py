"""Widgets for the fleet: workers, the database, alerts."""
