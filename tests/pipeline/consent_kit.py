"""Test helper: an interview with consent records under a chosen compliance profile."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path

from app.context import open_context
from app.core.domain import ConsentPurpose
from app.core.settings import save_settings
from app.storage import repo
from app.storage.consent import record_consent
from app.storage.tables import Candidate, InterviewSession


def consented_interview(
    home: Path, profile_id: str, granted: Iterable[ConsentPurpose], job: str
) -> uuid.UUID:
    """Make `profile_id` the laptop's active profile and store a candidate, an interview of
    `job` and one consent row per purpose (granted or declined); returns the interview id."""
    g = set(granted)
    with open_context(home) as ctx:
        ctx.settings.compliance_profile = profile_id
        save_settings(ctx.paths.settings, ctx.settings)

        def w(s):  # type: ignore[no-untyped-def]
            cand = repo.save(s, Candidate(name="Batch Candidate"))
            iv = repo.save(
                s,
                InterviewSession(
                    candidate_id=cand.id,
                    job_id=repo.get_job(s, job).id,
                    interviewer="Tester",
                    compliance_profile=profile_id,
                ),
            )
            record_consent(
                s,
                cand.id,
                iv.id,
                {p: p in g for p in ConsentPurpose},
                notice_version="2026-11",
                notice_lang="en",
                recorded_by="Tester",
            )
            return iv.id

        sid: uuid.UUID = ctx.db.write(w)
    return sid
