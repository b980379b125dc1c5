"""A run's recipe: everything that shapes its results, typed, recorded when the run starts.

The recipe is stored where runs always kept it (the model and re-ID columns of ``runs`` and
its ``settings`` JSON), so ``thumper runs --json`` keeps its shape and runs recorded before the
recipe existed still read: a missing consolidation weight reads as today's default, as the
engine has always treated it. What a user asked for when queueing (``reprocess --model``,
``--threshold``) is the run's :class:`RunRequest`, kept in the same JSON.

:meth:`RunRecipe.diff` says what changed between two runs: the reprocess advisor's question.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from thumper_tui.reid.evidence import ConsolidationRecipe
from thumper_tui.reid.gallery import DEFAULT_THRESHOLD

# Bumped when a fix changes what the pipeline produces from the same inputs and recipe.
PIPELINE_VERSION = "1"

_COLUMNS = ("model_path", "model_sha256", "model_classes", "reid_threshold", "pipeline_version")


@dataclass(frozen=True)
class RunRequest:
    """What was asked for when the run was queued: other weights, another join threshold,
    leave for the demo detector to run over photos that are not synthetic, or (an imported
    run) the detections file whose boxes it takes."""

    model: str | None = None
    reid_threshold: float | None = None
    allow_demo_model: bool = False
    source: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The keys a queued run's ``settings`` holds (only those asked for)."""
        out: dict[str, Any] = {}
        if self.model:
            out["model"] = self.model
        if self.reid_threshold is not None:
            out["reid_threshold"] = self.reid_threshold
        if self.allow_demo_model:
            out["allow_demo_model"] = True
        if self.source:
            out["detections_source"] = dict(self.source)
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> RunRequest:
        """The request in a run's ``settings``."""
        data = data or {}
        threshold = data.get("reid_threshold")
        return cls(
            model=str(data["model"]) if data.get("model") else None,
            reid_threshold=None if threshold is None else float(threshold),
            allow_demo_model=bool(data.get("allow_demo_model")),
            source=data.get("detections_source") or None,
        )


@dataclass(frozen=True)
class Change:
    """One field of the recipe that differs between two runs."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class RunRecipe:
    """Everything that shapes a run's results. ``None`` marks what an old run did not record."""

    model_path: str | None = None
    model_sha256: str | None = None
    model_classes: tuple[str, ...] = ()
    imgsz: int | None = None
    confidence: float | None = None
    iou: float | None = None
    duplicate_iou: float | None = None
    category_map: Mapping[str, str] = field(default_factory=dict)
    classifier_path: str | None = None
    classifier_sha256: str | None = None
    classifier_classes: tuple[str, ...] = ()
    device: str | None = None
    half: bool | None = None
    embedder: str = ""
    reid_threshold: float = DEFAULT_THRESHOLD
    consolidation: ConsolidationRecipe = field(default_factory=ConsolidationRecipe)
    pipeline_version: str | None = None
    # where an imported run's boxes came from (format, file, its sha256, the detector named)
    source: Mapping[str, Any] | None = None

    def settings_json(self) -> dict[str, Any]:
        """The part stored in ``runs.settings`` (the rest has columns of its own)."""
        c = self.consolidation
        return {
            "imgsz": self.imgsz,
            "confidence": self.confidence,
            "iou": self.iou,
            "duplicate_iou": self.duplicate_iou,
            "category_map": dict(self.category_map),
            "classifier_path": self.classifier_path,
            "classifier_sha256": self.classifier_sha256,
            "classifier_classes": list(self.classifier_classes),
            "device": self.device,
            "half": self.half,
            "embedder": self.embedder,
            "merge_threshold": c.merge_threshold,
            "small_threshold": c.small_threshold,
            "sex_evidence": {
                "first_pass_weight": c.first_pass_sex_weight,
                "small_pass_weight": c.small_pass_sex_weight,
                "head_votes": c.head_votes,
            },
            "haunt_weight": c.haunt_weight,
            "together_max_iou": c.together_max_iou,
            "sex_margin": c.sex_margin,
            "detections_source": dict(self.source) if self.source else None,
        }

    def column_values(self) -> dict[str, Any]:
        """The part stored in the columns of ``runs``."""
        return {
            "model_path": self.model_path,
            "model_sha256": self.model_sha256,
            "model_classes": list(self.model_classes),
            "reid_threshold": self.reid_threshold,
            "pipeline_version": self.pipeline_version,
        }

    def to_json(self) -> dict[str, Any]:
        """The whole recipe as one flat JSON object."""
        return {**self.column_values(), **self.settings_json()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> RunRecipe:
        """A recipe from :meth:`to_json`'s shape, or a run's ``settings`` merged with its
        columns; whatever is missing takes its default."""
        data = data or {}
        evidence = data.get("sex_evidence") or {}
        defaults = ConsolidationRecipe()
        threshold = data.get("reid_threshold")
        return cls(
            model_path=_opt(str, data.get("model_path")),
            model_sha256=_opt(str, data.get("model_sha256")),
            model_classes=tuple(str(c) for c in data.get("model_classes") or ()),
            imgsz=_opt(int, data.get("imgsz")),
            confidence=_opt(float, data.get("confidence")),
            iou=_opt(float, data.get("iou")),
            duplicate_iou=_opt(float, data.get("duplicate_iou")),
            category_map={str(k): str(v) for k, v in (data.get("category_map") or {}).items()},
            classifier_path=_opt(str, data.get("classifier_path")),
            classifier_sha256=_opt(str, data.get("classifier_sha256")),
            classifier_classes=tuple(str(c) for c in data.get("classifier_classes") or ()),
            device=_opt(str, data.get("device")),
            half=_opt(bool, data.get("half")),
            embedder=str(data.get("embedder") or ""),
            reid_threshold=DEFAULT_THRESHOLD if threshold is None else float(threshold),
            consolidation=ConsolidationRecipe(
                merge_threshold=_opt(float, data.get("merge_threshold")),
                small_threshold=_opt(float, data.get("small_threshold")),
                first_pass_sex_weight=float(
                    evidence.get("first_pass_weight", defaults.first_pass_sex_weight)
                ),
                small_pass_sex_weight=float(
                    evidence.get("small_pass_weight", defaults.small_pass_sex_weight)
                ),
                head_votes=float(evidence.get("head_votes", defaults.head_votes)),
                haunt_weight=float(data.get("haunt_weight", defaults.haunt_weight)),
                together_max_iou=float(data.get("together_max_iou", defaults.together_max_iou)),
                sex_margin=float(data.get("sex_margin", defaults.sex_margin)),
            ),
            pipeline_version=_opt(str, data.get("pipeline_version")),
            source=data.get("detections_source") or None,
        )

    @classmethod
    def from_row(cls, row: Any) -> RunRecipe:
        """The recipe of a ``runs`` row (or any row with its recipe columns and settings)."""
        merged = dict(row.settings or {})
        merged.update({name: getattr(row, name) for name in _COLUMNS})
        return cls.from_json(merged)

    def diff(self, other: RunRecipe) -> list[Change]:
        """What differs from this recipe in ``other``, field by field (consolidation fields as
        ``consolidation.NAME``), in declaration order."""
        changes = []
        for name, before, after in _flat(self, other):
            if before != after:
                changes.append(Change(name, before, after))
        return changes


def recipe_columns() -> tuple[str, ...]:
    """The ``runs`` columns :meth:`RunRecipe.from_row` reads besides ``settings``."""
    return _COLUMNS


def _flat(a: RunRecipe, b: RunRecipe) -> list[tuple[str, Any, Any]]:
    out = []
    for f in fields(RunRecipe):
        if f.name == "consolidation":
            for g in fields(ConsolidationRecipe):
                out.append(
                    (
                        f"consolidation.{g.name}",
                        getattr(a.consolidation, g.name),
                        getattr(b.consolidation, g.name),
                    )
                )
        else:
            before, after = getattr(a, f.name), getattr(b, f.name)
            if isinstance(before, Mapping) or isinstance(after, Mapping):
                before, after = dict(before or {}), dict(after or {})
            out.append((f.name, before, after))
    return out


def _opt(kind: Any, value: Any) -> Any:
    return None if value is None else kind(value)
