"""Compliance profiles (data files) and the rule that turns profile + consent into permissions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from app.core.domain import ConsentPurpose
from app.core.errors import NotFoundError, ProfileError
from app.core.jobprofile import Text
from app.core.paths import default_home, resources_dir

# The C loader where PyYAML has it (ten times faster; same safe subset).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Runner tasks no profile may ever enable: emotion/affect inference is banned in EU
# recruitment and scientifically unsupported as a hiring signal.
ALWAYS_FORBIDDEN = frozenset({"expression", "emotion", "affect", "personality"})


class DeliveryDimension(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = False
    max_weight: float = Field(0.0, ge=0.0, le=0.2)


class CuePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    show_live: Literal["none", "quality_only", "all"] = "quality_only"
    store: bool = False
    sync: bool = False
    delivery_dimension: DeliveryDimension = Field(default_factory=DeliveryDimension)


class Retention(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    recordings: int = Field(ge=0)
    derived_features: int = Field(ge=0)
    candidate_record: int = Field(ge=0)


class ComplianceProfile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    version: int = Field(ge=1)
    title: Text
    description: Text
    notice_version: str
    cue_runners: list[str]
    forbidden_runner_tasks: list[str]
    cues: CuePolicy
    biometric_data_on_device_only: bool = True
    retention_days: Retention
    deletion_request_deadline_days: int = Field(30, ge=1, le=365)

    # Field validators too, so a refusal names the field (the hub answers 422 with it).
    @field_validator("cue_runners")
    @classmethod
    def _no_affect_runner(cls, v: list[str]) -> list[str]:
        bad = sorted(set(v) & ALWAYS_FORBIDDEN)
        if bad:
            raise ValueError(f"cue_runners may not include {bad} (emotion/affect inference)")
        return v

    @field_validator("forbidden_runner_tasks")
    @classmethod
    def _affect_forbidden(cls, v: list[str]) -> list[str]:
        missing = sorted(ALWAYS_FORBIDDEN - set(v))
        if missing:
            raise ValueError(f"forbidden_runner_tasks must include {missing}")
        return v

    @model_validator(mode="after")
    def _never_affect(self) -> ComplianceProfile:
        missing = sorted(ALWAYS_FORBIDDEN - set(self.forbidden_runner_tasks))
        if missing:
            raise ValueError(f"forbidden_runner_tasks must include {missing}")
        allowed_bad = sorted(set(self.cue_runners) & ALWAYS_FORBIDDEN)
        if allowed_bad:
            raise ValueError(f"cue_runners may not include {allowed_bad}")
        if self.cues.delivery_dimension.enabled and not self.cues.store:
            raise ValueError("a delivery dimension needs cues.store: true")
        return self


def compliance_dir() -> Path:
    return resources_dir() / "compliance"


def org_compliance_dir() -> Path:
    """Where a laptop keeps the profile its organisation's hub pushed (searched first)."""
    return default_home() / "compliance"


def profile_from_document(data: Any, source: str) -> ComplianceProfile:
    """Validate a profile given as data (e.g. pushed by or to the hub); the error names the
    source and the field."""
    try:
        return ComplianceProfile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        msg = str(first["msg"]).removeprefix("Value error, ")
        raise ProfileError(f"{source}: field '{field}': {msg}.") from exc


def load_compliance_profile(
    profile_id: str, dirs: Iterable[Path] | None = None
) -> ComplianceProfile:
    """Find `<id>.yaml` in the given folders (default: the one the organisation's hub pushed,
    then the bundled ones) and validate it."""
    for d in dirs if dirs is not None else [org_compliance_dir(), compliance_dir()]:
        path = d / f"{profile_id}.yaml"
        if path.exists():
            try:
                data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
                profile = ComplianceProfile.model_validate(data)
            except yaml.YAMLError as exc:
                raise ProfileError(f"{path}: not valid YAML ({exc}).") from exc
            except ValidationError as exc:
                first = exc.errors()[0]
                field = ".".join(str(p) for p in first["loc"]) or "(top level)"
                raise ProfileError(f"{path}: field '{field}': {first['msg']}.") from exc
            if profile.id != profile_id:
                raise ProfileError(f"{path}: field 'id' must equal the file name.")
            return profile
    raise NotFoundError(f"No compliance profile '{profile_id}'.")


@dataclass(frozen=True)
class Permissions:
    """What may happen in one interview, given the profile and the candidate's consent."""

    record: bool
    analyse_content: bool
    cue_runners: frozenset[str]
    show_cues: Literal["none", "quality_only", "all"]
    store_cues: bool
    sync_cues: bool
    sync: bool
    delivery_weight: float

    def runner_allowed(self, task: str) -> bool:
        return task not in ALWAYS_FORBIDDEN and task in self.cue_runners


QUALITY_RUNNERS = frozenset({"face_detection", "face_count"})


def permissions(profile: ComplianceProfile, granted: Iterable[ConsentPurpose]) -> Permissions:
    """Nothing is captured or analysed without the matching consent; cues beyond capture
    quality need their own, separate consent, and then only what the profile allows."""
    g = set(granted)
    record = ConsentPurpose.RECORDING in g
    cues_ok = ConsentPurpose.CAMERA_VOICE_CUES in g
    runners = set(profile.cue_runners) - set(profile.forbidden_runner_tasks) - ALWAYS_FORBIDDEN
    if not cues_ok:
        runners &= QUALITY_RUNNERS
    if not record:
        runners = set()
    store = profile.cues.store and cues_ok and record
    return Permissions(
        record=record,
        analyse_content=ConsentPurpose.AI_CONTENT in g,
        cue_runners=frozenset(runners),
        show_cues=profile.cues.show_live
        if cues_ok
        else ("quality_only" if profile.cues.show_live != "none" and record else "none"),
        store_cues=store,
        sync_cues=store and profile.cues.sync and ConsentPurpose.SYNC_TO_HUB in g,
        sync=ConsentPurpose.SYNC_TO_HUB in g,
        delivery_weight=(
            profile.cues.delivery_dimension.max_weight
            if store and profile.cues.delivery_dimension.enabled
            else 0.0
        ),
    )
