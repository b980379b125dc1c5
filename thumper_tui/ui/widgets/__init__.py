"""The dashboard's widgets, grouped by the area of the screen they fill."""
