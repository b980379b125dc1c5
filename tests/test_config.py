"""Settings precedence, sources, masking and the one-line errors for bad values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli
from thumper_tui.config import ConfigError, load_settings


def write_config(home: Path, text: str) -> Path:
    path = home / "config" / "thumper" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_defaults_live_in_xdg_dirs(isolated_home: Path) -> None:
    settings = load_settings()
    assert settings.database_url == f"sqlite:///{isolated_home / 'data' / 'thumper' / 'thumper.db'}"
    assert settings.timezone == "local"
    assert {s.kind for s in settings.sources.values()} == {"default"}
    assert settings.config_file is None


def test_file_then_env_then_flag(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_config(
        isolated_home, 'timezone = "Europe/Berlin"\nimport_threads = 3\nimport_batch = 7\n'
    )
    monkeypatch.setenv("THUMPER_IMPORT_THREADS", "5")
    monkeypatch.setenv("THUMPER_IMPORT_BATCH", "9")
    settings = load_settings({"import_batch": 11, "timezone": None})
    assert settings.config_file == path
    assert (settings.timezone, settings.sources["timezone"].kind) == ("Europe/Berlin", "file")
    assert settings.sources["timezone"].where == str(path)
    assert (settings.import_threads, settings.sources["import_threads"].where) == (
        5,
        "THUMPER_IMPORT_THREADS",
    )
    assert (settings.import_batch, settings.sources["import_batch"].kind) == (11, "flag")


def test_config_file_from_env_and_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / "env.toml"
    env_file.write_text("import_threads = 2\n")
    flag_file = tmp_path / "flag.toml"
    flag_file.write_text("import_threads = 6\n")
    monkeypatch.setenv("THUMPER_CONFIG", str(env_file))
    assert load_settings().import_threads == 2
    assert load_settings(config_file=flag_file).import_threads == 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("colour = 'brown'\n", "unknown key 'colour'"),
        ("import_threads = 'many'\n", "key 'import_threads': expected an integer, got 'many'"),
        ("import_threads = true\n", "key 'import_threads': expected an integer"),
        ("import_batch = 0\n", "key 'import_batch': must be at least 1"),
        ("timezone = 'Mars/Olympus'\n", "key 'timezone': unknown time zone 'Mars/Olympus'"),
        ("database_url = 'mysql://x/y'\n", "key 'database_url': unsupported database 'mysql'"),
        ("database_url = 5\n", "key 'database_url': expected a string"),
        ("import_threads = \n", "not valid TOML"),
        ("device = 'gpu'\n", "key 'device': expected auto, cpu, cuda or cuda:N, got 'gpu'"),
        ("telemetry_days = 3\n", "key 'telemetry_days': must be at least 7, got 3"),
        ("confidence = 1.5\n", "key 'confidence': must be between 0 and 1 (exclusive), got 1.5"),
        ("iou = 0\n", "key 'iou': must be above 0 and at most 1, got 0.0"),
        ("imgsz = 500\n", "key 'imgsz': expected 'auto' or a multiple of 32 from 32 up, got 500"),
        ("category_map = 'x'\n", "key 'category_map': expected Name=category pairs"),
        (
            "[category_map]\nMature = 'stag'\n",
            "key 'category_map': class 'Mature': expected one of buck, doe, fawn, unknown, other",
        ),
    ],
)
def test_bad_file_values_name_key_and_file(isolated_home: Path, text: str, expected: str) -> None:
    path = write_config(isolated_home, text)
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert expected in str(err.value)
    assert str(path) in str(err.value)


def test_unreadable_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(config_file=tmp_path)  # a directory cannot be read as a file
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(config_file=tmp_path / "missing.toml")


def test_unknown_env_variable_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THUMPER_THRESHHOLD", "0.5")
    with pytest.raises(ConfigError, match="unknown variable THUMPER_THRESHHOLD"):
        load_settings()


def test_cli_config_error_is_one_line_exit_2(isolated_home: Path) -> None:
    write_config(isolated_home, "import_threads = 'many'\n")
    for args in (["config", "show"], ["status"], ["import", str(isolated_home)]):
        result = run_cli(*args)
        assert result.exit_code == 2, args
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith("thumper: config error:")
        assert "import_threads" in result.stderr
        assert "Traceback" not in result.output


def test_config_show_masks_password_and_names_sources(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_config(isolated_home, "import_batch = 50\n")
    monkeypatch.setenv("THUMPER_DATABASE_URL", "postgresql://deer:s3cr3t@db.example/thumper")
    result = run_cli("config", "show", "--json")
    assert result.exit_code == 0
    assert "s3cr3t" not in result.output
    data = json.loads(result.output)
    assert data["config_file"] == str(path)
    assert data["settings"]["database_url"] == {
        "value": "postgresql://deer:***@db.example/thumper",
        "source": "env",
        "origin": "THUMPER_DATABASE_URL",
    }
    assert data["settings"]["import_batch"]["source"] == "file"
    assert data["settings"]["import_threads"]["source"] == "default"
    text = run_cli("--database-url", "postgresql://a:pw@h/db", "config", "show").output
    assert "pw@" not in text
    (line,) = [line for line in text.splitlines() if line.startswith("database_url")]
    assert line.split() == ["database_url", "postgresql://a:***@h/db", "flag", "(--database-url)"]


def test_model_setting_defaults_to_the_demo_detector(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings().model_path() is None
    assert "(the shipped demo detector)" in run_cli("config", "show").stdout
    monkeypatch.setenv("THUMPER_MODEL", "~/weights/best.pt")
    assert load_settings().model_path() == Path.home() / "weights" / "best.pt"


def test_detector_settings_from_file_and_environment(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert load_settings().imgsz is None and load_settings().confidence == 0.25
    write_config(
        isolated_home,
        "confidence = 0.4\nimgsz = 'auto'\nclassifier = '~/crops.pt'\n"
        "[category_map]\nAntlered = 'buck'\nYearling = 'Unknown'\n",
    )
    settings = load_settings()
    assert settings.confidence == 0.4 and settings.imgsz is None
    assert settings.classifier == str(Path("~/crops.pt").expanduser())
    # Laid over the default map, keys lower-case: a user names only what differs.
    assert settings.category_map["antlered"] == "buck"
    assert settings.category_map["yearling"] == "unknown"
    assert settings.category_map["doe"] == "doe"
    monkeypatch.setenv("THUMPER_CATEGORY_MAP", "Doe=other, Spike=buck")
    monkeypatch.setenv("THUMPER_IMGSZ", "768")
    settings = load_settings()
    assert settings.imgsz == 768 and settings.sources["category_map"].kind == "env"
    assert settings.category_map["doe"] == "other" and settings.category_map["spike"] == "buck"
    assert "antlered" not in settings.category_map, "the environment replaces the file's table"
