"""The core never loads textual or rich: checked in a fresh interpreter per package."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import thumper_tui


def core_modules() -> list[str]:
    names = ["thumper_tui"]
    for info in pkgutil.walk_packages(thumper_tui.__path__, "thumper_tui."):
        if info.name.startswith("thumper_tui.ui") or info.name == "thumper_tui.__main__":
            continue
        if ".migrations" in info.name:
            continue
        names.append(info.name)
    return names


def test_core_modules_are_found() -> None:
    names = core_modules()
    for expected in ("thumper_tui.cli", "thumper_tui.store.models", "thumper_tui.ingest.importer"):
        assert expected in names


def test_core_imports_neither_textual_nor_rich() -> None:
    modules = core_modules()
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"headless core loaded: {out}"
