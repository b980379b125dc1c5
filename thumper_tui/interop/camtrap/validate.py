"""Validating a Camtrap DP package with frictionless, offline.

A package names its profile and table schemas by their canonical URLs, as the standard asks;
frictionless fetches them over HTTP. Here its HTTP session is one that answers those URLs from
the copies shipped with Thumper (the Data Package profile from frictionless' own, GeoJSON from
frictionless' assets) and refuses every other address, so validation never touches the
network and checks exactly the 1.0.2 standard.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from thumper_tui.interop.camtrap import BASE_URL, SCHEMAS, TABLES

DATA_PACKAGE_URL = "https://specs.frictionlessdata.io/schemas/data-package.json"
GEOJSON_URL = "http://json.schemastore.org/geojson.json"


def _local_documents() -> dict[str, bytes]:
    import frictionless
    from frictionless import Package

    assets = Path(frictionless.__file__).resolve().parent / "assets" / "profiles"
    documents = {
        BASE_URL + f"{name}-table-schema.json": (SCHEMAS / f"{name}-table-schema.json").read_bytes()
        for name in TABLES
    }
    documents[BASE_URL + "camtrap-dp-profile.json"] = (
        SCHEMAS / "camtrap-dp-profile.json"
    ).read_bytes()
    documents[GEOJSON_URL] = (assets / "geojson.json").read_bytes()
    profile = Package.metadata_ensure_profile()  # type: ignore[no-untyped-call]
    documents[DATA_PACKAGE_URL] = json.dumps(profile).encode()
    return documents


def _offline_session(documents: Mapping[str, bytes]) -> Any:
    import requests
    from requests.adapters import BaseAdapter

    class Offline(BaseAdapter):
        def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
            body = documents.get(request.url)
            if body is None:
                raise requests.ConnectionError(f"offline: {request.url} is not a shipped schema")
            response = requests.Response()
            response.status_code, response.url, response.request = 200, request.url, request
            response.raw = io.BytesIO(body)
            return response

        def close(self) -> None:
            pass

    session = requests.Session()
    session.mount("https://", Offline())
    session.mount("http://", Offline())
    return session


def validate_package(descriptor: Path) -> list[str]:
    """Every problem frictionless finds in the package at ``descriptor`` (its
    ``datapackage.json``) against the Camtrap DP 1.0.2 profile and table schemas; empty when
    it is valid."""
    import frictionless
    from frictionless import system

    with system.use_context(http_session=_offline_session(_local_documents())):
        try:
            report = frictionless.validate(str(descriptor))
        except frictionless.FrictionlessException as exc:
            return [str(exc.error.message if exc.error else exc)]
    problems = [f"package: {e.message}" for e in report.errors]
    for task in report.tasks:
        for error in task.errors:
            where = f"row {error.row_number}" if getattr(error, "row_number", None) else ""
            problems.append(f"{task.name} {where}: {error.message}".replace("  ", " "))
    return problems
