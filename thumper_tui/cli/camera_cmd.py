"""``thumper camera NAME [--location LAT,LON]``: show a camera, or set where it stands."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from thumper_tui.cli.options import json_option
from thumper_tui.cli.runtime import EXIT_USAGE, fail, run_with_database, settings_from
from thumper_tui.cli.tables import print_fields

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


def _location(text: str) -> tuple[float, float]:
    try:
        lat, lon = (float(part) for part in text.split(","))
    except ValueError:
        raise click.BadParameter("write it LAT,LON, e.g. 30.27,-97.74") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise click.BadParameter("latitude must be within ±90 and longitude within ±180")
    return lat, lon


@click.command(
    "camera",
    epilog="""\b
Examples:
  thumper camera NorthGate --location 30.2672,-97.7431
  thumper camera NorthGate --json
""",
)
@click.argument("name")
@click.option("--location", default=None, help="Where it stands, as LAT,LON in degrees (WGS84).")
@json_option
@click.pass_context
def camera_command(ctx: click.Context, name: str, location: str | None, as_json: bool) -> None:
    """Show a camera (its photos and location), or set its location: Camtrap DP exports need
    one for every camera."""
    from sqlalchemy import func, select, update

    from thumper_tui.store.models import Camera, Image

    place = _location(location) if location is not None else None
    settings = settings_from(ctx)

    async def work(engine: AsyncEngine) -> dict[str, Any] | None:
        async with engine.begin() as conn:
            if place is not None:
                await conn.execute(
                    update(Camera).where(Camera.name == name).values(lat=place[0], lon=place[1])
                )
            row = (
                await conn.execute(
                    select(Camera.id, Camera.name, Camera.lat, Camera.lon).where(
                        Camera.name == name
                    )
                )
            ).first()
            if row is None:
                return None
            photos = await conn.scalar(
                select(func.count()).select_from(Image).where(Image.camera_id == row.id)
            )
        return {"name": row.name, "photos": int(photos or 0), "lat": row.lat, "lon": row.lon}

    shown = run_with_database(settings, work)
    if shown is None:
        fail(f"no camera named {name!r} (see `thumper status` for the cameras)", EXIT_USAGE)
    if as_json:
        click.echo(json.dumps(shown, indent=2))
        return
    where = f"{shown['lat']}, {shown['lon']}" if shown["lat"] is not None else "not set"
    print_fields(
        [("camera", shown["name"]), ("photos", f"{shown['photos']:,}"), ("location", where)]
    )
