"""A candidate's explanation export (zh/en, PDF or JSON): what was assessed, which AI ran under
which compliance profile and consent, the evidence behind each AI suggestion, who decided, the
outcome, and how to contest it or ask for deletion."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from app import __version__
from app.core.compliance import (
    ALWAYS_FORBIDDEN,
    ComplianceProfile,
    load_compliance_profile,
    permissions,
)
from app.core.domain import ConsentPurpose
from app.core.errors import DataDirError, InvalidInputError, NotFoundError, RoundTwoError
from app.reports.pdf import clock, unique_quotes
from app.reports.summary import build_summary
from app.storage import repo
from app.storage.consent import granted_purposes
from app.storage.tables import (
    AISuggestion,
    Answer,
    Application,
    Candidate,
    ConsentRecord,
    InterviewerRating,
    InterviewSession,
    Observation,
    Recording,
)

T: dict[str, tuple[str, str]] = {
    "title": ("面试结果说明", "Explanation of your interview assessment"),
    "candidate": ("候选人", "Candidate"),
    "job": ("职位", "Job"),
    "when": ("面试时间", "Interview date"),
    "lead": ("主面试官", "Lead interviewer"),
    "assessed": ("评估了什么", "What was assessed"),
    "competency": ("胜任力", "Competency"),
    "weight": ("权重", "Weight"),
    "bar": ("岗位要求", "Required level"),
    "questions": ("提问的问题", "Questions asked"),
    "ai": ("使用了哪些 AI 功能", "Which AI features ran"),
    "profile": ("合规方案", "Compliance profile"),
    "consent": ("您的同意记录", "Your consent"),
    "purpose": ("用途", "Purpose"),
    "decision": ("选择", "Choice"),
    "granted": ("同意", "granted"),
    "declined": ("未同意", "declined"),
    "withdrawn": ("已撤回", "withdrawn"),
    "notice": ("告知书版本", "Notice version"),
    "ran": ("已运行", "ran"),
    "not_ran": ("未运行", "did not run"),
    "never": ("从不运行（禁止）", "never runs (forbidden)"),
    "f_content": (
        "回答内容分析（按胜任力给出建议等级与引用证据）",
        "Answer content analysis (suggested level per competency, with quoted evidence)",
    ),
    "f_cues": ("摄像头/语音非语言信号", "Camera/voice nonverbal cues"),
    "f_quality": (
        "拍摄质量检查（画面中是否有人脸，不保存）",
        "Capture-quality check (face in frame; not kept)",
    ),
    "f_affect": ("情绪、情感或性格推断", "Emotion, affect or personality inference"),
    "samples": ("条已保存的信号样本", "stored signal samples"),
    "evidence": ("AI 建议及其依据", "AI suggestions and the evidence behind them"),
    "ai_level": ("AI 建议等级", "AI suggested level"),
    "confidence": ("置信度", "confidence"),
    "insufficient": ("证据不足，未给出建议", "insufficient evidence: no suggestion"),
    "ratings": ("面试官评分（即决定）", "Interviewer ratings (the decision)"),
    "rater": ("评分人", "Rater"),
    "role": ("角色", "Role"),
    "level": ("等级", "Level"),
    "note": ("备注", "Note"),
    "time": ("时间", "Time"),
    "interviewer": ("面试官", "interviewer"),
    "decided": ("谁作出决定", "Who decided"),
    "outcome": ("结果", "Outcome"),
    "status": ("申请状态", "Application status"),
    "match": ("岗位匹配度（依据面试官评分）", "Job match (from the interviewers' ratings)"),
    "threshold": ("门槛", "threshold"),
    "no_ratings": ("尚无面试官评分", "no interviewer ratings yet"),
    "advisory": (
        "AI 建议仅供面试官参考；结论由上面列出的面试官作出，系统不会自动淘汰任何人。",
        "AI suggestions only advise the interviewers; the people listed above made the decision. "
        "Nobody is rejected automatically.",
    ),
    "contest": ("如何提出异议或要求删除", "How to contest this or ask for deletion"),
    "generated": ("生成于", "Generated"),
}
PURPOSE = {
    ConsentPurpose.RECORDING: ("录音录像", "recording"),
    ConsentPurpose.AI_CONTENT: ("AI 分析回答内容", "AI analysis of answer content"),
    ConsentPurpose.CAMERA_VOICE_CUES: ("摄像头/语音非语言信号", "camera/voice cues"),
    ConsentPurpose.SYNC_TO_HUB: ("同步到公司服务器", "sync to the company hub"),
    ConsentPurpose.RETENTION: ("保存期限", "retention period"),
}
STATUS = {
    "invited": ("已邀请", "invited"),
    "interviewed": ("已面试，待决定", "interviewed, decision pending"),
    "advanced": ("进入下一轮", "advanced"),
    "offer": ("发放录用", "offer"),
    "hired": ("已录用", "hired"),
    "rejected": ("未通过", "not selected"),
    "withdrawn": ("已撤回", "withdrawn"),
}


def _t(key: str, lang: str) -> str:
    zh, en = T[key]
    return zh if lang == "zh" else en


def _iso(v: dt.datetime | None) -> str | None:
    return v.isoformat() if v else None


def _contest_text(days: int, session_id: uuid.UUID) -> dict[str, str]:
    return {
        "zh": (
            f"如对结果有异议，请联系组织本次面试的人力资源部门，并提供面试编号 {session_id}。"
            "您可以要求由另一位面试官人工复核、更正有误的信息，或撤回同意。"
            f"您也可以要求删除您的全部数据（录像、转写、信号和评分）；我们会在 {days} 天内在所有"
            "设备和服务器上完成删除，并只保留一条不含个人信息的删除记录。"
        ),
        "en": (
            "To contest this result, contact the HR team that organised the interview and give "
            f"the interview number {session_id}. You may ask for a human review by another "
            "interviewer, for wrong information to be corrected, or withdraw your consent. You "
            "may also ask for all your data (recording, transcript, signals and ratings) to be "
            f"deleted; it is erased on every laptop and the hub within {days} days, leaving only "
            "a deletion record with no personal data."
        ),
    }


def resolve_candidate(s: Session, ref: str) -> Candidate:
    """A candidate by id, or by a name that matches exactly one candidate."""
    try:
        row = s.get(Candidate, uuid.UUID(ref))
    except ValueError:
        rows = s.exec(select(Candidate).where(Candidate.name == ref.strip())).all()
        if len(rows) > 1:
            raise InvalidInputError(
                f"{len(rows)} candidates are called '{ref}'; give the candidate id instead."
            ) from None
        row = rows[0] if rows else None
    if row is None:
        raise NotFoundError(f"No candidate '{ref}' on this laptop.")
    return row


def _interview_of(s: Session, candidate: Candidate) -> InterviewSession:
    rows = s.exec(
        select(InterviewSession)
        .where(InterviewSession.candidate_id == candidate.id)
        .order_by(
            col(InterviewSession.started_at).desc(), col(InterviewSession.scheduled_at).desc()
        )
    ).all()
    if not rows:
        raise NotFoundError(f"Candidate '{candidate.name}' has no interview to explain yet.")
    return rows[0]


def _profile(iv: InterviewSession, fallback: str) -> ComplianceProfile:
    try:
        return load_compliance_profile(iv.compliance_profile or fallback)
    except RoundTwoError:
        return load_compliance_profile(fallback)


def gather_explanation(
    s: Session, candidate_ref: str, *, active_profile: str = "strict"
) -> dict[str, Any]:
    """Everything the export shows, as JSON-ready data (both languages where text differs)."""
    cand = resolve_candidate(s, candidate_ref)
    iv = _interview_of(s, cand)
    job = repo.get_job_by_id(s, iv.job_id)
    profile = _profile(iv, active_profile)
    summary = build_summary(s, iv.id)
    comps = {c.key: c for c in repo.competencies(s, job)}
    asked = {
        a.question_key
        for a in s.exec(select(Answer).where(Answer.session_id == iv.id)).all()
        if a.question_key
    }
    questions = [
        {"id": q.key, "text": {"zh": q.text_zh, "en": q.text_en}}
        for q in repo.questions(s, job)
        if q.key in asked or not asked
    ]
    consent = [
        {
            "purpose": str(r.purpose),
            "granted": r.granted,
            "notice_version": r.notice_version,
            "recorded_at": _iso(r.recorded_at),
            "recorded_by": r.recorded_by,
            "withdrawn_at": _iso(r.withdrawn_at),
        }
        for r in s.exec(
            select(ConsentRecord)
            .where(ConsentRecord.session_id == iv.id)
            .order_by(col(ConsentRecord.recorded_at))
        ).all()
    ]
    perm = permissions(profile, granted_purposes(s, iv.id))
    suggestions = s.exec(select(AISuggestion).where(AISuggestion.session_id == iv.id)).all()
    stored_cues = s.exec(
        select(func.count()).select_from(Observation).where(Observation.session_id == iv.id)
    ).one()
    recorded = s.exec(select(Recording.id).where(Recording.session_id == iv.id)).first() is not None
    cue_runners = sorted(perm.cue_runners - {"face_detection", "face_count"})
    features = [
        {
            "id": "content_analysis",
            "allowed": perm.analyse_content,
            "ran": bool(suggestions),
        },
        {
            "id": "capture_quality",
            "allowed": perm.runner_allowed("face_detection"),
            "ran": perm.runner_allowed("face_detection") and recorded,
        },
        {
            "id": "camera_voice_cues",
            "allowed": bool(cue_runners),
            "runners": cue_runners,
            "ran": int(stored_cues) > 0,
            "stored_samples": int(stored_cues),
        },
        {
            "id": "emotion_affect",
            "allowed": False,
            "ran": False,
            "forbidden": sorted(ALWAYS_FORBIDDEN),
        },
    ]
    ai = []
    for sug in sorted(
        suggestions,
        key=lambda x: comps[x.competency_key].position if x.competency_key in comps else 99,
    ):
        c = comps.get(sug.competency_key)
        ai.append(
            {
                "competency": sug.competency_key,
                "name": {
                    "zh": c.name_zh if c else sug.competency_key,
                    "en": c.name_en if c else sug.competency_key,
                },
                "level": sug.level,
                "confidence": sug.confidence,
                "scorer_version": sug.scorer_version,
                "evidence": [
                    {
                        "quote": str(e.get("quote", "")),
                        "start_ms": e.get("start_ms"),
                        "time": clock(e.get("start_ms")),
                    }
                    for e in unique_quotes(list(sug.evidence))
                ],
            }
        )
    ratings: list[dict[str, Any]] = []
    for r in s.exec(
        select(InterviewerRating)
        .where(InterviewerRating.session_id == iv.id)
        .order_by(col(InterviewerRating.rater), col(InterviewerRating.competency_key))
    ).all():
        c = comps.get(r.competency_key)
        ratings.append(
            {
                "competency": r.competency_key,
                "name": {
                    "zh": c.name_zh if c else r.competency_key,
                    "en": c.name_en if c else r.competency_key,
                },
                "rater": r.rater,
                "role": "interviewer",
                "level": r.level,
                "note": r.note,
                "submitted_at": _iso(r.submitted_at or r.updated_at),
            }
        )
    deciders: dict[str, dict[str, Any]] = {}
    for row in ratings:
        d = deciders.setdefault(
            row["rater"],
            {"name": row["rater"], "role": "interviewer", "ratings": 0, "last_at": None},
        )
        d["ratings"] += 1
        d["last_at"] = max(filter(None, [d["last_at"], row["submitted_at"]]), default=None)
    app = s.get(Application, iv.application_id) if iv.application_id else None
    match = summary.match
    return {
        "candidate": {"id": str(cand.id), "name": cand.name},
        "interview": {
            "id": str(iv.id),
            "date": _iso(iv.started_at or iv.scheduled_at),
            "lead_interviewer": iv.interviewer,
            "status": str(iv.status),
        },
        "job": {
            "id": job.slug,
            "title": {"zh": job.title_zh, "en": job.title_en},
            "match_threshold": job.match_threshold,
        },
        "assessed": {
            "competencies": [
                {
                    "id": c.key,
                    "name": {"zh": c.name_zh, "en": c.name_en},
                    "weight": c.weight,
                    "required_level": c.required_level,
                }
                for c in comps.values()
            ],
            "questions": questions,
        },
        "compliance": {
            "profile": profile.id,
            "profile_version": profile.version,
            "title": {"zh": profile.title.zh, "en": profile.title.en},
            "description": {"zh": profile.description.zh, "en": profile.description.en},
            "consent": consent,
            "ai_features": features,
        },
        "ai_suggestions": ai,
        "ratings": ratings,
        "decided_by": list(deciders.values()),
        "outcome": {
            "application_status": app.status if app else None,
            "match_percent": match,
            "match_threshold": job.match_threshold,
            "meets_threshold": None if match is None else match >= job.match_threshold,
        },
        "contest": _contest_text(profile.deletion_request_deadline_days, iv.id),
        "generated_at": dt.datetime.now(dt.UTC).isoformat(),
        "generated_by": f"RoundTwo {__version__}",
    }


def _when(iso: str | None) -> str:
    if not iso:
        return "—"
    return dt.datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")


def render_pdf(doc: dict[str, Any], lang: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from app.reports.fonts import register_cjk_font

    font = register_cjk_font()
    zh = lang == "zh"
    base = ParagraphStyle(
        "x-base", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK" if zh else None
    )
    small = ParagraphStyle(
        "x-small", parent=base, fontSize=8.5, leading=12, textColor=colors.HexColor("#444444")
    )
    h1 = ParagraphStyle("x-h1", parent=base, fontSize=16, leading=21, spaceAfter=4)
    h2 = ParagraphStyle("x-h2", parent=base, fontSize=12, leading=16, spaceBefore=8, spaceAfter=3)

    def p(text: str, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), style)

    def tr(d: dict[str, str]) -> str:
        return d["zh"] if zh else d["en"]

    def grid(rows: list[list[str]], widths: list[float]) -> Table:
        t = Table([[p(c, small) for c in r] for r in rows], colWidths=[w * mm for w in widths])
        t.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f7")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    sep = "：" if zh else ": "
    story: list[Any] = [p(f"{_t('title', lang)} · {doc['candidate']['name']}", h1)]
    story.append(
        p(
            f"{_t('job', lang)}{sep}{tr(doc['job']['title'])}　　"
            f"{_t('when', lang)}{sep}{_when(doc['interview']['date'])}　　"
            f"{_t('lead', lang)}{sep}{doc['interview']['lead_interviewer']}"
        )
    )

    story.append(p(_t("assessed", lang), h2))
    rows = [[_t("competency", lang), _t("weight", lang), _t("bar", lang)]]
    rows += [
        [tr(c["name"]), f"{c['weight']:.0%}", f"≥ {c['required_level']}"]
        for c in doc["assessed"]["competencies"]
    ]
    story.append(grid(rows, [90, 30, 40]))
    story.append(p(_t("questions", lang), base))
    for i, q in enumerate(doc["assessed"]["questions"], 1):
        story.append(p(f"{i}. {tr(q['text'])}", small))

    c = doc["compliance"]
    story.append(p(_t("ai", lang), h2))
    story.append(
        p(f"{_t('profile', lang)}{sep}{tr(c['title'])} ({c['profile']} v{c['profile_version']})")
    )
    story.append(p(tr(c["description"]), small))
    labels = {
        "content_analysis": "f_content",
        "capture_quality": "f_quality",
        "camera_voice_cues": "f_cues",
        "emotion_affect": "f_affect",
    }
    for f in c["ai_features"]:
        if f["id"] == "emotion_affect":
            state = _t("never", lang)
        else:
            state = _t("ran", lang) if f["ran"] else _t("not_ran", lang)
        extra = ""
        if f["id"] == "camera_voice_cues" and f["stored_samples"]:
            extra = f" · {f['stored_samples']} {_t('samples', lang)}"
        story.append(p(f"• {_t(labels[f['id']], lang)}{sep}{state}{extra}", small))
    story.append(p(_t("consent", lang), base))
    rows = [[_t("purpose", lang), _t("decision", lang), _t("notice", lang), _t("time", lang)]]
    for r in c["consent"]:
        names = PURPOSE.get(ConsentPurpose(r["purpose"]), (r["purpose"], r["purpose"]))
        state = _t("granted", lang) if r["granted"] else _t("declined", lang)
        if r["withdrawn_at"]:
            state = f"{_t('withdrawn', lang)} {_when(r['withdrawn_at'])}"
        rows.append(
            [names[0] if zh else names[1], state, r["notice_version"], _when(r["recorded_at"])]
        )
    story.append(grid(rows, [60, 40, 30, 40]))

    story.append(p(_t("evidence", lang), h2))
    for s in doc["ai_suggestions"]:
        if s["level"] is None:
            story.append(p(f"{tr(s['name'])}{sep}{_t('insufficient', lang)}", base))
            continue
        story.append(
            p(
                f"{tr(s['name'])}{sep}{_t('ai_level', lang)} {s['level']:g}"
                f"（{_t('confidence', lang)} {s['confidence']:.0%}）"
                if zh
                else f"{tr(s['name'])}{sep}{_t('ai_level', lang)} {s['level']:g} "
                f"({_t('confidence', lang)} {s['confidence']:.0%})",
                base,
            )
        )
        for e in s["evidence"][:4]:
            story.append(p(f"　“{e['quote']}” {e['time']}", small))

    story.append(p(_t("ratings", lang), h2))
    rows = [
        [
            _t("competency", lang),
            _t("rater", lang),
            _t("role", lang),
            _t("level", lang),
            _t("note", lang),
            _t("time", lang),
        ]
    ]
    rows += [
        [
            tr(r["name"]),
            r["rater"],
            _t("interviewer", lang),
            str(r["level"]),
            r["note"],
            _when(r["submitted_at"]),
        ]
        for r in doc["ratings"]
    ]
    story.append(grid(rows, [38, 22, 20, 12, 58, 30]))
    story.append(p(_t("decided", lang), base))
    for d in doc["decided_by"]:
        story.append(
            p(
                f"• {d['name']}（{_t('interviewer', lang)}）{_when(d['last_at'])}"
                if zh
                else f"• {d['name']} ({_t('interviewer', lang)}), {_when(d['last_at'])}",
                small,
            )
        )

    o = doc["outcome"]
    story.append(p(_t("outcome", lang), h2))
    if o["application_status"]:
        st = STATUS.get(o["application_status"], (o["application_status"],) * 2)
        story.append(p(f"{_t('status', lang)}{sep}{st[0] if zh else st[1]}"))
    m = o["match_percent"]
    story.append(
        p(
            f"{_t('match', lang)}{sep}"
            + (
                _t("no_ratings", lang)
                if m is None
                else f"{m:.1f}% ({_t('threshold', lang)} {o['match_threshold']:.0f}%)"
            )
        )
    )
    story.append(p(_t("advisory", lang), small))

    story.append(p(_t("contest", lang), h2))
    story.append(p(tr(doc["contest"])))
    story += [
        Spacer(1, 5 * mm),
        p(
            f"{_t('generated', lang)} {_when(doc['generated_at'])} · {doc['generated_by']} · "
            f"{doc['interview']['id']}",
            small,
        ),
    ]
    buf = io.BytesIO()
    SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{_t('title', lang)} {doc['candidate']['name']}",
        author=f"RoundTwo {__version__}",
    ).build(story)
    return buf.getvalue()


def write_explanation(doc: dict[str, Any], out: Path, lang: str) -> None:
    """`.pdf` gets the rendered document in `lang`; `.json` the data (both languages)."""
    suffix = out.suffix.lower()
    if suffix == ".pdf":
        payload = render_pdf(doc, lang)
    elif suffix == ".json":
        payload = (json.dumps({**doc, "lang": lang}, ensure_ascii=False, indent=2) + "\n").encode()
    else:
        raise InvalidInputError(f"--out {out}: the file must end in .pdf or .json.")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".tmp")
        tmp.write_bytes(payload)
        tmp.replace(out)
    except OSError as exc:
        raise DataDirError(f"Cannot write the explanation to {out} ({exc.strerror}).") from exc
