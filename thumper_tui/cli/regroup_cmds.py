"""``thumper merge`` and ``thumper split``: a human regroups deer; every reprocess keeps it."""

from __future__ import annotations

import click
from sqlalchemy.ext.asyncio import AsyncEngine

from thumper_tui.cli.runtime import fail, run_with_database, settings_from
from thumper_tui.naming.names import NamingError
from thumper_tui.naming.regroup import merge_profiles, split_profile


@click.command("merge")
@click.argument("source", type=int)
@click.argument("target", type=int)
@click.pass_context
def merge_command(ctx: click.Context, source: int, target: int) -> None:
    """Merge profile SOURCE into TARGET: one deer (`thumper undo` takes it back)."""
    settings = settings_from(ctx)

    async def work(engine: AsyncEngine) -> int:
        return await merge_profiles(engine, source, target)

    try:
        moved = run_with_database(settings, work)
    except NamingError as exc:
        fail(str(exc))
    click.echo(f"profile {source} merged into {target} ({moved} detections)")


@click.command("split")
@click.argument("profile_id", type=int)
@click.argument("detection_ids", type=int, nargs=-1, required=True)
@click.pass_context
def split_command(ctx: click.Context, profile_id: int, detection_ids: tuple[int, ...]) -> None:
    """Split DETECTION_IDS off PROFILE_ID into a new profile: another deer."""
    settings = settings_from(ctx)

    async def work(engine: AsyncEngine) -> int:
        return await split_profile(engine, profile_id, detection_ids)

    try:
        new_id = run_with_database(settings, work)
    except NamingError as exc:
        fail(str(exc))
    click.echo(
        f"{len(set(detection_ids))} detections split off profile {profile_id} into new profile "
        f"{new_id} (said to be another deer)"
    )
