"""``python -m thumper_tui`` runs the CLI."""

from thumper_tui.cli import main

main()
