"""Photos drawn in the terminal: one framed photo, and a strip of crops."""
