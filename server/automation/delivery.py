"""Turns a queued job into the message(s) it sends, from the database as it is now: the
invitation, booking confirmations and cancellations (.ics), the report PDF, reminders.
A job that is no longer needed (ratings already in) renders to a skip with the reason."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from sqlmodel import Session, col, select

from app.core.compliance import load_compliance_profile
from app.core.domain import Role
from app.core.notice import Notice, consent_notice
from server.automation import ics, rules
from server.automation.mailer import Outgoing
from server.config import HubSettings
from server.tables import Booking, Invitation, QueuedJob, Slot, SyncRecord, User

TEMPLATES = Path(__file__).resolve().parent / "templates"
HR_ROLES = (Role.HR, Role.HIRING_MANAGER)

SUBJECTS = {
    "invite": ("第二轮面试邀请：{job}", "Invitation to the second-round interview: {job}"),
    "confirm": ("面试已确认：{job} · {when}", "Interview confirmed: {job} · {when}"),
    "cancel": ("面试已取消：{job} · {when}", "Interview cancelled: {job} · {when}"),
    "report": ("面试报告：{candidate} · {job}", "Interview report: {candidate} · {job}"),
    "remind": (
        "请提交评分：{candidate} · {job}",
        "Please submit your ratings: {candidate} · {job}",
    ),
    "escalate": (
        "评分仍未提交：{candidate} · {job}",
        "Ratings still missing: {candidate} · {job}",
    ),
}
FOOTER = ("此邮件由系统自动发送。", "This message was sent automatically.")


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render(template: str, lang: str, **ctx: Any) -> tuple[str, str]:
    env = environment()
    ctx = {"lang": lang, "footer": FOOTER[0 if lang == "zh" else 1], **ctx}
    text = env.get_template(f"{template}.{lang}.txt").render(**ctx)
    html = env.get_template(f"{template}.{lang}.html").render(**ctx)
    return text, html


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


@dataclass
class Rendered:
    """What a job sends now: a message, or a skip (with why), or 'not yet' (run again at)."""

    out: Outgoing | None = None
    recipients: list[str] = field(default_factory=list)
    skip: str = ""
    later: dt.datetime | None = None
    org_unit_id: uuid.UUID | None = None


def job_title(s: Session, job_ref: uuid.UUID | None, lang: str) -> str:
    job = rules.live(s, "job", job_ref)
    if job is None:
        return "—"
    return str(job.payload.get("title_zh" if lang == "zh" else "title_en") or "—")


def candidate_name(s: Session, cand_ref: uuid.UUID | None) -> str:
    c = rules.live(s, "candidate", cand_ref)
    return str(c.payload.get("name") or "—") if c is not None else "—"


def fmt_time(t: dt.datetime, tz: str, lang: str) -> str:
    local = t.astimezone(zoneinfo.ZoneInfo(tz))
    if lang == "zh":
        return f"{local:%Y年%m月%d日 %H:%M}（{tz}）"
    return f"{local:%a %d %b %Y, %H:%M} ({tz})"


def fmt_window(inv: Invitation, tz: str, lang: str) -> str:
    if inv.window_start is None or inv.window_end is None:
        return "—"
    a = inv.window_start.astimezone(zoneinfo.ZoneInfo(tz))
    b = inv.window_end.astimezone(zoneinfo.ZoneInfo(tz))
    if a.date() == b.date():
        if lang == "zh":
            return f"{a:%Y年%m月%d日} {a:%H:%M}–{b:%H:%M}（{tz}）"
        return f"{a:%d %b %Y}, {a:%H:%M}–{b:%H:%M} ({tz})"
    if lang == "zh":
        return f"{a:%Y年%m月%d日} 至 {b:%Y年%m月%d日}（{tz}）"
    return f"{a:%d %b %Y} to {b:%d %b %Y} ({tz})"


def link_for(settings: HubSettings, inv: Invitation) -> str:
    return f"{settings.public_base_url.rstrip('/')}/s/{inv.token}?lang={inv.language}"


def sender_address(settings: HubSettings) -> str:
    addr = settings.smtp_sender
    return addr[addr.find("<") + 1 : addr.find(">")] if "<" in addr else addr


# --- candidate messages ------------------------------------------------------------------------


def render_invite(s: Session, job: QueuedJob, settings: HubSettings, now: dt.datetime) -> Rendered:
    inv = s.get(Invitation, uuid.UUID(job.payload["invitation_id"]))
    if inv is None:
        return Rendered(skip="the invitation no longer exists")
    if not inv.email:
        return Rendered(skip="the candidate has no e-mail address")
    lang = inv.language
    title = job_title(s, inv.job_ref, lang)
    slots = rules.open_slots(s, inv.org_id, inv.job_ref, now)
    tz = slots[0].timezone if slots else settings_timezone(settings)
    notice = _notice(settings.compliance_profile, lang, settings.public_base_url)
    name = candidate_name(s, inv.candidate_ref)
    text, html = render(
        "invite",
        lang,
        subject="",
        name=name,
        job_title=title,
        link=link_for(settings, inv),
        window=fmt_window(inv, tz, lang),
        location=inv.location,
        bring=settings.what_to_bring_zh if lang == "zh" else settings.what_to_bring_en,
        notice=notice.sections,
        notice_version=notice.version,
    )
    hold = None
    if inv.window_start is not None and inv.window_end is not None:
        hold = ics.build(
            ics.Meeting(
                uid=f"window-{inv.id}@roundtwo.hub",
                sequence=0,
                starts_at=inv.window_start,
                ends_at=inv.window_end,
                timezone=tz,
                summary=_pick(("二面时间范围（请预约）", "Second-round window (please book)"), lang)
                + f" · {title}",
                location=inv.location,
                description=link_for(settings, inv),
                organizer=sender_address(settings),
                attendees=((name, inv.email),),
            ),
            "PUBLISH",
            now,
        )
    out = Outgoing(
        to=inv.email,
        subject=_pick(SUBJECTS["invite"], lang).format(job=title),
        text=text,
        html=html,
        ics=hold,
        ics_method="PUBLISH",
    )
    return Rendered(out=out, recipients=[inv.email], org_unit_id=inv.org_unit_id)


@functools.lru_cache(maxsize=16)
def _notice(profile_id: str, lang: str, hub_url: str) -> Notice:
    return consent_notice(load_compliance_profile(profile_id), lang, hub_url)


def settings_timezone(settings: HubSettings) -> str:
    return settings.default_timezone


def booking_meeting(
    s: Session, booking: Booking, inv: Invitation, slot: Slot, interviewer: User, lang: str
) -> ics.Meeting:
    title = job_title(s, inv.job_ref, lang)
    name = candidate_name(s, inv.candidate_ref)
    attendees = [(interviewer.name, interviewer.email)]
    if inv.email:
        attendees.insert(0, (name, inv.email))
    return ics.Meeting(
        uid=f"booking-{booking.id}@roundtwo.hub",
        sequence=booking.ics_sequence,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        timezone=slot.timezone,
        summary=_pick(("第二轮面试", "Second-round interview"), lang) + f" · {title} · {name}",
        location=slot.location,
        description="RoundTwo",
        organizer="",
        attendees=tuple(attendees),
    )


def render_booking(s: Session, job: QueuedJob, settings: HubSettings, now: dt.datetime) -> Rendered:
    booking = s.get(Booking, uuid.UUID(job.payload["booking_id"]))
    if booking is None:
        return Rendered(skip="the booking no longer exists")
    inv = s.get(Invitation, booking.invitation_id)
    slot = s.get(Slot, booking.slot_id)
    assert inv is not None and slot is not None
    interviewer = s.get(User, slot.interviewer_id)
    assert interviewer is not None
    cancelled = job.kind == "cancel"
    to_candidate = job.payload["to"] == "candidate"
    if to_candidate and not inv.email:
        return Rendered(skip="the candidate has no e-mail address")
    lang = inv.language if to_candidate else settings.default_language[:2]
    lang = "zh" if lang == "zh" else "en"
    meeting = booking_meeting(s, booking, inv, slot, interviewer, lang)
    # The sequence the message was queued with: a later change must not rewrite it.
    meeting = ics.Meeting(
        **{
            **meeting.__dict__,
            "sequence": int(job.payload.get("sequence", booking.ics_sequence)),
            "organizer": sender_address(settings),
        }
    )
    title = job_title(s, inv.job_ref, lang)
    when = fmt_time(slot.starts_at, slot.timezone, lang)
    cand = candidate_name(s, inv.candidate_ref)
    to = inv.email if to_candidate else interviewer.email
    assert to is not None
    text, html = render(
        "booking",
        lang,
        subject="",
        name=cand if to_candidate else interviewer.name,
        cancelled=cancelled,
        job_title=title,
        candidate=cand,
        when=when,
        location=slot.location or "—",
        interviewer=interviewer.name,
        bring=(settings.what_to_bring_zh if lang == "zh" else settings.what_to_bring_en)
        if to_candidate and not cancelled
        else "",
        link=link_for(settings, inv) if to_candidate else "",
    )
    method = "CANCEL" if cancelled else "REQUEST"
    out = Outgoing(
        to=to,
        subject=_pick(SUBJECTS[job.kind], lang).format(job=title, when=when),
        text=text,
        html=html,
        ics=ics.build(meeting, method, now),
        ics_method=method,
    )
    return Rendered(out=out, recipients=[to], org_unit_id=inv.org_unit_id)


# --- staff messages ----------------------------------------------------------------------------


def _staff_lang(settings: HubSettings) -> str:
    return "zh" if settings.default_language.startswith("zh") else "en"


def render_report(s: Session, job: QueuedJob, settings: HubSettings, now: dt.datetime) -> Rendered:
    from server.automation import report

    session = rules.live(s, "interviewsession", uuid.UUID(job.payload["session_id"]))
    if session is None:
        return Rendered(skip="the interview was deleted")
    ended = rules.session_end(session)
    if ended is None:
        return Rendered(skip="the interview has not ended")
    # The report waits for the whole panel's ratings, at most until the escalation is due.
    missing = [m for m in rules.panel(s, session) if not has_rated(s, session, m)]
    deadline = ended + dt.timedelta(
        hours=settings.reminder_delay_hours + settings.escalation_delay_hours
    )
    if missing and now < deadline:
        return Rendered(later=deadline)
    recipients = [u.email for u in rules.staff(s, session.org_unit_id, HR_ROLES)]
    if not recipients:
        return Rendered(skip="no HR or hiring manager in the org unit")
    lang = _staff_lang(settings)
    data = report.gather(s, session)
    pdf = report.render_pdf(data, lang)
    title = job_title(s, session.job_ref, lang)
    cand = candidate_name(s, session.candidate_ref)
    match = "—" if data.match is None else f"{data.match:.1f}%"
    headline = _pick(("面试报告已生成", "The interview report is ready"), lang)
    lines = [
        _pick(("候选人：{c}", "Candidate: {c}"), lang).format(c=cand),
        _pick(("职位：{j}", "Job: {j}"), lang).format(j=title),
        _pick(("岗位匹配度：{m}", "Job match: {m}"), lang).format(m=match),
        _pick(("报告 PDF 见附件。", "The report PDF is attached."), lang),
    ]
    if missing:
        who = ", ".join(f"{m.name} <{m.email}>" for m in missing)
        lines.append(
            _pick(("尚未提交评分：{w}", "Ratings still missing from: {w}"), lang).format(w=who)
        )
    text, html = render("staff", lang, subject="", headline=headline, lines=lines)
    out = Outgoing(
        to=", ".join(recipients),
        subject=_pick(SUBJECTS["report"], lang).format(candidate=cand, job=title),
        text=text,
        html=html,
        attachments=[(f"report-{session.entity_id}.pdf", "application/pdf", pdf)],
    )
    return Rendered(out=out, recipients=recipients, org_unit_id=session.org_unit_id)


def has_rated(s: Session, session: SyncRecord, user: User) -> bool:
    """Whether `user` has rated every competency of the interview's job (any rating at all
    when the hub does not know the job's competencies). A rater is matched by e-mail, name
    or user id."""
    names = {user.email.lower(), user.name.lower(), str(user.id).lower()}
    rated: set[str] = set()
    for r in s.exec(
        select(SyncRecord)
        .where(
            SyncRecord.entity == "interviewerrating", SyncRecord.session_ref == session.entity_id
        )
        .where(col(SyncRecord.deleted).is_(False))
    ).all():
        if str(r.payload.get("rater", "")).strip().lower() in names:
            rated.add(str(r.payload.get("competency_key")))
    if not rated:
        return False
    needed = {b.key for b in rules.job_bars(s, session.job_ref)} if session.job_ref else set()
    return needed <= rated


def render_reminder(
    s: Session, job: QueuedJob, settings: HubSettings, now: dt.datetime
) -> Rendered:
    """A reminder (or the one escalation) about missing ratings: only once the interview has
    ENDED plus the delay — checked again here, whatever the queue says."""
    session_id = uuid.UUID(job.payload["session_id"])
    session = rules.live(s, "interviewsession", session_id)
    ended = rules.session_end(session)
    if session is None or ended is None:
        return Rendered(skip="the interview has not ended (or was deleted)")
    due = ended + dt.timedelta(hours=settings.reminder_delay_hours)
    if job.kind == "escalate":
        due += dt.timedelta(hours=settings.escalation_delay_hours)
    if now < due:
        return Rendered(later=due)
    member = s.get(User, uuid.UUID(job.payload["user_id"]))
    if member is None or not member.active:
        return Rendered(skip="the panel member is no longer active")
    if has_rated(s, session, member):
        return Rendered(skip="ratings were submitted")
    lang = _staff_lang(settings)
    title = job_title(s, session.job_ref, lang)
    cand = candidate_name(s, session.candidate_ref)
    ended_text = fmt_time(ended, settings_timezone(settings), lang)
    if job.kind == "remind":
        recipients = [member.email]
        headline = _pick(("请提交面试评分", "Please submit your interview ratings"), lang)
        lines = [
            _pick(
                (
                    "{c}（{j}）的面试已于 {t} 结束，我们尚未收到您的评分。",
                    "The interview with {c} ({j}) ended at {t}; your ratings have not arrived.",
                ),
                lang,
            ).format(c=cand, j=title, t=ended_text),
            _pick(("请在 RoundTwo 中完成评分并同步。", "Please rate in RoundTwo and sync."), lang),
        ]
    else:
        reminded = s.exec(
            select(QueuedJob).where(QueuedJob.key == f"remind:{session_id}:{member.id}")
        ).first()
        if reminded is None or reminded.status != "sent":
            return Rendered(skip="no reminder was sent, so there is nothing to escalate")
        recipients = [u.email for u in rules.staff(s, session.org_unit_id, HR_ROLES)]
        if not recipients:
            return Rendered(skip="no HR or hiring manager in the org unit")
        headline = _pick(("面试评分仍未提交", "Interview ratings still missing"), lang)
        lines = [
            _pick(
                (
                    "{m} 尚未提交 {c}（{j}）的评分；面试于 {t} 结束，已提醒一次。",
                    "{m} has not submitted ratings for {c} ({j}); the interview ended at {t} "
                    "and one reminder was sent.",
                ),
                lang,
            ).format(m=f"{member.name} <{member.email}>", c=cand, j=title, t=ended_text),
        ]
    text, html = render("staff", lang, subject="", headline=headline, lines=lines)
    out = Outgoing(
        to=", ".join(recipients),
        subject=_pick(SUBJECTS[job.kind], lang).format(candidate=cand, job=title),
        text=text,
        html=html,
    )
    return Rendered(out=out, recipients=recipients, org_unit_id=session.org_unit_id)


RENDERERS = {
    "invite": render_invite,
    "confirm": render_booking,
    "cancel": render_booking,
    "report": render_report,
    "remind": render_reminder,
    "escalate": render_reminder,
}


def render_job(s: Session, job: QueuedJob, settings: HubSettings, now: dt.datetime) -> Rendered:
    fn = RENDERERS.get(job.kind)
    if fn is None:
        return Rendered(skip=f"unknown job kind '{job.kind}'")
    return fn(s, job, settings, now)
