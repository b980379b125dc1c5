"""``thumper merge``, ``split``, ``take-out``, ``found``: a human regroups deer, for good.

Every reprocess keeps it, and ``thumper undo`` takes it back.
"""

from __future__ import annotations

import click

from thumper_tui.cli.runtime import decide
from thumper_tui.naming.decisions import take_out
from thumper_tui.naming.regroup import merge_profiles, split_profile
from thumper_tui.naming.unplaced import found_profile


@click.command("merge")
@click.argument("source", type=int)
@click.argument("target", type=int)
@click.pass_context
def merge_command(ctx: click.Context, source: int, target: int) -> None:
    """Merge profile SOURCE into TARGET: one deer (`thumper undo` takes it back)."""
    moved = decide(ctx, lambda engine: merge_profiles(engine, source, target))
    click.echo(f"profile {source} merged into {target} ({moved} detections)")


@click.command("split")
@click.argument("profile_id", type=int)
@click.argument("detection_ids", type=int, nargs=-1, required=True)
@click.pass_context
def split_command(ctx: click.Context, profile_id: int, detection_ids: tuple[int, ...]) -> None:
    """Split DETECTION_IDS off PROFILE_ID into a new profile: another deer."""
    new_id = decide(ctx, lambda engine: split_profile(engine, profile_id, detection_ids))
    click.echo(
        f"{len(set(detection_ids))} detections split off profile {profile_id} into new profile "
        f"{new_id} (said to be another deer)"
    )


@click.command("take-out")
@click.argument("detection_id", type=int)
@click.pass_context
def take_out_command(ctx: click.Context, detection_id: int) -> None:
    """Take DETECTION_ID out of its profile: it stays unplaced through every reprocess."""
    left = decide(ctx, lambda engine: take_out(engine, detection_id))
    click.echo(f"detection {detection_id} taken out of profile {left}")


@click.command("found")
@click.argument("detection_id", type=int)
@click.pass_context
def found_command(ctx: click.Context, detection_id: int) -> None:
    """Found a new profile with DETECTION_ID, a deer detection in no profile."""
    new_id = decide(ctx, lambda engine: found_profile(engine, detection_id))
    click.echo(f"new profile {new_id} founded with detection {detection_id}")
