"""The command line's help is true: every option described, the top-level help grouped and whole,
and the README's command table naming exactly the flags each command has."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from tests.helpers import run_cli
from thumper_tui.cli import SECTIONS, cli

README = Path(__file__).resolve().parents[1] / "README.md"


def leaf_commands() -> Iterator[tuple[str, click.Command]]:
    """Every command that runs (groups' subcommands included), by its full name."""
    ctx = click.Context(cli)

    def walk(command: click.Command, path: str) -> Iterator[tuple[str, click.Command]]:
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None
                yield from walk(sub, f"{path} {name}".strip())
        else:
            yield path, command

    yield from walk(cli, "")


def options(command: click.Command) -> list[set[str]]:
    """The long flags of each of ``command``'s options (``--help`` aside); either flag of a
    pair (``--install/--no-install``) names it."""
    return [
        {opt for opt in param.opts + param.secondary_opts if opt.startswith("--")}
        for param in command.params
        if isinstance(param, click.Option) and "--help" not in param.opts
    ]


def differences(shown: set[str], command: click.Command) -> dict[str, list[str]]:
    """Flags the README shows that ``command`` lacks, and options it has that the README
    does not show."""
    every = set().union(*options(command)) if options(command) else set()
    return {
        "in README only": sorted(shown - every),
        "not in README": sorted(min(o) for o in options(command) if not o & shown),
    }


def readme_rows() -> dict[str, set[str]]:
    """Each command the README's usage table names, with the flags its rows show."""
    text = README.read_text(encoding="utf-8")
    names = {path for path, _ in leaf_commands()}
    documented: dict[str, set[str]] = {}
    for cell in re.findall(r"^\| `thumper ([^`]+)` \|", text, re.MULTILINE):
        words = cell.replace("\\|", "|").split()
        first = words[0].strip("[]").split("|")
        for head in first:  # `pause|resume|cancel` is three commands
            two = f"{head} {words[1]}" if len(words) > 1 else head
            name = two if two in names else head
            assert name in names, f"README names a command that does not exist: {cell}"
            found = set(re.findall(r"--[a-z][a-z-]*", cell))
            documented.setdefault(name, set()).update(found)
    return documented


def test_every_option_has_a_description() -> None:
    missing = [
        f"{path} {param.opts[0]}"
        for path, command in leaf_commands()
        for param in command.params
        if isinstance(param, click.Option) and not param.help
    ]
    assert missing == []


def test_every_command_has_a_summary_and_the_help_lists_them_by_section() -> None:
    result = run_cli("--help")
    assert result.exit_code == 0
    for title, commands in SECTIONS:
        assert f"\n{title}:\n" in result.stdout
        for name, _ in commands:
            assert re.search(rf"^  {re.escape(name)}  +\S", result.stdout, re.MULTILINE), name
    listing = result.stdout[result.stdout.index("\nRanch:\n") :]
    assert "..." not in listing  # no summary is cut off
    assert [path for path, command in leaf_commands() if not command.help] == []


def test_the_readme_table_names_every_command_with_exactly_its_flags() -> None:
    documented = readme_rows()
    commands = dict(leaf_commands())
    missing = sorted(set(commands) - set(documented))
    wrong: dict[str, object] = dict.fromkeys(missing, "not in the README table") | {
        name: wrong
        for name, shown in documented.items()
        if any((wrong := differences(shown, commands[name])).values())
    }
    assert wrong == {}


def test_shell_completion_offers_the_commands() -> None:
    from click.testing import CliRunner

    env = {"_THUMPER_COMPLETE": "bash_complete", "COMP_WORDS": "thumper pro", "COMP_CWORD": "1"}
    result = CliRunner().invoke(cli, [], prog_name="thumper", env=env)
    assert result.exit_code == 0
    offered = {line.split(",")[1] for line in result.stdout.splitlines()}
    assert offered == {"process", "profiles", "profile"}


def test_a_bad_model_file_is_one_message_and_code_from_process_and_reprocess(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'thumper.db'}"
    broken = tmp_path / "ranch-yolov8s.pt"
    broken.write_bytes(b"\x80\x05 not a checkpoint at all")
    reprocess = run_cli("reprocess", "--model", str(broken), database_url=url)
    monkeypatch.setenv("THUMPER_MODEL", str(broken))
    process = run_cli("process", database_url=url)
    assert process.exit_code == reprocess.exit_code == 2
    assert process.stderr == reprocess.stderr
    (line,) = process.stderr.splitlines()
    assert line.startswith(f"thumper: cannot load model weights {broken}: not a readable")
    assert "Ultralytics" not in line and "yolo predict" not in line  # our words, not its advice
