"""The organisation's compliance profile on a laptop: applied when sync pulls it from the hub,
locked against changes by anyone but an administrator."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from app.core.compliance import (
    ComplianceProfile,
    compliance_dir,
    load_compliance_profile,
    profile_from_document,
)
from app.core.errors import ErrorKind, ProfileError, RoundTwoError
from app.core.paths import DataPaths
from app.core.settings import load_settings, save_settings
from app.sync import protocol as p
from app.sync.client import CredentialStore

log = logging.getLogger(__name__)

LOCK_NAME = "organisation.json"


class ProfileLockedError(RoundTwoError):
    """A person without the admin role tried to change the organisation's profile."""

    kind = ErrorKind.PERMISSION


def profile_dir(home: Path) -> Path:
    """Same place as `app.core.compliance.org_compliance_dir()` for the running data dir."""
    return home / "compliance"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


def org_lock(home: Path) -> dict[str, Any] | None:
    """What the hub last set ({profile_id, revision}), or None if it never set one."""
    path = profile_dir(home) / LOCK_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def apply_org_profile(home: Path, doc: p.OrgComplianceOut) -> str | None:
    """Validate the hub's profile with this laptop's own rules, store it and make it the
    active one. Returns the profile id, or None when the organisation has not chosen one."""
    if doc.revision == 0:
        return None
    source = f"The compliance profile from the hub (revision {doc.revision})"
    prof = profile_from_document(doc.profile, source)
    if prof.id != doc.profile_id:
        raise ProfileError(f"{source}: field 'id' is '{prof.id}', not '{doc.profile_id}'.")
    folder = profile_dir(home)
    # YAML is a superset of JSON: the loader reads this file like the bundled ones.
    _write(folder / f"{prof.id}.yaml", json.dumps(doc.profile, ensure_ascii=False, indent=1))
    _write(
        folder / LOCK_NAME,
        json.dumps({"profile_id": prof.id, "revision": doc.revision}, indent=1),
    )
    paths = DataPaths(home)
    settings = load_settings(paths.settings)
    if settings.compliance_profile != prof.id:
        log.info(
            "compliance profile %s -> %s (hub revision %d)",
            settings.compliance_profile,
            prof.id,
            doc.revision,
        )
        settings.compliance_profile = prof.id
        save_settings(paths.settings, settings)
    return prof.id


def active_profile(home: Path) -> ComplianceProfile:
    """The profile this data directory runs under (the organisation's copy comes first)."""
    settings = load_settings(DataPaths(home).settings)
    return load_compliance_profile(
        settings.compliance_profile, [profile_dir(home), compliance_dir()]
    )


def enrolled_role(home: Path) -> str | None:
    """The role this laptop's user has on the hub (from enrolment); None if not enrolled."""
    creds = CredentialStore(home).only()
    return creds.role if creds is not None else None


def change_profile(home: Path, profile_id: str) -> ComplianceProfile:
    """Change the active profile by hand. An enrolled laptop takes its profile from the
    organisation: only an administrator may change it here (and the next sync restores the
    hub's choice if the hub set one)."""
    role = enrolled_role(home)
    if role is not None and role != "admin":
        raise ProfileLockedError(
            "The compliance profile is set by your organisation and only an administrator "
            f"can change it; this laptop is enrolled as '{role}'.",
            hint="Ask an administrator to choose the profile on the hub.",
        )
    prof = load_compliance_profile(profile_id, [profile_dir(home), compliance_dir()])
    paths = DataPaths(home)
    settings = load_settings(paths.settings)
    settings.compliance_profile = prof.id
    save_settings(paths.settings, settings)
    return prof
