"""``thumper doctor``: the checks to run before a season, one line each."""

from __future__ import annotations

import asyncio
import json

import click

from thumper_tui.cli.runtime import EXIT_FAILURE, settings_from
from thumper_tui.cli.tables import print_fields
from thumper_tui.vocabulary.counting import counted

MARKS = {"pass": "ok  ", "warn": "warn", "fail": "FAIL"}


@click.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@click.pass_context
def doctor_command(ctx: click.Context, as_json: bool) -> None:
    """Check the database, models, GPU, worker, disk, time zone and camera folders.

    Exits 1 when any check fails; a warning is worth reading but does not fail.
    """
    from thumper_tui.monitor.doctor import examine, failed

    settings = settings_from(ctx)
    findings = asyncio.run(examine(settings))
    if as_json:
        payload = {"ok": not failed(findings), "checks": [f.to_json() for f in findings]}
        click.echo(json.dumps(payload, indent=2))
    else:
        rows: list[tuple[str, str]] = []
        for finding in findings:
            rows.append((MARKS[finding.status], f"{finding.name}: {finding.detail}"))
            if finding.classes:
                width = max(len(name) for name, _ in finding.classes)
                rows += [("", f"{name:<{width}}  -> {cat}") for name, cat in finding.classes]
            if finding.advice and finding.status != "pass":
                rows.append(("", f"what to do: {finding.advice}"))
        print_fields(rows)  # each line wrapped under its own text on a narrow terminal
        fails = sum(f.status == "fail" for f in findings)
        warns = sum(f.status == "warn" for f in findings)
        click.echo(
            f"{fails:,} failed, {counted(warns, 'warning')}, "
            f"{len(findings) - fails - warns:,} passed"
        )
    if failed(findings):
        ctx.exit(EXIT_FAILURE)
