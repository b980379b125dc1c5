"""The core never loads textual or rich, and a worker never loads the lab: each checked in a
fresh interpreter."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import thumper_tui
from tests.helpers import make_jpeg


def core_modules() -> list[str]:
    names = ["thumper_tui"]
    for info in pkgutil.walk_packages(thumper_tui.__path__, "thumper_tui."):
        if info.name.startswith(("thumper_tui.ui", "thumper_tui.cli")):
            continue  # presentation: the dashboard, and the command line (rich is allowed)
        if info.name == "thumper_tui.__main__":
            continue
        if ".migrations" in info.name:
            continue
        names.append(info.name)
    return names


def test_core_modules_are_found() -> None:
    names = core_modules()
    for expected in ("thumper_tui.lab", "thumper_tui.store.models", "thumper_tui.ingest.importer"):
        assert expected in names
    assert not any(n.startswith(("thumper_tui.ui", "thumper_tui.cli")) for n in names)


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


WORKER = """
import json, sys
from thumper_tui.cli import cli
try:
    cli.main(sys.argv[1:], standalone_mode=False)
finally:
    loaded = sorted(m for m in sys.modules if m.startswith(("thumper_tui.", "textual")))
    print(json.dumps(loaded))
"""


@pytest.mark.slow
def test_a_worker_that_served_a_run_never_loads_the_lab(tmp_path: Path) -> None:
    for n in range(2):
        make_jpeg(
            tmp_path / "ranch" / "Hayfield" / f"IMG_{n:04d}.JPG",
            size=(320, 180),
            color=(90, 60 + n, 40),
        )
    url = f"sqlite:///{tmp_path / 'thumper.db'}"
    base = [sys.executable, "-c", WORKER, "--database-url", url]
    subprocess.run([*base, "import", str(tmp_path / "ranch")], check=True, capture_output=True)
    served = subprocess.run(
        [*base, "process", "--allow-demo-model"], check=True, capture_output=True, text=True
    )
    assert "run 1 done: 2 images done" in served.stdout
    loaded = json.loads(served.stdout.strip().splitlines()[-1])
    assert "thumper_tui.engine.worker" in loaded and "thumper_tui.detector.inference" in loaded
    lab = [m for m in loaded if m.startswith(("thumper_tui.lab", "thumper_tui.synth"))]
    assert lab == [], f"the worker loaded {lab}"
    assert not [m for m in loaded if m.startswith(("textual", "thumper_tui.ui"))]
