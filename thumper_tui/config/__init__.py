"""Settings: defaults < config file < ``THUMPER_*`` environment < command-line flags.

Every setting remembers where its value came from, so ``thumper config show`` can explain it.
A bad value anywhere raises :class:`ConfigError` with a one-line message naming the key and
the place it came from.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from thumper_tui import paths
from thumper_tui.config import values

ENV_PREFIX = "THUMPER_"
DEFAULT_THEME = "thumper-dark"
CONFIG_ENV = "THUMPER_CONFIG"


class ConfigError(Exception):
    """A setting could not be read or has a bad value; the message is one line for the user."""


@dataclass(frozen=True)
class Field:
    """One setting: its default, how to parse a raw value, and what it is for."""

    name: str
    parse: Callable[[object], Any]
    default: Callable[[], Any]
    help: str
    secret_url: bool = False


def _default_database_url() -> str:
    return f"sqlite:///{paths.data_dir() / 'thumper.db'}"


PHOTO_RENDERERS = ("auto", "kitty", "sixel", "halfblock", "unicode")

FIELDS: tuple[Field, ...] = (
    Field(
        "database_url",
        lambda v: values.database_url(values.as_str(v)),
        _default_database_url,
        "SQLite file or PostgreSQL URL (postgresql://user:password@host/db)",
        secret_url=True,
    ),
    Field(
        "timezone",
        lambda v: values.timezone(values.as_str(v)),
        lambda: "local",
        "zone of the camera clocks, an IANA name or 'local' for this machine's",
    ),
    Field(
        "model",
        values.weights_path,
        lambda: "",
        "detector weights (an ultralytics YOLO .pt); empty: the shipped demo detector",
    ),
    Field(
        "confidence",
        values.confidence,
        lambda: 0.25,
        "detector: the confidence a box needs to be kept",
    ),
    Field(
        "iou",
        values.iou,
        lambda: 0.7,
        "detector: boxes of one class overlapping more than this are one (non-maximum suppression)",
    ),
    Field(
        "imgsz",
        values.image_size,
        lambda: None,
        "detector input size in pixels; auto: the size the weights were trained at, else 640",
    ),
    Field(
        "category_map",
        values.category_map,
        lambda: values.category_map({}),
        "model class name -> buck, doe, fawn, unknown or other (a TOML table laid over the "
        "default; THUMPER_CATEGORY_MAP='Mature=buck,Young=buck')",
    ),
    Field(
        "classifier",
        values.weights_path,
        lambda: "",
        "optional ultralytics classification weights run on each deer crop to decide buck, doe "
        "or fawn through category_map; empty: the detector's class decides",
    ),
    Field(
        "device",
        lambda v: values.device(values.as_str(v)),
        lambda: "auto",
        "where the detector runs: auto (the first GPU if torch sees one, else cpu), cpu, cuda:N",
    ),
    Field(
        "batch_size",
        lambda v: values.positive(values.as_int(v)),
        lambda: 8,
        "images a worker claims and writes per transaction",
    ),
    Field(
        "lease_seconds",
        lambda v: values.positive(values.as_int(v)),
        lambda: 120,
        "how long a worker's claim on an image lasts without a heartbeat",
    ),
    Field(
        "reid_threshold",
        values.optional_threshold,
        lambda: None,
        "similarity a deer needs to join a profile; empty: the shipped embedder's own",
    ),
    Field(
        "schedule",
        lambda v: values.cron(values.as_str(v)),
        lambda: "0 2 * * 0",
        "when workers run the weekly run, a cron expression in ranch time; 'off' for never",
    ),
    Field(
        "schedule_full",
        values.choice("changed", "always"),
        lambda: "changed",
        "the weekly run is full when what shapes results changed (changed), or always",
    ),
    Field(
        "ready_max_profiles",
        lambda v: values.positive(values.as_int(v)),
        lambda: 50,
        "readiness: fewer live profiles than this",
    ),
    Field(
        "ready_max_weekly_change",
        values.share,
        lambda: 0.05,
        "readiness: the profile count moved less than this share, two weeks running",
    ),
    Field(
        "ready_min_assignment",
        values.share,
        lambda: 0.70,
        "readiness: more of the deer detections than this share in a profile",
    ),
    Field(
        "health_max_new_per_day",
        lambda v: values.positive(values.as_int(v)),
        lambda: 10,
        "daily health: more new profiles a day than this, on several days, is too strict",
    ),
    Field(
        "target_images_per_min",
        lambda v: values.positive(values.as_int(v)),
        lambda: 1200,
        "weekly report: the throughput a run should reach",
    ),
    Field(
        "target_gpu_busy",
        values.share,
        lambda: 0.90,
        "weekly report: the share of time the GPU should be busy during runs",
    ),
    Field(
        "telemetry_days",
        lambda v: values.at_least(7, values.as_int(v)),
        lambda: 35,
        "days of GPU and throughput samples workers keep (the weekly report reads a week)",
    ),
    Field(
        "import_threads",
        lambda v: values.positive(values.as_int(v)),
        lambda: min(8, (os.cpu_count() or 1) * 2),
        "threads that read and hash photos during import",
    ),
    Field(
        "import_batch",
        lambda v: values.positive(values.as_int(v)),
        lambda: 500,
        "photos written to the database per transaction during import",
    ),
    Field(
        "theme",
        lambda v: values.as_str(v).strip() or DEFAULT_THEME,
        lambda: DEFAULT_THEME,
        "dashboard theme: thumper-dark, thumper-light, thumper-256 or any Textual theme",
    ),
    Field(
        "photos",
        values.choice(*PHOTO_RENDERERS),
        lambda: "auto",
        "how the dashboard draws photos: auto (Kitty or Sixel graphics where the terminal has "
        "them, else half-blocks), kitty, sixel, halfblock, unicode",
    ),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}


@dataclass(frozen=True)
class Source:
    """Where a value came from: ``kind`` is default, file, env or flag; ``where`` says which."""

    kind: str
    where: str = ""

    def __str__(self) -> str:
        return self.kind if not self.where else f"{self.kind} ({self.where})"


@dataclass(frozen=True)
class Settings:
    """The effective settings, with the source of each value."""

    database_url: str
    timezone: str
    model: str
    batch_size: int
    lease_seconds: int
    import_threads: int
    import_batch: int
    theme: str = DEFAULT_THEME
    photos: str = "auto"
    device: str = "auto"
    confidence: float = 0.25
    iou: float = 0.7
    imgsz: int | None = None
    category_map: Mapping[str, str] = field(default_factory=lambda: values.category_map({}))
    classifier: str = ""
    telemetry_days: int = 35
    reid_threshold: float | None = None
    schedule: str = "0 2 * * 0"
    schedule_full: str = "changed"
    ready_max_profiles: int = 50
    ready_max_weekly_change: float = 0.05
    ready_min_assignment: float = 0.70
    health_max_new_per_day: int = 10
    target_images_per_min: int = 1200
    target_gpu_busy: float = 0.90
    config_file: Path | None = None
    sources: Mapping[str, Source] = field(default_factory=dict)

    def model_path(self) -> Path | None:
        """The configured detector weights, or ``None`` for the shipped demo detector."""
        return Path(self.model) if self.model else None

    def classifier_path(self) -> Path | None:
        """The configured crop classifier's weights, or ``None`` for none."""
        return Path(self.classifier) if self.classifier else None

    def zone(self) -> ZoneInfo:
        """The camera-clock zone as a ``ZoneInfo``; ``local`` resolves to this machine's zone."""
        return resolve_zone(self.timezone)


def resolve_zone(name: str) -> ZoneInfo:
    """``ZoneInfo`` for an IANA name, or this machine's zone for ``local``."""
    if name != "local":
        return ZoneInfo(name)
    import tzlocal

    try:
        return ZoneInfo(tzlocal.get_localzone_name() or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _read_file(path: Path, explicit: bool) -> dict[str, object]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"{path}: config file not found") from None
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ConfigError(f"{path}: cannot read config file: {reason}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def load_settings(
    flags: Mapping[str, object] | None = None,
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Resolve every setting from defaults, the config file, the environment and ``flags``.

    ``flags`` maps setting names to values given on the command line (``None`` means not given).
    ``config_file`` is the ``--config`` flag; else ``THUMPER_CONFIG``; else the XDG default.
    """
    env = os.environ if environ is None else environ
    explicit = config_file is not None or bool(env.get(CONFIG_ENV))
    path = config_file or (Path(env[CONFIG_ENV]) if env.get(CONFIG_ENV) else None)
    path = (path or paths.default_config_file()).expanduser()

    values: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    for f in FIELDS:
        values[f.name] = f.default()
        sources[f.name] = Source("default")

    def apply(name: str, raw: object, source: Source, label: str) -> None:
        spec = FIELD_BY_NAME[name]
        try:
            values[name] = spec.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"{label}: key '{name}': {exc}") from None
        sources[name] = source

    from_file = _read_file(path, explicit)
    for key, raw in from_file.items():
        if key not in FIELD_BY_NAME:
            raise ConfigError(f"{path}: unknown key '{key}' (known: {', '.join(FIELD_BY_NAME)})")
        apply(key, raw, Source("file", str(path)), str(path))

    for var, raw in env.items():
        if not var.startswith(ENV_PREFIX) or var == CONFIG_ENV:
            continue
        key = var[len(ENV_PREFIX) :].lower()
        if key not in FIELD_BY_NAME:
            known = ", ".join(ENV_PREFIX + k.upper() for k in FIELD_BY_NAME)
            raise ConfigError(f"environment: unknown variable {var} (known: {known})")
        apply(key, raw, Source("env", var), f"environment {var}")

    for key, raw in (flags or {}).items():
        if raw is not None:
            apply(key, raw, Source("flag", "--" + key.replace("_", "-")), "command line")

    return Settings(
        **values,
        config_file=path if path.exists() else None,
        sources=sources,
    )


def display_value(settings: Settings, name: str) -> object:
    """A setting's value as safe to show: passwords in URLs are masked."""
    value = getattr(settings, name)
    if FIELD_BY_NAME[name].secret_url:
        from thumper_tui.store.url import mask_url

        return mask_url(str(value))
    if name == "model" and not value:
        return "(the shipped demo detector)"
    if name == "classifier" and not value:
        return "(none: the detector's class decides)"
    if name == "imgsz" and value is None:
        return "auto"
    if name == "category_map":
        return dict(value)
    if name == "timezone" and value == "local":
        return f"local ({resolve_zone('local').key})"
    return value
