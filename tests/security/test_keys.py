"""Recording keys: the keychain key is made once and found again by id; no keychain refuses
(never plaintext); passphrase mode stores only salt and verifier; the CLI reports status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.core.settings import Settings, load_settings, save_settings
from app.security import keys
from app.security.errors import KeyUnavailableError, PassphraseError

PASS = "correct horse battery staple"


def test_keychain_key_is_made_once_and_found_by_id(test_keychain: Path, tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings = Settings(recording_encryption="keychain")
    key = keys.recording_key(settings, path)
    assert key is not None and len(key.secret) == 32
    stored = load_settings(path)
    assert stored.recording_key_id == key.key_id.hex()
    assert key.secret.hex() not in path.read_text()  # only the id is in settings
    assert keys.recording_key(stored, path) == key  # the same key on the next start
    keys.forget_all()
    assert keys.find_key(key.key_id) == key  # a reader finds it by the id in the file
    assert keys.keychain_status().usable


def test_no_keychain_refuses_with_the_admin_option(no_keychain: None, tmp_path: Path) -> None:
    settings = Settings(recording_encryption="keychain")
    with pytest.raises(KeyUnavailableError) as err:
        keys.recording_key(settings, tmp_path / "settings.json")
    msg = err.value.user_message()
    assert msg.startswith("Recording refused: recordings must be encrypted and no OS keychain")
    assert "keyring.backends.fail.Keyring" in msg and "passphrase-mode" in msg
    assert err.value.kind.exit_code == 69
    status = keys.keychain_status()
    assert not status.usable and status.backend == "keyring.backends.fail.Keyring"


def test_key_missing_from_the_keychain_is_not_replaced(test_keychain: Path, tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    settings = Settings(recording_encryption="keychain", recording_key_id="ab" * 16)
    with pytest.raises(KeyUnavailableError, match="is not in the keychain"):
        keys.recording_key(settings, path)
    with pytest.raises(KeyUnavailableError, match="is neither in the keychain"):
        keys.find_key(b"\xab" * 16)


def test_passphrase_mode(no_keychain: None, tmp_path: Path) -> None:
    """Works without a keychain; settings hold salt and verifier, never the key."""
    path = tmp_path / "settings.json"
    record = keys.passphrase_record(PASS)
    settings = Settings(recording_encryption="passphrase", recording_passphrase=record)
    save_settings(path, settings)
    with pytest.raises(KeyUnavailableError, match="no passphrase was entered"):
        keys.recording_key(settings, path)
    with pytest.raises(PassphraseError, match="passphrase is wrong"):
        keys.recording_key(settings, path, passphrase=PASS + "!")
    key = keys.recording_key(settings, path, passphrase=PASS)
    assert key is not None
    assert key.secret.hex() not in path.read_text() and PASS not in path.read_text()
    assert keys.find_key(key.key_id) == key  # unlocked for this process
    keys.forget_all()
    with pytest.raises(KeyUnavailableError, match="is not unlocked"):
        keys.find_key(key.key_id)
    # The same passphrase gives the same key on the next start.
    assert keys.unlock_passphrase(record, PASS) == key
    with pytest.raises(PassphraseError, match="at least 12 characters"):
        keys.passphrase_record("short")
    with pytest.raises(PassphraseError, match="recording_passphrase"):
        keys.unlock_passphrase("scrypt$x", PASS)


def test_settings_upgrade_from_version_2(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"version": 2, "language": "en"}), encoding="utf-8")
    settings = load_settings(path)
    assert settings.version == 4 and settings.recording_encryption == "keychain"
    assert settings.database_encryption
    assert json.loads(path.read_text())["version"] == 4


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The `roundtwo` CLI in this process (the keychain fixture applies to it directly)."""
    from app.cli.main import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_status_and_modes(
    cli,  # type: ignore[no-untyped-def]
    home: Path,
    no_keychain: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    r = cli("privacy", "keys", "status", "--json")  # one real process: the env picks the backend
    assert r.returncode == 0, r.stderr
    status = json.loads(r.stdout)
    assert status["backend"] == "keyring.backends.fail.Keyring"
    assert status["keychain_usable"] is False and status["mode"] == "keychain"
    code, _, err = _run(capsys, "privacy", "keys", "keychain-mode")
    assert code == 69 and "Recording refused" in err
    assert load_settings(home / "settings.json").recording_encryption == "keychain"
    code, _, err = _run(capsys, "privacy", "keys", "passphrase-mode")
    assert code == 65 and "--yes" in err
    monkeypatch.setenv(keys.PASSPHRASE_ENV, PASS)
    code, _, err = _run(capsys, "privacy", "keys", "passphrase-mode", "--yes")
    assert code == 0, err
    settings = load_settings(home / "settings.json")
    assert settings.recording_encryption == "passphrase"
    assert settings.recording_passphrase.startswith("scrypt$32768$8$1$")
    code, out, _ = _run(capsys, "privacy", "keys", "status", "--json")
    assert json.loads(out)["passphrase_set"] is True


def test_cli_keychain_mode(
    home: Path, test_keychain: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "privacy", "keys", "keychain-mode")
    assert code == 0, err
    key_id = load_settings(home / "settings.json").recording_key_id
    assert key_id and key_id in out
    code, out, _ = _run(capsys, "privacy", "keys", "status", "--json")
    assert json.loads(out) == {
        "mode": "keychain",
        "backend": "tests.security.keyring_backend.TestFileKeyring",
        "keychain_usable": True,
        "keychain_problem": "",
        "key_id": key_id,
        "key_in_keychain": True,
        "passphrase_set": False,
    }
