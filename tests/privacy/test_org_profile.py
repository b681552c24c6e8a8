"""The organisation's compliance profile: an admin sets it on the hub, laptops apply it at
sync, people without the admin role cannot change it locally, and a profile that would enable
emotion/affect inference is refused by the hub (422 naming the field) and by the laptop."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.core.compliance import compliance_dir, permissions
from app.core.domain import ConsentPurpose, Role
from app.core.errors import ProfileError
from app.core.settings import Settings, load_settings, save_settings
from app.storage.db import Database
from app.sync import protocol as p
from app.sync.client import CredentialStore, HubClient
from app.sync.engine import Syncer
from app.sync.orgprofile import (
    ProfileLockedError,
    active_profile,
    apply_org_profile,
    change_profile,
)
from server.config import HubSettings
from tests.server.hubtools import HubThread, Org, new_org, running_hub

ALL = set(ConsentPurpose)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HubThread]:
    tmp = tmp_path_factory.mktemp("hub")
    settings = HubSettings(
        database_url=f"sqlite:///{tmp / 'hub.db'}",
        data_dir=tmp,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
    )
    with running_hub(settings) as h:
        yield h


@pytest.fixture
def org(hub: HubThread) -> Org:
    return new_org(hub)


def _doc(profile_id: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(
        (compliance_dir() / f"{profile_id}.yaml").read_text("utf-8")
    )
    return data


def _laptop(home: Path, org: Org, role: Role, profile: str) -> None:
    home.mkdir(parents=True, exist_ok=True)
    save_settings(home / "settings.json", Settings(compliance_profile=profile))
    uid, _ = org.add_user(role)
    with HubClient(org.hub.url, store=CredentialStore(home)) as c:
        c.enrol(org.enrolment_code(uid), "laptop")


def _sync(home: Path) -> dict[str, Any]:
    db = Database(home / "roundtwo.db").open()
    store = CredentialStore(home)
    try:
        with HubClient(store.only().hub_url, credentials=store.only(), store=store) as c:  # type: ignore[union-attr]
            return Syncer(db, c, home=home).run().as_dict()
    finally:
        db.close()


def _set(org: Org, body: dict[str, Any], token: str | None = None) -> Any:
    with org.client(token) as c:
        return c.put("/api/v1/admin/compliance-profile", json=body)


@pytest.mark.slow  # CLI processes
def test_the_hub_profile_reaches_the_laptop_and_forbids_storing_cues(
    org: Org, home: Path, cli: Any
) -> None:
    _laptop(home, org, Role.HR, "consented-nonverbal")
    assert permissions(active_profile(home), ALL).store_cues  # before: cues may be stored
    # An organisation that never chose one changes nothing on its laptops.
    assert _sync(home)["profile"] is None
    assert load_settings(home / "settings.json").compliance_profile == "consented-nonverbal"

    r = _set(org, {"profile_id": "strict"})
    assert r.status_code == 200, r.text
    assert r.json()["profile_id"] == "strict" and r.json()["revision"] == 1
    assert _sync(home)["profile"] == "strict"
    assert load_settings(home / "settings.json").compliance_profile == "strict"
    perm = permissions(active_profile(home), ALL)
    assert not perm.store_cues and not perm.sync_cues and perm.delivery_weight == 0.0
    assert perm.cue_runners <= {"face_detection", "face_count"}

    # A non-admin cannot change it back, neither through the CLI nor the library.
    out = cli("privacy", "profile", "--set", "consented-nonverbal")
    assert out.returncode == 77, out.stderr
    assert "only an administrator can change it" in out.stderr
    assert "enrolled as 'hr'" in out.stderr
    with pytest.raises(ProfileLockedError):
        change_profile(home, "consented-nonverbal")
    assert load_settings(home / "settings.json").compliance_profile == "strict"
    shown = cli("privacy", "profile")
    assert shown.returncode == 0 and "strict" in shown.stdout and "set by the hub" in shown.stdout


@pytest.mark.slow  # CLI processes
def test_an_admin_laptop_may_change_it_until_the_next_sync(org: Org, home: Path, cli: Any) -> None:
    assert _set(org, {"profile_id": "strict"}).status_code == 200
    _laptop(home, org, Role.ADMIN, "strict")
    _sync(home)
    out = cli("privacy", "profile", "--set", "consented-nonverbal")
    assert out.returncode == 0, out.stderr
    assert "the next sync restores it" in out.stdout
    assert _sync(home)["profile"] == "strict"
    assert load_settings(home / "settings.json").compliance_profile == "strict"


def test_a_custom_profile_document_is_delivered(org: Org, home: Path) -> None:
    doc = _doc("strict")
    doc.update(id="acme-strict", version=3)
    doc["retention_days"]["recordings"] = 30
    r = _set(org, {"profile": doc})
    assert r.status_code == 200, r.text
    _laptop(home, org, Role.INTERVIEWER, "consented-nonverbal")
    assert _sync(home)["profile"] == "acme-strict"
    prof = active_profile(home)
    assert prof.id == "acme-strict" and prof.retention_days.recordings == 30
    assert not permissions(prof, ALL).store_cues


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["cue_runners"].append("emotion"), "cue_runners"),
        (lambda d: d["forbidden_runner_tasks"].remove("affect"), "forbidden_runner_tasks"),
        (lambda d: d.update(emotion_inference=True), "emotion_inference"),
    ],
    ids=["emotion-runner", "affect-not-forbidden", "unknown-switch"],
)
def test_a_profile_enabling_emotion_inference_is_refused_by_hub_and_laptop(
    org: Org, home: Path, change: Any, field: str
) -> None:
    doc = copy.deepcopy(_doc("consented-nonverbal"))
    change(doc)
    r = _set(org, {"profile": doc})
    assert r.status_code == 422, r.text
    message = r.json()["detail"]["message"]
    assert f"field '{field}'" in message, message
    with org.client() as c:  # nothing was stored
        assert c.get("/api/v1/compliance/profile").json()["revision"] == 0
    # The laptop applies the same rules to whatever arrives, and keeps what it had.
    home.mkdir(parents=True)
    save_settings(home / "settings.json", Settings(compliance_profile="strict"))
    pushed = p.OrgComplianceOut(profile_id=doc["id"], revision=7, profile=doc)
    with pytest.raises(ProfileError, match=f"field '{field}'"):
        apply_org_profile(home, pushed)
    assert load_settings(home / "settings.json").compliance_profile == "strict"
    assert not (home / "compliance" / f"{doc['id']}.yaml").exists()


def test_only_an_admin_sets_the_profile(org: Org) -> None:
    _, hr = org.add_user(Role.HR)
    r = _set(org, {"profile_id": "consented-nonverbal"}, hr)
    assert r.status_code == 403
    both = _set(org, {"profile_id": "strict", "profile": _doc("strict")})
    assert both.status_code == 422 and "either" in both.json()["detail"]["message"]
    unknown = _set(org, {"profile_id": "anything-goes"})
    assert unknown.status_code == 422
    assert "anything-goes" in json.dumps(unknown.json())
