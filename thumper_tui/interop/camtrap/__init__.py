"""Camtrap DP 1.0.2, the TDWG data package for camera-trap data, with individual deer."""

from pathlib import Path

VERSION = "1.0.2"
BASE_URL = f"https://raw.githubusercontent.com/tdwg/camtrap-dp/{VERSION}/"
PROFILE_URL = BASE_URL + "camtrap-dp-profile.json"
TABLES = ("deployments", "media", "observations")
# The standard's own profile and table schemas (MIT, github.com/tdwg/camtrap-dp, tag 1.0.2).
SCHEMAS = Path(__file__).resolve().parent / "schemas"
