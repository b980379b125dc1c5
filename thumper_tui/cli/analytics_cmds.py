"""``thumper readiness``, ``health``, ``report``, ``advise``, ``schedule``: answers from facts.

Each reads the recorded history, runs and configuration (:mod:`thumper_tui.analytics`) and
prints a plain answer, or its JSON (docs/cli-json.md).
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from thumper_tui.cli.options import json_option
from thumper_tui.cli.runtime import EXIT_USAGE, Obj, fail, run_with_database, settings_from
from thumper_tui.cli.tables import print_fields, print_line, print_markdown
from thumper_tui.vocabulary.counting import counted
from thumper_tui.vocabulary.durations import format_duration, format_moment

if TYPE_CHECKING:  # the analytics load when a command runs, not when help lists it
    from sqlalchemy.ext.asyncio import AsyncEngine

    from thumper_tui.analytics.advisor import Advice
    from thumper_tui.analytics.health import Health
    from thumper_tui.analytics.readiness import Readiness
    from thumper_tui.analytics.schedule import Slot


def _day(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date like 2026-11-29, got {value!r}") from None


as_of_option = click.option(
    "--as-of",
    callback=_day,
    metavar="DATE",
    help="Answer as of the end of this ranch-local day (default: today).",
)


def _mark(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


@click.command("readiness")
@as_of_option
@json_option
@click.pass_context
def readiness_command(ctx: click.Context, as_of: date | None, as_json: bool) -> None:
    """Is the herd ready to name? The four criteria, each with its value and threshold."""
    from thumper_tui.analytics.answers import current_readiness
    from thumper_tui.store.types import utcnow

    settings = settings_from(ctx)

    async def work(engine: AsyncEngine) -> Readiness:
        return (await current_readiness(engine, settings, utcnow(), as_of))[0]

    readiness = run_with_database(settings, work)
    if as_json:
        click.echo(json.dumps(readiness.to_json(), indent=2))
        return
    print_line(f"{readiness.verdict}  (as of {readiness.as_of.isoformat()})")
    print_fields(
        (f"  {_mark(criterion.passed)}  {criterion.name}", criterion.detail)
        for criterion in readiness.criteria
    )


@click.command("health")
@as_of_option
@json_option
@click.pass_context
def health_command(ctx: click.Context, as_of: date | None, as_json: bool) -> None:
    """New profiles per day for the last seven days; too many says the threshold is too strict."""
    from thumper_tui.analytics.answers import current_health
    from thumper_tui.store.types import utcnow

    settings = settings_from(ctx)

    async def work(engine: AsyncEngine) -> Health:
        return await current_health(engine, settings, utcnow(), as_of)

    health = run_with_database(settings, work)
    if as_json:
        click.echo(json.dumps(health.to_json(), indent=2))
        return
    for day, new in health.days:
        flag = "  over the limit" if new > health.limit else ""
        click.echo(f"  {day.isoformat()}  {new:>4} new profiles{flag}")
    click.echo(("WARNING: " if health.too_strict else "") + health.message)


@click.command("report")
@click.option("--week", "week_text", metavar="YYYY-Www", help="The ISO week (default: this one).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["md", "json"]),
    default="md",
    show_default=True,
    help="Markdown to read, or JSON (docs/cli-json.md).",
)
@click.pass_context
def report_command(ctx: click.Context, week_text: str | None, fmt: str) -> None:
    """The weekly report: profile trend, duplicates, GPU, failures, runs, success metrics."""
    from thumper_tui.analytics.answers import current_report
    from thumper_tui.analytics.report import Week, to_markdown
    from thumper_tui.store.types import utcnow

    settings = settings_from(ctx)
    try:
        week = Week.parse(week_text) if week_text else None
    except ValueError as exc:
        fail(str(exc), EXIT_USAGE)

    async def work(engine: AsyncEngine) -> dict[str, Any]:
        return await current_report(engine, settings, utcnow(), week)

    report = run_with_database(settings, work)
    if fmt == "json":
        click.echo(json.dumps(report, indent=2))
    else:
        print_markdown(to_markdown(report))


@click.command("advise")
@json_option
@click.pass_context
def advise_command(ctx: click.Context, as_json: bool) -> None:
    """Should I reprocess? The advisor's verdict, the facts behind it, and how long it takes."""
    from thumper_tui.analytics.answers import current_advice
    from thumper_tui.store.types import utcnow

    settings = settings_from(ctx)

    async def work(engine: AsyncEngine) -> Advice:
        return await current_advice(engine, settings, utcnow())

    advice = run_with_database(settings, work)
    data = advice.to_json()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    click.echo(f"advice: {data['action']}")
    for reason in data["reasons"]:
        click.echo(f"  - {reason}")
    plan = data["plan"]
    if plan and data["action"] in ("full", "incremental"):
        took = (
            f"about {format_duration(data['estimate_s'])} at this ranch's pace"
            if data["estimate_s"] is not None
            else "no pace measured on this ranch yet"
        )
        click.echo(
            f"run: {plan['kind']}, clear mode {plan['clear_mode']}, "
            f"{counted(plan['images'], 'photo')} "
            f"({took}); `thumper reprocess --if-advised` starts it"
        )
    if data["next_scheduled"]:
        click.echo(f"next scheduled run: {format_moment(data['next_scheduled'])}")


@click.command("schedule")
@click.option("--crontab", is_flag=True, help="Print the crontab lines for cron users.")
@click.option("--systemd", is_flag=True, help="Print a user service and timer for systemd.")
@json_option
@click.pass_context
def schedule_command(ctx: click.Context, crontab: bool, systemd: bool, as_json: bool) -> None:
    """The next scheduled runs and what each would run if it came now."""
    from thumper_tui.analytics.answers import upcoming_slots
    from thumper_tui.analytics.schedule import crontab_line, systemd_units
    from thumper_tui.store.types import utcnow

    settings = settings_from(ctx)
    obj = ctx.find_object(Obj) or Obj()
    config_file = obj.config_file or settings.config_file
    if crontab or systemd:
        try:
            if crontab:
                click.echo(crontab_line(settings, config_file), nl=False)
            else:
                for name, text in systemd_units(settings, config_file).items():
                    click.echo(f"# ~/.config/systemd/user/{name}\n{text}")
                click.echo("# then: systemctl --user enable --now thumper-worker.timer")
        except ValueError as exc:
            fail(str(exc), EXIT_USAGE)
        return

    async def work(engine: AsyncEngine) -> list[tuple[Slot, dict[str, Any]]]:
        return await upcoming_slots(engine, settings, utcnow())

    slots = run_with_database(settings, work)
    data = {
        "schedule": settings.schedule,
        "timezone": settings.timezone,
        "schedule_full": settings.schedule_full,
        "slots": [
            {"at": slot.at.isoformat(), "key": slot.key, "would_run": plan} for slot, plan in slots
        ],
    }
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    if not slots:
        click.echo("the schedule is off (schedule = 'off')")
        return
    zone = getattr(settings.zone(), "key", settings.timezone)
    click.echo(f"schedule {settings.schedule} ({zone} time), full: {settings.schedule_full}")
    for slot, plan in slots:
        click.echo(
            f"  {slot.at:%a %Y-%m-%d %H:%M %Z}  would run {plan['kind']}"
            f" (clear mode {plan['clear_mode']}, {counted(plan['images'], 'photo')})"
        )


__all__ = [
    "advise_command",
    "health_command",
    "readiness_command",
    "report_command",
    "schedule_command",
]
