"""docs/cli-json.md against the real thing: every documented shape is produced by its command on
a processed synthetic ranch, and every key the documentation shows is in the real output (and
at the top of each shape, every key the output has is documented)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run_cli

pytestmark = pytest.mark.slow  # a real detector over a ranch

DOCS = Path(__file__).resolve().parents[1] / "docs" / "cli-json.md"


def documented() -> dict[str, Any]:
    """Each section of docs/cli-json.md by its heading, with its first JSON example parsed."""
    text = DOCS.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    shapes = {}
    for section in sections:
        heading, body = section.split("\n", 1)
        example = re.search(r"```json\n(.*?)\n```", body, re.DOTALL)
        assert example is not None, f"no JSON example under {heading}"
        shapes[heading.strip()] = json.loads(example.group(1))
    return shapes


# Objects keyed by data (a camera's name, a class), not by field: their keys vary by ranch.
DATA_KEYED = {".cameras", ".per_class", ".settings"}


def missing_keys(doc: Any, real: Any, where: str = "") -> list[str]:
    """Keys the documentation shows that the real output lacks, at every depth (a list is
    compared by its first element, where both have one)."""
    if isinstance(doc, dict) and isinstance(real, dict):
        found = [] if where in DATA_KEYED else [f"{where}.{k}" for k in doc if k not in real]
        for key in doc.keys() & real.keys():
            found += missing_keys(doc[key], real[key], f"{where}.{key}")
        return found
    if isinstance(doc, list) and isinstance(real, list) and doc and real:
        return missing_keys(doc[0], real[0], f"{where}[0]")
    return []


def top_keys(shape: Any) -> set[str]:
    """The keys at the top of a shape (of its first element, for a list)."""
    if isinstance(shape, list):
        return set(shape[0]) if shape and isinstance(shape[0], dict) else set()
    return set(shape) if isinstance(shape, dict) else set()


class Ranch:
    """A processed synthetic ranch and the JSON of the commands run on it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.url = f"sqlite:///{root / 'thumper.db'}"
        self.data = root / "ranch"

    def json(self, *args: str, codes: tuple[int, ...] = (0,)) -> Any:
        result = run_cli(*args, database_url=self.url)
        assert result.exit_code in codes, result.output
        return json.loads(result.stdout)


@pytest.fixture(scope="module")
def ranch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Ranch, dict[str, Any]]:
    made = Ranch(tmp_path_factory.mktemp("json"))
    with pytest.MonkeyPatch.context() as env:  # the module's own XDG folders, as every test's
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME"):
            env.setenv(var, str(made.root / var.lower()))
        return made, _produce(made)


def _produce(made: Ranch) -> dict[str, Any]:
    produced: dict[str, Any] = {}
    produced["synth"] = made.json(
        "synth", "--out", str(made.data), "--images", "40", "--size", "640x360", "--seed", "91",
        "--json",
    )  # fmt: skip
    produced["import"] = made.json("import", str(made.data), "--json")
    produced["process"] = made.json("process", "--json")
    return produced


def producers(r: Ranch, produced: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    """How to get the real output for each documented heading."""

    def first_profile() -> int:
        return int(r.json("profiles", "--json")[0]["id"])

    def unplaced() -> Any:
        found = r.json("unplaced", "--json")
        if found:
            return found
        detail = r.json("profile", "show", str(first_profile()), "--json")
        r.json("take-out", str(detail["photos"][-1]["detection"]), "--json")
        return r.json("unplaced", "--json")

    def control() -> Any:
        queued = r.json("reprocess", "--clear-mode", "none", "--queue-only", "--json")
        paused = r.json("pause", str(queued["run"]), "--json")
        r.json("cancel", str(queued["run"]), "--json")
        return paused

    def queued_then_cancelled(*args: str) -> Any:
        said = r.json("reprocess", *args, "--queue-only", "--json")
        if said.get("run") is not None:
            r.json("cancel", str(said["run"]), "--json")
        return said

    def detached_worker() -> Any:
        started = r.json("worker", "--detach", "--exit-when-idle", "--json")
        stopped = r.json("worker", "--stop", "--json")
        assert set(stopped) == {"action", "pid", "stopped"}
        return started

    def imported_then_cancelled() -> Any:
        exported = r.root / "md.json"
        r.json("export", "megadetector", str(exported), "--json")
        said = r.json(
            "import-detections", str(exported), "--root", str(r.data), "--queue-only", "--json"
        )
        r.json("cancel", str(said["run"]), "--json")
        return said

    def placed_camtrap() -> Any:
        for camera in {image["camera"] for image in r.json("images", "--json")}:
            r.json("camera", camera, "--location", "30.1,-97.7", "--json")
        return r.json("export", "camtrap-dp", str(r.root / "dp"), "--json")

    def decision() -> Any:
        return r.json("name", str(first_profile()), "Bambi", "--json")

    return {
        "`thumper status --json`": lambda: r.json("status", "--json"),
        "`thumper images --json`": lambda: r.json("images", "--json"),
        "`thumper runs --json`": lambda: r.json("runs", "--json"),
        "`thumper profiles --json`": lambda: r.json("profiles", "--json"),
        "`thumper profile show ID --json`": lambda: r.json(
            "profile", "show", str(first_profile()), "--json"
        ),
        "`thumper names suggest --json`": lambda: r.json("names", "suggest", "--json"),
        "`thumper unplaced --json`": unplaced,
        "`thumper eval reid --truth DIR --json`": lambda: r.json(
            "eval", "reid", "--truth", str(r.data), "--json"
        ),
        "`thumper import --json`": lambda: produced["import"],
        "`thumper camera NAME [--location LAT,LON] --json`": lambda: r.json(
            "camera", r.json("images", "--json")[0]["camera"], "--json"
        ),
        "`thumper export megadetector OUT --json`": lambda: r.json(
            "export", "megadetector", str(r.root / "md-out.json"), "--json"
        ),
        "`thumper export csv OUT --json`": lambda: r.json(
            "export", "csv", str(r.root / "csv"), "--json"
        ),
        "`thumper export camtrap-dp OUT --json`": placed_camtrap,
        "`thumper import-detections FILE --root DIR --queue-only --json`": (
            imported_then_cancelled
        ),
        "`thumper doctor --json`": lambda: r.json("doctor", "--json", codes=(0, 1)),
        "`thumper forget (--camera NAME | PATH...) [--dry-run] --json`": lambda: r.json(
            "forget", "--camera", r.json("images", "--json")[0]["camera"], "--dry-run", "--json"
        ),
        "`thumper config show --json`": lambda: r.json("config", "show", "--json"),
        "`thumper readiness [--as-of DATE] --json`": lambda: r.json("readiness", "--json"),
        "`thumper health [--as-of DATE] --json`": lambda: r.json("health", "--json"),
        "`thumper advise --json`": lambda: r.json("advise", "--json"),
        "`thumper schedule --json`": lambda: r.json("schedule", "--json"),
        "`thumper report [--week YYYY-Www] --format json`": lambda: r.json(
            "report", "--format", "json"
        ),
        "`thumper history --json`": lambda: r.json("history", "--json"),
        "`thumper process --json`": lambda: produced["process"],
        "`thumper reprocess --queue-only --json`": queued_then_cancelled,
        "`thumper reprocess --if-advised --json`": lambda: queued_then_cancelled("--if-advised"),
        "`thumper pause|resume|cancel [RUN_ID] --json`": control,
        "Human decisions `--json`": decision,
        "`thumper names apply --all-unnamed [--dry-run] --json`": lambda: r.json(
            "names", "apply", "--all-unnamed", "--dry-run", "--json"
        ),
        "`thumper eval detect --data DIR --json`": lambda: r.json(
            "eval", "detect", "--data", str(r.data), "--json"
        ),
        "`thumper synth --json`": lambda: produced["synth"],
        "`thumper db upgrade --json`": lambda: r.json("db", "upgrade", "--json"),
        "`thumper worker --detach|--stop --json`": detached_worker,
    }


def test_every_documented_shape_is_what_its_command_prints(
    ranch: tuple[Ranch, dict[str, Any]],
) -> None:
    r, produced = ranch
    shapes = documented()
    make = producers(r, produced)
    assert sorted(shapes) == sorted(make), "a documented shape without a check, or the reverse"
    wrong = {}
    for heading in shapes:  # in the document's order: the read-only ones first
        real = make[heading]()
        problems = missing_keys(shapes[heading], real)
        undocumented = top_keys(real) - top_keys(shapes[heading])
        problems += [f".{key} (undocumented)" for key in sorted(undocumented)]
        if problems:
            wrong[heading] = problems
    assert wrong == {}


def test_every_command_with_json_output_is_documented() -> None:
    from tests.test_cli_help import leaf_commands

    text = DOCS.read_text(encoding="utf-8")
    with_json = [
        name
        for name, command in leaf_commands()
        if any("--json" in getattr(p, "opts", ()) for p in command.params)
    ]
    undocumented = [
        name
        for name in with_json
        if f"`thumper {name}" not in text
        and not re.search(rf"`thumper [a-z|-]*\b{re.escape(name)}\b", text)
        and f"`{name}`" not in text
    ]
    assert undocumented == []
    assert missing_keys({"a": 1, "b": {"c": 2}}, {"a": 1, "b": {}}) == [".b.c"]
