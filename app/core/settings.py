"""Typed settings with defaults, stored as JSON in the data directory, upgraded by version."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.core.errors import DataDirError, SettingsError

log = logging.getLogger(__name__)

SETTINGS_VERSION = 4


class Settings(BaseModel):
    """Every user-changeable setting, with its default and meaning."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    version: int = Field(SETTINGS_VERSION, description="Schema version of this file.")
    device_id: str = Field(
        default_factory=lambda: uuid.uuid4().hex,
        description="This laptop's identity towards the hub; made once, never changed.",
    )
    user_name: str = Field("", description="The interviewer using this laptop (ratings, audit).")
    language: Literal["zh_CN", "en"] = Field("zh_CN", description="Interface language.")
    compliance_profile: str = Field(
        "strict",
        description="Active compliance profile; set by the hub for the organisation.",
    )
    hub_url: str = Field("", description="Address of the central hub; empty = work offline.")
    camera: str = Field("0", description="Camera device index, or a video file path/URL.")
    microphone: str = Field("", description="Microphone device name; empty = system default.")
    show_ai_live: bool = Field(
        False,
        description="Show AI suggestions during the interview (off: shown after, no anchoring).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    db_busy_timeout_s: float = Field(
        5.0, ge=0.0, le=120.0, description="How long to wait for a database lock."
    )
    extra_profile_dirs: list[str] = Field(
        default_factory=list, description="More folders with job profiles (YAML)."
    )
    recording_encryption: Literal["off", "keychain", "passphrase"] = Field(
        "keychain",
        description="Encryption at rest of recordings: key in the OS keychain, or a passphrase "
        "chosen by an admin; 'off' writes plaintext (development only, see docs/encryption.md).",
    )
    recording_key_id: str = Field(
        "", description="Id (hex) of this installation's recording key in the OS keychain."
    )
    recording_passphrase: str = Field(
        "", description="Passphrase mode: KDF, parameters, salt and verifier; never the key."
    )
    database_encryption: bool = Field(
        True,
        description="Encrypt the local database (SQLCipher) with a key derived from the same "
        "master key as recordings (keychain or passphrase, see 'recording_encryption'); off "
        "when 'recording_encryption' is 'off'.",
    )


# Each function takes the raw dict of version N and returns version N+1 (Picard style).
def _upgrade_1_to_2(raw: dict[str, Any]) -> dict[str, Any]:
    # Version 1 called the interface language "ui_lang" and used "zh".
    lang = raw.pop("ui_lang", None)
    if lang is not None:
        raw["language"] = "zh_CN" if str(lang).lower().startswith("zh") else "en"
    raw["version"] = 2
    return raw


def _upgrade_2_to_3(raw: dict[str, Any]) -> dict[str, Any]:
    # Version 3 adds encryption at rest, on for existing installations too: recordings are
    # biometric data, and a machine without a keychain must refuse rather than write plaintext
    # (an admin can choose passphrase mode).
    raw.setdefault("recording_encryption", "keychain")
    raw["version"] = 3
    return raw


def _upgrade_3_to_4(raw: dict[str, Any]) -> dict[str, Any]:
    # Version 4 encrypts the database too (the plaintext file is encrypted in place on the
    # next open), with the key source already chosen for recordings.
    raw.setdefault("database_encryption", True)
    raw["version"] = 4
    return raw


_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _upgrade_1_to_2,
    2: _upgrade_2_to_3,
    3: _upgrade_3_to_4,
}


def load_settings(path: Path) -> Settings:
    """Read settings; a missing file gives defaults (and is written), a bad one a clear error."""
    if not path.exists():
        settings = Settings()
        save_settings(path, settings)
        return settings
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path}: not UTF-8 text ({exc.reason}).") from exc
    except json.JSONDecodeError as exc:
        raise SettingsError(
            f"{path}: not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}).",
            hint="Fix the file or delete it to return to the defaults.",
        ) from exc
    if not isinstance(raw, dict):
        raise SettingsError(f"{path}: expected a JSON object at the top level.")
    version = raw.get("version", 1)
    if not isinstance(version, int) or version < 1:
        raise SettingsError(f"{path}: field 'version' must be a positive integer.")
    if version > SETTINGS_VERSION:
        raise SettingsError(
            f"{path}: written by a newer RoundTwo (settings version {version}, "
            f"this one knows {SETTINGS_VERSION})."
        )
    upgraded = version < SETTINGS_VERSION
    while version < SETTINGS_VERSION:
        raw = _UPGRADES[version](raw)
        version += 1
    unknown = sorted(set(raw) - set(Settings.model_fields))
    if unknown:
        log.warning("%s: ignoring unknown settings %s", path, ", ".join(unknown))
    try:
        settings = Settings.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise SettingsError(
            f"{path}: field '{field}': {first['msg']}.",
            hint="Fix the value or remove the field to use its default.",
        ) from exc
    if upgraded:
        save_settings(path, settings)
    return settings


def save_settings(path: Path, settings: Settings) -> None:
    """Write atomically (temp file + rename) so a crash never leaves half a file."""
    tmp = path.with_suffix(".json.tmp")
    data = settings.model_dump_json(indent=2)
    try:
        tmp.write_text(data + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise DataDirError(f"Cannot write settings to {path} ({exc.strerror}).") from exc
