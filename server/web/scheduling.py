"""The candidate's self-scheduling page (server-rendered, zh/en, phone-sized first): pick a
slot, reschedule, cancel. The personal link's token is the only credential."""

from __future__ import annotations

import functools
import uuid
import zoneinfo
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Form, Query
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from server.api.deps import Hub, HubDep
from server.automation import scheduling
from server.automation.delivery import candidate_name, job_title
from server.tables import Slot

TEMPLATES = Path(__file__).resolve().parent / "templates"
Token = Annotated[str, PathParam(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
Lang = Annotated[str | None, Query(pattern="^(zh|en)$")]

MESSAGES = {
    "bad_link": (
        "这个预约链接无效或已失效，请联系招聘人员。",
        "This booking link is not valid any more; please contact the recruiter.",
    ),
    "taken": (
        "抱歉，这个时间刚刚被其他候选人选走了，请选择另一个时间。",
        "Sorry, someone else has just booked this time. Please choose another one.",
    ),
    "no_slot": (
        "这个时间已不可选，请选择另一个时间。",
        "This time is no longer offered; please choose another.",
    ),
    "past": (
        "这个时间已经过去，请选择另一个时间。",
        "This time has already passed; please choose another.",
    ),
    "nothing_booked": ("您目前没有已预约的面试。", "You have no interview booked at the moment."),
    "booked": (
        "预约成功！确认邮件和日历邀请已发送。",
        "Booked! A confirmation and calendar invitation are on their way.",
    ),
    "cancelled": (
        "已取消预约。如需重新预约，请在下方选择时间。",
        "Your booking is cancelled. To book again, choose a time below.",
    ),
}

T = {
    "title": ("预约第二轮面试", "Book your second-round interview"),
    "hello": ("{name}，您好", "Hello {name}"),
    "job": ("职位", "Job"),
    "choose": ("请选择一个面试时间", "Choose an interview time"),
    "choose_new": ("选择新的时间", "Choose a new time"),
    "book": ("预约这个时间", "Book this time"),
    "move": ("改到这个时间", "Move to this time"),
    "none": (
        "目前没有可预约的时间，请稍后再打开此链接，或联系招聘人员。",
        "No times are open right now. Please open this link again later or contact the recruiter.",
    ),
    "yours": ("您的面试", "Your interview"),
    "when": ("时间", "When"),
    "where": ("地点 / 会议室", "Location / room"),
    "with": ("面试官", "Interviewer"),
    "reschedule": ("改期", "Reschedule"),
    "cancel": ("取消预约", "Cancel booking"),
    "cancel_confirm": ("确定要取消这次面试吗？", "Cancel this interview?"),
    "keep": ("返回", "Back"),
    "switch": ("English", "中文"),
    "colon": ("：", ": "),
}


@functools.cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )


def _when(slot: Slot, lang: str) -> str:
    local = slot.starts_at.astimezone(zoneinfo.ZoneInfo(slot.timezone))
    end = slot.ends_at.astimezone(zoneinfo.ZoneInfo(slot.timezone))
    weekday_zh = "一二三四五六日"[local.weekday()]
    if lang == "zh":
        return f"{local:%Y年%m月%d日} 周{weekday_zh} {local:%H:%M}–{end:%H:%M}（{slot.timezone}）"
    return f"{local:%a %d %b %Y}, {local:%H:%M}–{end:%H:%M} ({slot.timezone})"


def _error_page(code: str, lang: str | None, status: int) -> HTMLResponse:
    i = 1 if lang == "en" else 0
    html = (
        _env()
        .get_template("schedule.html")
        .render(
            lang=lang or "zh",
            t={k: v[i] for k, v in T.items()},
            name="",
            job="",
            booking=None,
            booked=None,
            slots=[],
            notice=MESSAGES[code][i],
            notice_kind="error",
            reschedule=False,
            base="",
            other="",
            broken=True,
        )
    )
    return HTMLResponse(html, status_code=status)


router = APIRouter(tags=["scheduling"])


@router.get("/s/{token}", response_class=HTMLResponse)
async def schedule_page(
    hub: HubDep,
    token: Token,
    lang: Lang = None,
    done: Annotated[str | None, Query(max_length=20)] = None,
    reschedule: Annotated[bool, Query()] = False,
) -> Response:
    try:
        return await _render(hub, token, lang, done or "", reschedule)
    except scheduling.SchedulingError as exc:
        return _error_page(exc.code, lang, exc.status)


async def _render(
    hub: Hub, token: str, lang: str | None, notice: str, reschedule: bool, status: int = 200
) -> HTMLResponse:
    now = hub.automation.now()

    def load(s: Any) -> dict[str, Any]:
        v = scheduling.view(s, token, now)
        chosen = lang or v.invitation.language
        return {
            "lang": chosen,
            "name": candidate_name(s, v.invitation.candidate_ref),
            "job": job_title(s, v.invitation.job_ref, chosen),
            "booking": v.booking,
            "booked": None
            if v.booked_slot is None
            else {
                "when": _when(v.booked_slot, chosen),
                "where": v.booked_slot.location or "—",
                "who": v.interviewer.name if v.interviewer else "—",
            },
            "slots": [
                {"id": str(x.id), "when": _when(x, chosen), "where": x.location or "—"}
                for x in v.slots
            ],
        }

    ctx = await hub.run(load)
    chosen = ctx["lang"]
    i = 0 if chosen == "zh" else 1
    base = f"/s/{quote(token)}"
    html = (
        _env()
        .get_template("schedule.html")
        .render(
            **ctx,
            t={k: v[i] for k, v in T.items()},
            notice=MESSAGES[notice][i] if notice in MESSAGES else "",
            notice_kind="error"
            if notice in ("taken", "no_slot", "past", "nothing_booked")
            else "ok",
            reschedule=reschedule,
            base=base,
            other=f"{base}?lang={'en' if chosen == 'zh' else 'zh'}",
            broken=False,
        )
    )
    return HTMLResponse(html, status_code=status)


@router.post("/s/{token}/book", response_class=HTMLResponse)
async def book_slot(
    hub: HubDep,
    token: Token,
    slot_id: Annotated[str, Form(max_length=64)],
    lang: Annotated[str | None, Form(pattern="^(zh|en)$")] = None,
) -> Response:
    try:
        slot = uuid.UUID(slot_id)
    except ValueError:
        return await _safe(hub, token, lang, "no_slot", 404)
    now = hub.automation.now()
    try:
        await hub.run(lambda s: scheduling.book(s, token, slot, hub.settings, now))
    except scheduling.SchedulingError as exc:
        return await _safe(hub, token, lang, exc.code, exc.status)
    hub.automation.wake()
    suffix = f"&lang={lang}" if lang else ""
    return RedirectResponse(f"/s/{quote(token)}?done=booked{suffix}", status_code=303)


@router.post("/s/{token}/cancel", response_class=HTMLResponse)
async def cancel_booking(
    hub: HubDep,
    token: Token,
    lang: Annotated[str | None, Form(pattern="^(zh|en)$")] = None,
) -> Response:
    now = hub.automation.now()
    try:
        await hub.run(lambda s: scheduling.cancel(s, token, hub.settings, now))
    except scheduling.SchedulingError as exc:
        return await _safe(hub, token, lang, exc.code, exc.status)
    hub.automation.wake()
    suffix = f"&lang={lang}" if lang else ""
    return RedirectResponse(f"/s/{quote(token)}?done=cancelled{suffix}", status_code=303)


async def _safe(hub: Hub, token: str, lang: str | None, code: str, status: int) -> Response:
    """The page again with the message on top (or the bad-link page)."""
    try:
        return await _render(hub, token, lang, code, False, status)
    except scheduling.SchedulingError as exc:
        return _error_page(exc.code, lang, exc.status)
