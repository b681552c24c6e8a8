from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.errors import ErrorKind, SettingsError
from app.core.paths import default_home, prepare_home
from app.core.settings import SETTINGS_VERSION, Settings, load_settings, save_settings


def test_missing_file_gives_defaults_and_writes_them(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    s = load_settings(path)
    assert s.language == "zh_CN"
    assert s.compliance_profile == "strict"
    assert s.show_ai_live is False
    assert path.exists()
    again = load_settings(path)
    assert again.device_id == s.device_id, "device id must be stable across runs"


def test_round_trip_of_a_changed_value(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    s = load_settings(path)
    s.language = "en"
    s.hub_url = "http://127.0.0.1:8000"
    save_settings(path, s)
    loaded = load_settings(path)
    assert (loaded.language, loaded.hub_url) == ("en", "http://127.0.0.1:8000")


def test_invalid_json_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{\n  "language": "en",\n  oops\n}', encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert str(path) in err.value.message
    assert "line 3" in err.value.message
    assert err.value.kind is ErrorKind.INVALID_INPUT


def test_invalid_field_is_named(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": SETTINGS_VERSION, "language": "fr"}), encoding="utf-8")
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert "'language'" in err.value.message


def test_version_1_file_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 1, "ui_lang": "en", "hub_url": "x"}), encoding="utf-8")
    s = load_settings(path)
    assert s.language == "en" and s.hub_url == "x"
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["version"] == SETTINGS_VERSION and "ui_lang" not in stored


def test_file_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": SETTINGS_VERSION + 1}), encoding="utf-8")
    with pytest.raises(SettingsError, match="newer RoundTwo"):
        load_settings(path)


def test_unknown_keys_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": SETTINGS_VERSION, "future": 1}), encoding="utf-8")
    assert isinstance(load_settings(path), Settings)


def test_roundtwo_home_overrides_platform_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROUNDTWO_HOME", str(tmp_path / "h"))
    assert default_home() == (tmp_path / "h").resolve()
    monkeypatch.delenv("ROUNDTWO_HOME")
    assert "RoundTwo" in str(default_home())


def test_prepare_home_refuses_a_file(tmp_path: Path) -> None:
    f = tmp_path / "not-a-dir"
    f.write_text("x")
    with pytest.raises(Exception, match="is a file"):
        prepare_home(f)


def test_prepare_home_creates_layout(tmp_path: Path) -> None:
    paths = prepare_home(tmp_path / "new")
    assert paths.logs.is_dir() and paths.recordings.is_dir()
