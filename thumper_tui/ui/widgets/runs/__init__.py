"""Widgets for the runs and reports screen: the run history, recipes, the advisor."""
