"""Initial schema of the local store: jobs, candidates, interviews, evidence, sync and audit.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-26 12:32:57.360686
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.storage.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auditlog",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sqlmodel.AutoString(), nullable=False),
        sa.Column("action", sqlmodel.AutoString(length=48), nullable=False),
        sa.Column("entity", sqlmodel.AutoString(length=48), nullable=False),
        sa.Column("entity_id", sqlmodel.AutoString(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("hash", sqlmodel.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("seq"),
    )
    op.create_table(
        "candidate",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("name", sqlmodel.AutoString(), nullable=False),
        sa.Column("email", sqlmodel.AutoString(), nullable=True),
        sa.Column("phone", sqlmodel.AutoString(), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("city", sqlmodel.AutoString(), nullable=True),
        sa.Column("education_level", sqlmodel.AutoString(), nullable=True),
        sa.Column("school", sqlmodel.AutoString(), nullable=True),
        sa.Column("major", sqlmodel.AutoString(), nullable=True),
        sa.Column("years_experience", sa.Float(), nullable=True),
        sa.Column("experience", sa.JSON(), nullable=False),
        sa.Column("projects", sa.JSON(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("career_goal", sa.Text(), nullable=True),
        sa.Column("source", sqlmodel.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidate_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidate_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidate_phone"), ["phone"], unique=False)

    op.create_table(
        "course",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("key", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("title_zh", sqlmodel.AutoString(), nullable=False),
        sa.Column("title_en", sqlmodel.AutoString(), nullable=False),
        sa.Column("competency_keys", sa.JSON(), nullable=False),
        sa.Column("min_level", sa.Integer(), nullable=False),
        sa.Column("max_level", sa.Integer(), nullable=False),
        sa.Column("format", sqlmodel.AutoString(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("language", sqlmodel.AutoString(), nullable=False),
        sa.Column("provider", sqlmodel.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    op.create_table(
        "job",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("slug", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title_zh", sqlmodel.AutoString(), nullable=False),
        sa.Column("title_en", sqlmodel.AutoString(), nullable=False),
        sa.Column("department_zh", sqlmodel.AutoString(), nullable=False),
        sa.Column("department_en", sqlmodel.AutoString(), nullable=False),
        sa.Column("match_threshold", sa.Float(), nullable=False),
        sa.Column("career_track", sqlmodel.AutoString(), nullable=False),
        sa.Column("source", sqlmodel.AutoString(), nullable=False),
        sa.Column("content_hash", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_slug"), ["slug"], unique=True)

    op.create_table(
        "outboxop",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("entity", sqlmodel.AutoString(length=48), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.AutoString(), nullable=True),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outboxop", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outboxop_seq"), ["seq"], unique=False)
        batch_op.create_index(batch_op.f("ix_outboxop_status"), ["status"], unique=False)

    op.create_table(
        "syncstate",
        sa.Column("hub_url", sqlmodel.AutoString(), nullable=False),
        sa.Column("device_id", sqlmodel.AutoString(), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.Column("last_push_at", app.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_pull_at", app.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("hub_url"),
    )
    op.create_table(
        "application",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.AutoString(), nullable=False),
        sa.Column("round1_score", sa.Float(), nullable=True),
        sa.Column("round1_passed", sa.Boolean(), nullable=True),
        sa.Column("round1_notes", sa.Text(), nullable=True),
        sa.Column("round1_detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["job.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_application_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_application_job_id"), ["job_id"], unique=False)

    op.create_table(
        "competency",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("key", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("category", sqlmodel.AutoString(), nullable=False),
        sa.Column("name_zh", sqlmodel.AutoString(), nullable=False),
        sa.Column("name_en", sqlmodel.AutoString(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("required_level", sa.Integer(), nullable=False),
        sa.Column("anchors", sa.JSON(), nullable=False),
        sa.Column("indicators_zh", sa.JSON(), nullable=False),
        sa.Column("indicators_en", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id", "key"),
    )
    with op.batch_alter_table("competency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_competency_job_id"), ["job_id"], unique=False)

    op.create_table(
        "question",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("key", sqlmodel.AutoString(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.AutoString(), nullable=False),
        sa.Column("text_zh", sa.Text(), nullable=False),
        sa.Column("text_en", sa.Text(), nullable=False),
        sa.Column("competency_keys", sa.JSON(), nullable=False),
        sa.Column("probes", sa.JSON(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["job.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id", "key"),
    )
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_job_id"), ["job_id"], unique=False)

    op.create_table(
        "interviewsession",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("application_id", sa.Uuid(), nullable=True),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("interviewer", sqlmodel.AutoString(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("scheduled_at", app.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", app.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", app.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("location", sqlmodel.AutoString(), nullable=True),
        sa.Column("language", sqlmodel.AutoString(), nullable=False),
        sa.Column("compliance_profile", sqlmodel.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["application_id"], ["application.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["job.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("interviewsession", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interviewsession_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_interviewsession_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_interviewsession_job_id"), ["job_id"], unique=False)

    op.create_table(
        "aisuggestion",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("competency_key", sqlmodel.AutoString(), nullable=False),
        sa.Column("level", sa.Float(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("scorer_version", sqlmodel.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["interviewsession.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("aisuggestion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_aisuggestion_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "answer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("question_key", sqlmodel.AutoString(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("start_ms", sa.Integer(), nullable=False),
        sa.Column("end_ms", sa.Integer(), nullable=False),
        sa.Column("lang", sqlmodel.AutoString(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sqlmodel.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["interviewsession.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_session_id"), ["session_id"], unique=False)

    op.create_table(
        "consentrecord",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("notice_version", sqlmodel.AutoString(), nullable=False),
        sa.Column("notice_lang", sqlmodel.AutoString(), nullable=False),
        sa.Column("recorded_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", app.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sqlmodel.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["session_id"], ["interviewsession.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consentrecord", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consentrecord_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "interviewerrating",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("competency_key", sqlmodel.AutoString(), nullable=False),
        sa.Column("rater", sqlmodel.AutoString(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("submitted_at", app.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["interviewsession.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "competency_key", "rater"),
    )
    with op.batch_alter_table("interviewerrating", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interviewerrating_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "observation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("t_ms", sa.Integer(), nullable=False),
        sa.Column("signal", sqlmodel.AutoString(length=48), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("model_id", sqlmodel.AutoString(), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["interviewsession.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_observation_session_signal_t", ["session_id", "signal", "t_ms"], unique=False
        )

    op.create_table(
        "recording",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("path", sqlmodel.AutoString(), nullable=False),
        sa.Column("container", sqlmodel.AutoString(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", app.storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("duration_s", sa.Float(), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("sha256", sqlmodel.AutoString(), nullable=True),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("markers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["interviewsession.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recording_session_id"), ["session_id"], unique=False)

    op.create_table(
        "trainingplan",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("candidate_id", sa.Uuid(), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("status", sqlmodel.AutoString(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["job_id"],
            ["job.id"],
        ),
        sa.ForeignKeyConstraint(["session_id"], ["interviewsession.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("trainingplan", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trainingplan_candidate_id"), ["candidate_id"], unique=False
        )

    op.create_table(
        "transcriptsegment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("session_id", sa.Uuid(), nullable=False),
        sa.Column("answer_id", sa.Uuid(), nullable=True),
        sa.Column("start_ms", sa.Integer(), nullable=False),
        sa.Column("end_ms", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sqlmodel.AutoString(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("speaker", sqlmodel.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["answer_id"], ["answer.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["session_id"], ["interviewsession.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("transcriptsegment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_transcriptsegment_session_id"), ["session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("transcriptsegment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transcriptsegment_session_id"))

    op.drop_table("transcriptsegment")
    with op.batch_alter_table("trainingplan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trainingplan_candidate_id"))

    op.drop_table("trainingplan")
    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recording_session_id"))

    op.drop_table("recording")
    with op.batch_alter_table("observation", schema=None) as batch_op:
        batch_op.drop_index("ix_observation_session_signal_t")

    op.drop_table("observation")
    with op.batch_alter_table("interviewerrating", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interviewerrating_session_id"))

    op.drop_table("interviewerrating")
    with op.batch_alter_table("consentrecord", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consentrecord_candidate_id"))

    op.drop_table("consentrecord")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_session_id"))

    op.drop_table("answer")
    with op.batch_alter_table("aisuggestion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aisuggestion_session_id"))

    op.drop_table("aisuggestion")
    with op.batch_alter_table("interviewsession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interviewsession_job_id"))
        batch_op.drop_index(batch_op.f("ix_interviewsession_candidate_id"))
        batch_op.drop_index(batch_op.f("ix_interviewsession_application_id"))

    op.drop_table("interviewsession")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_job_id"))

    op.drop_table("question")
    with op.batch_alter_table("competency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competency_job_id"))

    op.drop_table("competency")
    with op.batch_alter_table("application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_application_job_id"))
        batch_op.drop_index(batch_op.f("ix_application_candidate_id"))

    op.drop_table("application")
    op.drop_table("syncstate")
    with op.batch_alter_table("outboxop", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outboxop_status"))
        batch_op.drop_index(batch_op.f("ix_outboxop_seq"))

    op.drop_table("outboxop")
    with op.batch_alter_table("job", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_slug"))

    op.drop_table("job")
    op.drop_table("course")
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_phone"))
        batch_op.drop_index(batch_op.f("ix_candidate_name"))
        batch_op.drop_index(batch_op.f("ix_candidate_email"))

    op.drop_table("candidate")
    op.drop_table("auditlog")
