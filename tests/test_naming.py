"""Naming profiles: validation, uniqueness among live profiles, audit, and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers import run_cli, run_json
from thumper_tui.naming.names import NamingError, set_name, validate_name
from thumper_tui.store.engine import make_engine
from thumper_tui.store.migrate import upgrade
from thumper_tui.store.models import Audit, Deer
from thumper_tui.store.types import utcnow


@pytest.mark.parametrize(
    "name", ["Bambi", "  Faline ", "Ronno the Great", "Élan", "小鹿", "🦌 Rex"]
)
def test_any_unicode_name_is_fine(name: str) -> None:
    assert validate_name(name) == name.strip()


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("NA", "placeholder"),
        ("n/a", "placeholder"),
        ("Unknown", "placeholder"),
        ("bad\x07name", "control"),
        ("x" * 101, "at most"),
    ],
)
def test_bad_names_are_refused(name: str, reason: str) -> None:
    with pytest.raises(NamingError, match=reason):
        validate_name(name)


async def add_profiles(engine: AsyncEngine) -> None:
    now = utcnow()
    seen = datetime(2025, 11, 2, 13, 3, 19, tzinfo=UTC)

    def profile(
        category: str, status: str, name: str | None, sightings: int, first: datetime | None
    ) -> dict[str, object]:
        return {
            "category": category,
            "status": status,
            "name": name,
            "sightings": sightings,
            "first_seen": first,
            "last_seen": first,
            "created_at": now,
        }

    async with engine.begin() as conn:
        await conn.execute(
            insert(Deer),
            [
                profile("buck", "active", None, 12, seen),
                profile("doe", "active", None, 3, None),
                profile("doe", "merged", "Faline", 0, None),
            ],
        )


async def test_names_are_unique_among_live_profiles_and_audited(engine: AsyncEngine) -> None:
    await add_profiles(engine)
    assert await set_name(engine, 1, "Bambi") == (None, "Bambi")
    with pytest.raises(NamingError, match="'bambi' already names profile 1"):
        await set_name(engine, 2, "bambi")
    assert await set_name(engine, 2, "Faline") == (None, "Faline")  # the merged one is not live
    assert await set_name(engine, 1, "Great Prince") == ("Bambi", "Great Prince")
    with pytest.raises(NamingError, match="profile 3 was merged"):
        await set_name(engine, 3, "Ena")
    with pytest.raises(NamingError, match="no profile 9"):
        await set_name(engine, 9, "Ena")
    async with engine.connect() as conn:
        trail = (
            await conn.execute(
                select(Audit.action, Audit.deer_id, Audit.before, Audit.after).order_by(Audit.id)
            )
        ).all()
    assert [tuple(t) for t in trail] == [
        ("name", 1, {"name": None}, {"name": "Bambi"}),
        ("name", 2, {"name": None}, {"name": "Faline"}),
        ("rename", 1, {"name": "Bambi"}, {"name": "Great Prince"}),
    ]


def test_name_and_profiles_commands(database_url: str) -> None:
    import asyncio

    async def seed() -> None:
        engine = make_engine(database_url)
        await upgrade(engine)
        await add_profiles(engine)
        await engine.dispose()

    asyncio.run(seed())
    named = run_cli("name", "1", "Bambi", database_url=database_url)
    assert named.exit_code == 0 and "profile 1 is now 'Bambi'" in named.stdout
    assert run_cli("name", "2", "NA", database_url=database_url).exit_code == 2
    clash = run_cli("name", "2", "BAMBI", database_url=database_url)
    assert clash.exit_code == 1 and "already names profile 1" in clash.stderr
    listed = run_json("profiles", database_url=database_url)
    assert listed == [
        {
            "id": 1,
            "name": "Bambi",
            "category": "buck",
            "sightings": 12,
            "first_seen": "2025-11-02T13:03:19Z",
            "last_seen": "2025-11-02T13:03:19Z",
            "notes": None,
            "cameras": [],
        },
        {
            "id": 2,
            "name": None,
            "category": "doe",
            "sightings": 3,
            "first_seen": None,
            "last_seen": None,
            "notes": None,
            "cameras": [],
        },
    ]
