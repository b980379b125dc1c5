"""The profiles screen's table and the card that describes one profile."""
