"""A herd for the naming screens: profiles as :func:`tests.herd_weeks.seed_days` makes them,
recounted, every photo a copy of one real camera-trap frame (so the screens draw a photo); and
waiting for those screens in a pilot."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from textual.pilot import Pilot

from tests.dashboard_app import until
from tests.herd_weeks import seed_days
from thumper_tui.engine.profiles import refresh_profiles
from thumper_tui.store.models import Image
from thumper_tui.ui.screens.profiles import ProfilesScreen
from thumper_tui.ui.widgets.profiles.profile_table import ProfileTable

PHOTO = Path(__file__).parent / "data" / "real" / "zamba-ena24" / "49.jpg"


def _copy(photos: Path, image_id: int) -> Path:
    photos.mkdir(parents=True, exist_ok=True)
    target = photos / f"photo-{image_id}.jpg"
    shutil.copyfile(PHOTO, target)
    return target


async def photo_herd(
    engine: AsyncEngine, photos: Path, per_day: list[int], **options: int
) -> list[int]:
    """Seed ``per_day`` new profiles a day; each photo file is made under ``photos``."""
    ids = await seed_days(engine, per_day, **options)
    async with engine.begin() as conn:
        for image_id in list(await conn.scalars(select(Image.id).order_by(Image.id))):
            target = _copy(photos, image_id)
            await conn.execute(update(Image).where(Image.id == image_id).values(path=str(target)))
        await refresh_profiles(conn, ids)
    return ids


def idle(screen: Any) -> bool:
    """No read of ``screen``'s is running."""
    return not any(w.node is screen and not w.is_finished for w in screen.app.workers)


async def opened(pilot: Pilot[Any], key: str, kind: type[Any]) -> Any:
    """Press ``key`` and wait for a screen of ``kind``."""
    app = pilot.app
    await pilot.press(key)
    await until(pilot, lambda: isinstance(app.screen, kind))
    return app.screen


async def shown(pilot: Pilot[Any]) -> ProfilesScreen:
    """The profiles screen, once the highlighted profile's photos are drawn."""
    app = pilot.app
    screen = (
        app.screen
        if isinstance(app.screen, ProfilesScreen)
        else await opened(pilot, "4", ProfilesScreen)
    )
    await until(
        pilot,
        lambda: (
            screen.detail is not None
            and screen.detail["id"] == getattr(screen.query_one(ProfileTable).selected, "id", None)
            and idle(screen)
        ),
    )
    return screen
