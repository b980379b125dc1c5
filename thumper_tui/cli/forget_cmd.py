"""``thumper forget``: take an import back, after saying what will go."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from thumper_tui.cli.runtime import EXIT_USAGE, decide, fail, run_with_database, settings_from
from thumper_tui.vocabulary.counting import counted

if TYPE_CHECKING:  # the store loads when the command runs, not when help lists it
    from sqlalchemy.ext.asyncio import AsyncEngine

    from thumper_tui.naming.forget import ForgetPlan

LISTED = 20


def describe(plan: ForgetPlan, done: bool) -> list[str]:
    """What a forget removes (``done``: removed), in lines for a person."""
    verb = "removed" if done else "will remove"
    lines = [f"{verb} {counted(plan.images, 'photo')} and {counted(plan.detections, 'detection')}"]
    if plan.deleted_profiles:
        ids = ", ".join(map(str, plan.deleted_profiles[:20]))
        more = (
            f" and {len(plan.deleted_profiles) - 20} more"
            if len(plan.deleted_profiles) > 20
            else ""
        )
        lines.append(
            f"{verb} {counted(len(plan.deleted_profiles), 'profile')} left empty: {ids}{more}"
        )
    if plan.kept_profiles:
        ids = ", ".join(map(str, plan.kept_profiles))
        lines.append(
            f"keeps {counted(len(plan.kept_profiles), 'profile')} a person named, noted or "
            f"decided about, with zero sightings: {ids}"
        )
    for path in plan.sample_paths:
        lines.append(f"  {path}")
    if plan.images > len(plan.sample_paths):
        lines.append(f"  … and {plan.images - len(plan.sample_paths):,} more")
    return lines


@click.command(
    "forget",
    epilog="""\b
Examples:
  thumper forget --camera TestCam --dry-run
  thumper forget /srv/cards/2025-11-02/Hayfield --yes
""",
)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--camera", help="Forget every photo of this camera.")
@click.option("--dry-run", is_flag=True, help="Say what would go, remove nothing.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print what was (or would be) removed as JSON."
)
@click.pass_context
def forget_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    camera: str | None,
    dry_run: bool,
    yes: bool,
    as_json: bool,
) -> None:
    """Remove imported photos (a camera's, or those at or under PATH) and their detections.

    Profiles left empty go too, unless a person named, noted or decided about them: those
    stay with zero sightings. Recorded in the audit; refused while a run is active.
    """
    from thumper_tui.naming.forget import Selection, forget, plan_forget

    if (camera is None) == (not paths):
        fail("name a camera (--camera NAME) or photo paths, not both and not neither", EXIT_USAGE)
    selection = Selection(camera=camera, paths=tuple(str(p) for p in paths))
    settings = settings_from(ctx)

    async def look(engine: AsyncEngine) -> ForgetPlan:
        return await plan_forget(engine, selection)

    plan = run_with_database(settings, look)
    if not plan.images:
        fail(f"no imported photo matches {'camera ' + camera if camera else 'those paths'}")
    if dry_run:
        click.echo(
            json.dumps(plan.to_json(), indent=2) if as_json else "\n".join(describe(plan, False))
        )
        return
    if not yes:
        if not sys.stdin.isatty():
            fail("pass --yes to forget without a terminal to confirm on", EXIT_USAGE)
        click.echo("\n".join(describe(plan, False)), err=True)
        if not click.confirm("forget them?", err=True):
            fail("nothing forgotten")

    async def act(engine: AsyncEngine) -> ForgetPlan:
        return await forget(engine, selection, settings.zone())

    _show(decide(ctx, act), as_json, done=True)


def _show(plan: ForgetPlan, as_json: bool, *, done: bool) -> None:
    click.echo(json.dumps(plan.to_json(), indent=2) if as_json else "\n".join(describe(plan, done)))
