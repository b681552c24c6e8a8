"""Builds the services one run of RoundTwo needs (data dir, settings, logging, database)."""

from __future__ import annotations

import getpass
import logging
import sys
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.core.errors import NotFoundError, ProfileError, RoundTwoError
from app.core.jobprofile import JobProfile, load_profile
from app.core.logsetup import configure_logging
from app.core.paths import DataPaths, prepare_home, resources_dir
from app.core.settings import Settings, load_settings
from app.storage import repo
from app.storage.db import Database

log = logging.getLogger(__name__)


def bundled_profiles_dir() -> Path:
    return resources_dir() / "jobs"


@dataclass
class ProfileScan:
    profiles: list[JobProfile] = field(default_factory=list)
    origin: dict[str, Path] = field(default_factory=dict)
    problems: list[RoundTwoError] = field(default_factory=list)


def scan_profiles(dirs: list[Path]) -> ProfileScan:
    """Load every profile; a broken file is reported and skipped, the others still load."""
    scan = ProfileScan()
    by_id: dict[str, JobProfile] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for path in sorted(d.glob("*.yaml")):
            try:
                by_id[path.stem] = load_profile(path)
                scan.origin[path.stem] = d
            except (ProfileError, NotFoundError) as exc:
                log.warning("skipping job profile: %s", exc.message)
                scan.problems.append(exc)
    scan.profiles = sorted(by_id.values(), key=lambda p: p.id)
    return scan


@dataclass
class AppContext:
    paths: DataPaths
    settings: Settings
    db: Database
    profile_problems: list[RoundTwoError]
    _audited: set[tuple[str, str, str]] = field(default_factory=set, repr=False)

    def audit(
        self,
        action: str,
        entity: str,
        entity_id: object,
        detail: dict[str, Any] | None = None,
        *,
        once: bool = False,
    ) -> None:
        """Add a row to the hash-chained audit log on the writer thread, without waiting
        (screens call it on show). `once`: only the first time in this run (a view; the
        page re-rendering on a language switch is not another look)."""
        key = (action, entity, str(entity_id))
        if once and key in self._audited:
            return
        self._audited.add(key)
        actor = self.settings.user_name or "local"
        fields = dict(detail or {})

        def write(s: Session) -> None:
            repo.append_audit(s, actor, action, entity, str(entity_id), fields)

        def done(fut: Future[None]) -> None:
            if fut.exception() is not None:
                log.error("audit row %s %s not written: %s", action, entity, fut.exception())

        self.db.submit(write).add_done_callback(done)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> AppContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


PassphrasePrompt = Callable[[Settings], None]


def _terminal_prompt(settings: Settings) -> None:
    from app.security.keys import unlock_passphrase

    if not sys.stdin.isatty():
        return  # database_key() then says what is missing and how to give it
    unlock_passphrase(settings.recording_passphrase, getpass.getpass("RoundTwo passphrase: "))


def open_context(
    home: Path | None = None,
    *,
    upgrade: bool = True,
    ask_passphrase: PassphrasePrompt | None = None,
) -> AppContext:
    """Data dir -> settings -> logging -> key -> database (migrated) -> bundled profiles.

    In passphrase mode the passphrase comes from this process (already entered), the
    environment, or `ask_passphrase(settings)`, which must unlock it (the GUI shows a dialog;
    the default asks on the terminal, if there is one)."""
    from app.security.keys import database_key, needs_passphrase

    paths = prepare_home(home)
    settings = load_settings(paths.settings)
    configure_logging(paths.log_file, paths.crash_log, settings.log_level)
    if needs_passphrase(settings):
        (ask_passphrase or _terminal_prompt)(settings)
    key = database_key(settings, paths.settings, database=paths.database)
    bundled = bundled_profiles_dir()
    if not bundled.is_dir():
        raise NotFoundError(
            f"The bundled job profiles are missing: {bundled} does not exist.",
            hint="Reinstall RoundTwo or set ROUNDTWO_RESOURCES to the resources folder.",
        )
    dirs = [bundled, paths.profiles, *(Path(d).expanduser() for d in settings.extra_profile_dirs)]
    scan = scan_profiles(dirs)
    db = Database(paths.database, settings.db_busy_timeout_s, key=key).open(upgrade=upgrade)
    try:
        if upgrade:

            def store(s: Session) -> list[str]:
                return [
                    p.id
                    for p in scan.profiles
                    if repo.upsert_job_profile(
                        s, p, "bundled" if scan.origin[p.id] == bundled else "user"
                    )
                ]

            changed = db.write(store)
            if changed:
                log.info("stored job profiles: %s", ", ".join(changed))
    except BaseException:
        db.close()
        raise
    return AppContext(paths, settings, db, scan.problems)
