"""The field's formats: MegaDetector batch JSON in and out, Camtrap DP and CSV out."""
