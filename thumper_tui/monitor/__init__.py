"""What the dashboard shows, gathered from the database in one call, headless."""
