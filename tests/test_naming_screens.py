"""Naming the herd with keys only, on the profiles, duplicates and unplaced screens; the
database checked after every step, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from textual.pilot import Pilot
from textual.widgets import Input

from tests.dashboard_app import make_app, until
from tests.helpers import eventually_async
from tests.photo_herd import idle, opened, photo_herd, shown
from thumper_tui.naming.names import set_name
from thumper_tui.naming.pools import load_pools
from thumper_tui.store.engine import make_engine
from thumper_tui.store.migrate import upgrade
from thumper_tui.store.models import Deer, Detection, NotSameDeer
from thumper_tui.ui.screens.ask import AskScreen
from thumper_tui.ui.screens.choose import ChooseScreen
from thumper_tui.ui.screens.duplicates import DuplicatesScreen
from thumper_tui.ui.screens.profile_picker import ProfilePicker
from thumper_tui.ui.screens.profiles import ProfilesScreen
from thumper_tui.ui.screens.unplaced import UnplacedScreen
from thumper_tui.ui.widgets.profiles.profile_card import ProfileCard
from thumper_tui.ui.widgets.profiles.profile_table import ProfileTable
from thumper_tui.vocabulary.codec import vector_from_bytes, vector_to_bytes

pytestmark = pytest.mark.slow  # real models, workers or terminals: `make test-fast` skips it


async def profiles(engine: AsyncEngine) -> dict[int, Any]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(Deer.id, Deer.name, Deer.notes, Deer.category, Deer.status,
                   Deer.primary_detection_id, Deer.merged_into)
        )  # fmt: skip
        return {r.id: r for r in rows}


async def owners(engine: AsyncEngine) -> dict[int, Any]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(
                Detection.id, Detection.deer_id, Detection.verified, Detection.corrected_category
            )
        )
        return {r.id: r for r in rows}


async def settled(pilot: Pilot[Any], engine: AsyncEngine, check: Any) -> Any:
    """Wait until the database shows what ``check`` (an async probe) wants, and the screen has
    read it again."""

    async def probe() -> Any:
        return await check()

    found = await eventually_async(probe, within=15, every=0.05, wait=pilot.pause)
    await shown(pilot)
    return found


async def test_naming_a_herd_with_keys_only(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    await photo_herd(engine, tmp_path / "photos", [3, 2, 1])
    pools = load_pools()
    app = make_app(database_url, photos="halfblock")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await shown(pilot)
        assert "Not ready to name yet" in str(screen.query_one("#not-ready").render())

        # Three names from the suggestions: the first, the second (Tab), the first.
        named: dict[int, str] = {}
        for keys in ([], ["tab"], []):
            profile_id = screen.detail["id"]  # type: ignore[index]
            ask = await opened(pilot, "n", AskScreen)
            await pilot.press(*keys)
            name = ask.query_one(Input).value
            assert name in pools["doe"]
            await pilot.press("enter")
            named[profile_id] = name

            async def has_name(p: int = profile_id, n: str = name) -> bool:
                return (await profiles(engine))[p].name == n

            await settled(pilot, engine, has_name)
            await pilot.press("N")
            await shown(pilot)
        given = list(named.values())
        assert len(set(given)) == 3 and given[1] != given[0]

        # Notes, then the second-best crop as the primary photo, then the category.
        await pilot.press("k")
        screen = await shown(pilot)
        target = screen.detail["id"]  # type: ignore[index]
        await opened(pilot, "e", AskScreen)
        await pilot.press(*"white throat", "enter")

        async def noted() -> bool:
            return (await profiles(engine))[target].notes == "white throat"

        await settled(pilot, engine, noted)
        assert "white throat" in str(screen.query_one(ProfileCard).render())
        await pilot.press("right")
        chosen = screen.photos[1]["detection"]
        await pilot.press("p")

        async def primary() -> bool:
            return (await profiles(engine))[target].primary_detection_id == chosen

        await settled(pilot, engine, primary)
        assert screen.photos[0]["detection"] == chosen  # the primary leads the strip
        await opened(pilot, "c", ChooseScreen)
        await pilot.press("b")

        async def buck() -> bool:
            return (await profiles(engine))[target].category == "buck"

        await settled(pilot, engine, buck)
        held = [d for d in (await owners(engine)).values() if d.deer_id == target]
        assert held and all(d.corrected_category == "buck" for d in held)

        # Merge it into another named profile found by search, then undo the merge.
        into = next(p for p in named if p != target)
        picker = await opened(pilot, "m", ProfilePicker)
        await pilot.press(*named[into][:3])
        await until(pilot, lambda: len(picker._shown) >= 1)
        assert picker._shown[0].id == into
        await pilot.press("enter")

        async def merged() -> bool:
            return (await profiles(engine))[target].status == "merged"

        await settled(pilot, engine, merged)
        assert (await profiles(engine))[target].merged_into == into
        await pilot.press("u")

        async def unmerged() -> bool:
            return (await profiles(engine))[target].status == "active"

        await settled(pilot, engine, unmerged)
        now = await owners(engine)
        assert all(now[d.id].deer_id == target for d in held)  # every detection came back

        # Split two chosen crops of the profile under the cursor into a new deer.
        screen = await shown(pilot)
        source = screen.detail["id"]  # type: ignore[index]
        first, second = screen.photos[0]["detection"], screen.photos[1]["detection"]
        await pilot.press("space", "right", "space")
        assert screen.chosen == {first, second}
        await pilot.press("s")

        async def split() -> Any:
            now = await owners(engine)
            new = now[first].deer_id
            return new if new != source and now[second].deer_id == new else None

        new = await settled(pilot, engine, split)
        async with engine.connect() as conn:
            pairs = (await conn.execute(select(NotSameDeer.deer_a, NotSameDeer.deer_b))).all()
        assert tuple(sorted((source, new))) in [tuple(p) for p in pairs]
        assert (await profiles(engine))[source].name == named.get(source)  # the name stays


async def test_odd_names_are_shown_literally_and_bad_ones_refused(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    a, b, c = await photo_herd(engine, tmp_path / "photos", [3])
    await set_name(engine, a, "Robert'); DROP TABLE deer;--")
    await set_name(engine, b, "[bold red]Bambi[/]")
    app = make_app(database_url, photos="halfblock")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await shown(pilot)
        table = screen.query_one(ProfileTable)
        cells = {table.get_row(str(p))[1].plain for p in (a, b)}  # type: ignore[union-attr]
        assert cells == {"Robert'); DROP TABLE deer;--", "[bold red]Bambi[/]"}
        table.move_cursor(row=[p.id for p in table.profiles].index(b))
        await until(pilot, lambda: screen.detail is not None and screen.detail["id"] == b)
        assert "[bold red]Bambi[/]" in str(screen.query_one(ProfileCard).render())

        # A name another profile has, then one with an escape sequence: refused, said.
        table.move_cursor(row=[p.id for p in table.profiles].index(c))
        await until(pilot, lambda: screen.detail is not None and screen.detail["id"] == c)
        for bad, said in (
            ("[BOLD RED]bambi[/]", "already names profile"),
            ("\x1b[31mBambi", "control"),
        ):
            ask = await opened(pilot, "n", AskScreen)
            ask.query_one(Input).value = bad
            await pilot.press("enter")
            await until(pilot, lambda s=said: any(s in n.message for n in app._notifications))
            await until(pilot, lambda: isinstance(app.screen, ProfilesScreen))
        assert (await profiles(engine))[c].name is None
        assert (await profiles(engine))[a].name == "Robert'); DROP TABLE deer;--"


async def test_a_dry_pool_still_suggests_a_name(
    engine: AsyncEngine, database_url: str, tmp_path: Path, isolated_home: Path
) -> None:
    pools = isolated_home / "config" / "thumper" / "names.toml"
    pools.parent.mkdir(parents=True)
    pools.write_text('replace = true\nbuck = ["Bambi"]\ndoe = ["Faline"]\nfawn = ["Flower"]\n'
                     'unknown = ["Willow"]\n')  # fmt: skip
    a, b = await photo_herd(engine, tmp_path / "photos", [2])
    await set_name(engine, a, "Faline")
    app = make_app(database_url, photos="halfblock")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await shown(pilot)
        table = screen.query_one(ProfileTable)
        table.move_cursor(row=[p.id for p in table.profiles].index(b))
        await until(pilot, lambda: screen.detail is not None and screen.detail["id"] == b)
        ask = await opened(pilot, "n", AskScreen)
        assert ask.query_one(Input).value == "Faline II"
        await pilot.press("enter")

        async def named() -> bool:
            return (await profiles(engine))[b].name == "Faline II"

        await settled(pilot, engine, named)


async def test_duplicates_merge_keep_apart_and_skip(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    ids = await photo_herd(engine, tmp_path / "photos", [4])
    async with engine.begin() as conn:  # 1 and 2 nearly alike, 3 and 4 next
        base = vector_from_bytes(await conn.scalar(select(Deer.prototype).where(Deer.id == ids[0])))
        for k, deer in enumerate(ids[1:], start=1):
            twin = base + 0.05 * k * vector_from_bytes(
                await conn.scalar(select(Deer.prototype).where(Deer.id == deer))
            )
            await conn.execute(
                update(Deer).where(Deer.id == deer).values(prototype=vector_to_bytes(twin))
            )
    await set_name(engine, ids[1], "Faline")
    app = make_app(database_url, photos="halfblock")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot, "5", DuplicatesScreen)
        await until(pilot, lambda: bool(screen.pairs) and idle(screen))
        first = screen.pairs[0]
        assert {first.a, first.b} == {ids[0], ids[1]}
        await pilot.press("y")  # the unnamed one joins the named one

        async def merged() -> bool:
            return (await profiles(engine))[ids[0]].merged_into == ids[1]

        await eventually_async(merged, within=15, every=0.05, wait=pilot.pause)
        await until(
            pilot,
            lambda: idle(screen) and all(ids[0] not in (p.a, p.b) for p in screen.pairs),
        )
        pair = screen.pairs[0]
        await pilot.press("n")

        async def apart() -> bool:
            async with engine.connect() as conn:
                rows = (await conn.execute(select(NotSameDeer.deer_a, NotSameDeer.deer_b))).all()
            return (min(pair.a, pair.b), max(pair.a, pair.b)) in [tuple(r) for r in rows]

        await eventually_async(apart, within=15, every=0.05, wait=pilot.pause)
        await until(
            pilot,
            lambda: idle(screen) and (pair.a, pair.b) not in [(p.a, p.b) for p in screen.pairs],
        )
        row = screen.query_one("#pair-table").cursor_row  # type: ignore[attr-defined]
        await pilot.press("s")
        assert screen.query_one("#pair-table").cursor_row == min(row + 1, len(screen.pairs) - 1)  # type: ignore[attr-defined]


async def test_unplaced_deer_are_placed_or_found_a_profile(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    a, b, c = await photo_herd(engine, tmp_path / "photos", [3, 0], unplaced_per_day=1)
    async with engine.begin() as conn:
        strays = list(
            await conn.scalars(
                select(Detection.id).where(Detection.deer_id.is_(None)).order_by(Detection.id)
            )
        )
        proto = await conn.scalar(select(Deer.prototype).where(Deer.id == b))
        for stray in strays:
            await conn.execute(
                update(Detection).where(Detection.id == stray)
                .values(embedding=proto, embedding_version="thumper-reid-v2")
            )  # fmt: skip
    app = make_app(database_url, photos="halfblock")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot, "6", UnplacedScreen)
        await until(
            pilot,
            lambda: len(screen.detections) == 2 and bool(screen.nearest) and idle(screen),
        )
        assert screen.nearest[0].profile == b and screen.nearest[0].likeness == pytest.approx(
            1.0, abs=1e-3
        )
        await pilot.press("p")

        async def placed() -> bool:
            row = (await owners(engine))[strays[0]]
            return row.deer_id == b and row.verified

        await eventually_async(placed, within=15, every=0.05, wait=pilot.pause)
        await until(pilot, lambda: len(screen.detections) == 1 and idle(screen))
        await pilot.press("f")

        async def founded() -> Any:
            row = (await owners(engine))[strays[1]]
            return row.deer_id if row.deer_id not in (None, a, b, c) else None

        new = await eventually_async(founded, within=15, every=0.05, wait=pilot.pause)
        assert (await profiles(engine))[new].status == "active"
        await until(pilot, lambda: not screen.detections and idle(screen))
        await pilot.press("u")

        async def unfounded() -> bool:
            return (await owners(engine))[strays[1]].deer_id is None and new not in await profiles(
                engine
            )

        await eventually_async(unfounded, within=15, every=0.05, wait=pilot.pause)


@pytest.mark.parametrize("renderer", ["kitty", "sixel", "unicode", "auto"])
async def test_every_photo_renderer_draws_the_profile(tmp_path: Path, renderer: str) -> None:
    url = f"sqlite:///{tmp_path / 'herd.db'}"  # the renderer does not depend on the database
    engine = make_engine(url)
    await upgrade(engine)
    await photo_herd(engine, tmp_path / "photos", [2])
    await engine.dispose()
    app = make_app(url, photos=renderer)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await shown(pilot)
        await pilot.press("right")
        await until(pilot, lambda: screen.shown == 1 and idle(screen))
        image = screen.query_one("#profile-photo").query_one("#photo-frame").children[0]
        assert image.image is not None  # type: ignore[attr-defined]
        assert image.size.width > 0 and image.size.height > 0


async def test_an_empty_herd_and_a_missing_photo_are_said_not_crashed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'herd.db'}"
    engine = make_engine(url)
    await upgrade(engine)
    app = make_app(url, photos="halfblock")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await opened(pilot, "4", ProfilesScreen)
        await until(pilot, lambda: idle(screen) and screen.detail is None)
        assert "no profile" in str(screen.query_one(ProfileCard).render())
        for key in ("n", "e", "p", "c", "m", "s", "x", "N", "right", "space"):
            await pilot.press(key)
        await until(pilot, lambda: any("no profile" in n.message for n in app._notifications))
        assert isinstance(app.screen, ProfilesScreen)  # no dialog opened for nothing
        await pilot.press("u")
        await until(pilot, lambda: any("nothing to undo" in n.message for n in app._notifications))
        dupes = await opened(pilot, "5", DuplicatesScreen)
        await until(pilot, lambda: idle(dupes))
        assert "no candidate pairs" in str(
            dupes.query_one("#photo-a").query_one(".photo-caption").render()
        )
        await pilot.press("y", "n", "s")
        strays = await opened(pilot, "6", UnplacedScreen)
        await until(pilot, lambda: idle(strays))
        caption = strays.query_one("#unplaced-photo").query_one(".photo-caption").render()
        assert "every deer has a profile" in str(caption)
        await pilot.press("p", "f")
        assert isinstance(app.screen, UnplacedScreen)

    # A photo deleted since import: the profile still shows, the caption says why no picture.
    ids = await photo_herd(engine, tmp_path / "photos", [1])
    for photo in (tmp_path / "photos").iterdir():
        photo.unlink()
    await engine.dispose()
    app = make_app(url, photos="halfblock")
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await shown(pilot)
        assert screen.detail is not None and screen.detail["id"] == ids[0]
        caption = str(screen.query_one("#profile-photo").query_one(".photo-caption").render())
        assert caption.startswith(f"cannot read {tmp_path / 'photos'}")
