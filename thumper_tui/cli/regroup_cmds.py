"""``thumper merge``, ``split``, ``take-out``, ``found``: a human regroups deer, for good.

Every reprocess keeps it, and ``thumper undo`` takes it back.
"""

from __future__ import annotations

import click

from thumper_tui.cli.options import json_option
from thumper_tui.cli.runtime import decide
from thumper_tui.vocabulary.counting import counted


@click.command("merge")
@click.argument("source", type=int)
@click.argument("target", type=int)
@json_option
@click.pass_context
def merge_command(ctx: click.Context, source: int, target: int, as_json: bool) -> None:
    """Merge profile SOURCE into TARGET: one deer (`thumper undo` takes it back)."""
    from thumper_tui.naming.regroup import merge_profiles

    decide(
        ctx,
        lambda engine: merge_profiles(engine, source, target),
        lambda moved: f"profile {source} merged into {target} ({counted(moved, 'detection')})",
        as_json=as_json,
    )


@click.command("split")
@click.argument("profile_id", type=int)
@click.argument("detection_ids", type=int, nargs=-1, required=True)
@json_option
@click.pass_context
def split_command(
    ctx: click.Context, profile_id: int, detection_ids: tuple[int, ...], as_json: bool
) -> None:
    """Split DETECTION_IDS off PROFILE_ID into a new profile: another deer."""
    from thumper_tui.naming.regroup import split_profile

    decide(
        ctx,
        lambda engine: split_profile(engine, profile_id, detection_ids),
        lambda new_id: (
            f"{counted(len(set(detection_ids)), 'detection')} split off profile "
            f"{profile_id} into new profile {new_id} (said to be another deer)"
        ),
        as_json=as_json,
    )


@click.command("take-out")
@click.argument("detection_id", type=int)
@json_option
@click.pass_context
def take_out_command(ctx: click.Context, detection_id: int, as_json: bool) -> None:
    """Take DETECTION_ID out of its profile: it stays unplaced through every reprocess."""
    from thumper_tui.naming.decisions import take_out

    decide(
        ctx,
        lambda engine: take_out(engine, detection_id),
        lambda left: f"detection {detection_id} taken out of profile {left}",
        as_json=as_json,
    )


@click.command("found")
@click.argument("detection_id", type=int)
@json_option
@click.pass_context
def found_command(ctx: click.Context, detection_id: int, as_json: bool) -> None:
    """Found a new profile with DETECTION_ID, a deer detection in no profile."""
    from thumper_tui.naming.unplaced import found_profile

    decide(
        ctx,
        lambda engine: found_profile(engine, detection_id),
        lambda new_id: f"new profile {new_id} founded with detection {detection_id}",
        as_json=as_json,
    )
