"""Domain vocabulary shared by the laptop, the CLI and the hub, and the job-match rule."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

LEVEL_MIN = 0
LEVEL_MAX = 10


class Lang(enum.StrEnum):
    ZH = "zh"
    EN = "en"


class CompetencyCategory(enum.StrEnum):
    GENERAL = "general"
    PROFESSIONAL = "professional"
    VALUES = "values"
    POTENTIAL = "potential"


class QuestionKind(enum.StrEnum):
    BEHAVIOURAL = "behavioural"
    SITUATIONAL = "situational"


class CareerTrack(enum.StrEnum):
    MANAGEMENT = "management"
    SPECIALIST = "specialist"
    MIXED = "mixed"


class InterviewStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    INTERRUPTED = "interrupted"
    CANCELLED = "cancelled"


class RecordingStatus(enum.StrEnum):
    RECORDING = "recording"
    COMPLETE = "complete"
    INTERRUPTED = "interrupted"


class ConsentPurpose(enum.StrEnum):
    RECORDING = "recording"
    AI_CONTENT = "ai_content"
    CAMERA_VOICE_CUES = "camera_voice_cues"
    SYNC_TO_HUB = "sync_to_hub"
    RETENTION = "retention"


class Role(enum.StrEnum):
    ADMIN = "admin"
    HR = "hr"
    HIRING_MANAGER = "hiring_manager"
    INTERVIEWER = "interviewer"


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    REJECTED = "rejected"


class OutboxOpKind(enum.StrEnum):
    UPSERT = "upsert"
    DELETE = "delete"


class EducationLevel(enum.StrEnum):
    """A fixed scale so legacy data from many sources compares (高中/大专/本科/硕士/博士)."""

    HIGH_SCHOOL = "high_school"
    ASSOCIATE = "associate"
    BACHELOR = "bachelor"
    MASTER = "master"
    DOCTORATE = "doctorate"
    OTHER = "other"


@dataclass(frozen=True)
class CompetencyBar:
    """What the match rule needs of one competency."""

    key: str
    weight: float
    required_level: int


def match_percent(bars: list[CompetencyBar], levels: Mapping[str, float | None]) -> float | None:
    """Job match % from final levels against thresholds and weights.

    Each competency contributes its weight times how far the level reaches the bar
    (level / required, capped at 1): exceeding one bar does not buy off a gap elsewhere.
    A competency that was not rated leaves its weight out of the denominator; with no
    rated competency there is no match figure (None), rather than a misleading 0 %.
    """
    total_weight = 0.0
    reached = 0.0
    for bar in bars:
        level = levels.get(bar.key)
        if level is None:
            continue
        if not LEVEL_MIN <= level <= LEVEL_MAX:
            raise ValueError(f"level {level} for {bar.key} is outside {LEVEL_MIN}..{LEVEL_MAX}")
        total_weight += bar.weight
        attainment = 1.0 if bar.required_level <= 0 else min(level / bar.required_level, 1.0)
        reached += bar.weight * attainment
    if total_weight <= 0:
        return None
    return round(100.0 * reached / total_weight, 1)


def meets_bar(bar: CompetencyBar, level: float | None) -> bool | None:
    return None if level is None else level >= bar.required_level
