"""The demo detector's lab: its dataset, its training and ``thumper eval detect``."""
