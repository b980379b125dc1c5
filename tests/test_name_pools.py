"""Name pools, suggestions and ``thumper names`` / ``profile show`` / ``profiles`` filters."""

from __future__ import annotations

import asyncio
import json
import re
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.helpers import run_cli, run_json
from tests.herd_weeks import seed_days
from thumper_tui.naming.names import NamingError, validate_name
from thumper_tui.naming.pools import SHIPPED, load_pools, suggest
from thumper_tui.store.models import Audit, Deer


def test_the_shipped_pools_are_large_distinct_and_valid() -> None:
    pools = load_pools(Path("/nonexistent/names.toml"))
    assert set(pools) == {"buck", "doe", "fawn", "unknown"}
    every = [name for names in pools.values() for name in names]
    assert all(len(names) >= 60 for names in pools.values())
    assert len({n.casefold() for n in every}) == len(every)  # no name in two pools, or twice
    assert all(validate_name(n) == n for n in every)
    assert pools["buck"][:3] == ["Bambi", "Thumper", "Mickey"]
    assert {"Belle", "Elsa", "Ariel"} <= set(pools["doe"])
    assert {"Flounder", "Pascal", "Meeko"} <= set(pools["fawn"])
    assert {"Willow", "River", "Storm"} <= set(pools["unknown"])
    assert tomllib.loads(SHIPPED.read_text())  # the file itself is valid TOML


def test_a_user_file_extends_or_replaces(tmp_path: Path) -> None:
    extra = tmp_path / "names.toml"
    extra.write_text('buck = ["Rocky", "Bullwinkle"]\n')
    pools = load_pools(extra)
    assert pools["buck"][-2:] == ["Rocky", "Bullwinkle"] and len(pools["buck"]) > 60
    extra.write_text('replace = true\nbuck = ["Rocky"]\n')
    replaced = load_pools(extra)
    assert replaced["buck"] == ["Rocky"] and len(replaced["doe"]) >= 60  # only what it names
    for text, message in (
        ('buck = ["NA"]\n', "buck: 'NA' is a placeholder"),
        ("buck = 3\n", "buck must be a list of names"),
        ('moose = ["Bullwinkle"]\n', "unknown key(s) moose"),
        ("buck = [\n", "not valid TOML"),
        ('replace = "yes"\n', "replace must be true or false"),
    ):
        extra.write_text(text)
        with pytest.raises(NamingError, match=re.escape(message)) as err:
            load_pools(extra)
        assert str(extra) in str(err.value)


def test_suggestions_follow_the_category_and_skip_taken_names() -> None:
    pools = {
        "buck": ["Bambi", "Thumper"],
        "doe": ["Belle"],
        "fawn": ["Flounder"],
        "unknown": ["Willow"],
    }
    assert suggest("buck", pools, [], 2) == ["Bambi", "Thumper"]
    assert suggest("buck", pools, ["bambi"], 1) == ["Thumper"]  # whatever the case
    assert suggest("other", pools, [], 1) == ["Willow"] and suggest("unknown", pools, [], 1) == [
        "Willow"
    ]
    # A dry pool suggests numbered variants, never nothing.
    assert suggest("doe", pools, ["Belle"], 3) == ["Belle II", "Belle III", "Belle IV"]
    taken = [
        "Belle",
        *(f"Belle {n}" for n in ("II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")),
    ]
    assert suggest("doe", pools, taken, 2) == ["Belle 11", "Belle 12"]


async def _herd(engine: AsyncEngine) -> list[int]:
    profiles = await seed_days(engine, [2, 2, 1])  # five does, seen 3, 3, 2, 2, 1 times or so
    async with engine.begin() as conn:
        await conn.execute(update(Deer).where(Deer.id == profiles[1]).values(category="buck"))
        await conn.execute(update(Deer).where(Deer.id == profiles[2]).values(category="fawn"))
        await conn.execute(
            update(Deer)
            .where(Deer.id == profiles[4])
            .values(name="Belle", status="merged", merged_into=profiles[0])
        )
    return profiles


async def test_suggest_and_apply_name_the_herd_without_a_clash(
    engine: AsyncEngine, database_url: str
) -> None:
    profiles = await _herd(engine)
    suggested = await asyncio.to_thread(run_json, "names", "suggest", database_url=database_url)
    firsts = {s["profile"]: s["names"][0] for s in suggested}
    assert set(firsts) == set(profiles[:4])  # the merged profile is not live
    assert firsts[profiles[1]] == "Bambi" and firsts[profiles[2]] == "Flounder"
    assert "Belle" not in firsts.values()  # a retired name, unless allowed
    assert len(set(firsts.values())) == 4
    reused = await asyncio.to_thread(
        run_json, "names", "suggest", "--reuse-retired", database_url=database_url
    )
    assert "Belle" in {s["names"][0] for s in reused}
    dry = await asyncio.to_thread(
        run_cli, "names", "apply", "--all-unnamed", "--dry-run", database_url=database_url
    )
    assert dry.exit_code == 0 and "would be 'Bambi'" in dry.stdout
    async with engine.connect() as conn:
        assert list(await conn.scalars(select(Audit.id))) == []  # a dry run writes nothing
    done = await asyncio.to_thread(
        run_cli, "names", "apply", "--all-unnamed", database_url=database_url
    )
    assert done.exit_code == 0 and "4 profiles named" in done.stderr
    async with engine.connect() as conn:
        named = dict((await conn.execute(select(Deer.id, Deer.name))).all())
        audit = (await conn.execute(select(Audit.action, Audit.actor, Audit.after))).all()
    assert {named[p] for p in profiles[:4]} == set(firsts.values())
    assert len(audit) == 4 and {(a.action, a.actor) for a in audit} == {("name", "names apply")}
    again = await asyncio.to_thread(run_json, "names", "suggest", database_url=database_url)
    assert again == []


@pytest.mark.parametrize("name", ["Robert'); DROP TABLE deer;--", "[bold red]Bambi[/]", "Ñandú 🦌"])
async def test_odd_names_are_stored_and_shown_literally(
    engine: AsyncEngine, database_url: str, name: str
) -> None:
    profiles = await _herd(engine)
    result = await asyncio.to_thread(
        run_cli, "name", str(profiles[0]), name, database_url=database_url
    )
    assert result.exit_code == 0, result.output
    shown = await asyncio.to_thread(
        run_cli, "profile", "show", str(profiles[0]), database_url=database_url
    )
    assert shown.stdout.startswith(f"profile {profiles[0]}: {name!r}, doe")
    listed = await asyncio.to_thread(run_json, "profiles", database_url=database_url)
    assert name in {p["name"] for p in listed}
    async with engine.connect() as conn:
        assert await conn.scalar(select(Deer.name).where(Deer.id == profiles[0])) == name


def test_a_name_with_an_escape_sequence_is_refused(database_url: str) -> None:
    result = run_cli("name", "1", "\x1b[31mBambi", database_url=database_url)
    assert result.exit_code == 2 and "control characters" in result.output


async def test_profile_show_and_the_profile_filters(engine: AsyncEngine, database_url: str) -> None:
    profiles = await _herd(engine)
    async with engine.begin() as conn:
        await conn.execute(
            update(Deer).where(Deer.id == profiles[1]).values(name="Bambi", notes="torn left ear")
        )
    detail = await asyncio.to_thread(
        run_json, "profile", "show", str(profiles[1]), database_url=database_url
    )
    assert (detail["name"], detail["category"], detail["notes"]) == (
        "Bambi",
        "buck",
        "torn left ear",
    )
    assert detail["cameras"] == {"Feeder": detail["sightings"]} and detail["sightings"] >= 1
    photo = detail["photos"][0]
    assert set(photo) >= {"detection", "path", "taken_at", "box", "match_score", "verified"}
    assert datetime.fromisoformat(photo["taken_at"]).utcoffset() is not None  # ranch time
    merged = await asyncio.to_thread(
        run_json, "profile", "show", str(profiles[4]), database_url=database_url
    )
    assert merged["status"] == "merged" and merged["merged_into"] == profiles[0]
    missing = await asyncio.to_thread(run_cli, "profile", "show", "999", database_url=database_url)
    assert missing.exit_code == 1 and "no profile 999" in missing.output
    bucks = await asyncio.to_thread(
        run_json, "profiles", "--category", "buck", database_url=database_url
    )
    assert [p["id"] for p in bucks] == [profiles[1]] and bucks[0]["notes"] == "torn left ear"
    assert bucks[0]["cameras"] == ["Feeder"]
    unnamed = await asyncio.to_thread(run_json, "profiles", "--unnamed", database_url=database_url)
    assert profiles[1] not in {p["id"] for p in unnamed} and len(unnamed) == 3
    by_sightings = await asyncio.to_thread(
        run_json, "profiles", "--sort", "sightings", database_url=database_url
    )
    counts = [p["sightings"] for p in by_sightings]
    assert counts == sorted(counts, reverse=True)
    images = await asyncio.to_thread(
        run_json, "images", "--profile", str(profiles[1]), database_url=database_url
    )
    assert len(images) == len({p["path"] for p in detail["photos"]})
    assert json.dumps(detail)  # the whole detail is JSON
