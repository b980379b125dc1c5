"""Naming deer: validation, names that stay unique among live profiles, and an audit trail."""
