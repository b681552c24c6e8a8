"""Candidate self-scheduling: open slots, book, reschedule and cancel through the personal
link. Double booking is impossible in the database: a standing booking holds its slot id in
`hub_booking.active_slot`, which is UNIQUE (on SQLite and PostgreSQL alike), so of two
concurrent picks of one slot exactly one insert commits. A booking also gives the interviewer
the interview: an assignment plus a scheduled interview session their laptop pulls."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from server.automation import queue, rules
from server.config import HubSettings
from server.identity import principal_of
from server.records import Sequencer, hub_upsert, restamp_assigned
from server.tables import Assignment, Booking, Invitation, Slot, User


class SchedulingError(Exception):
    """Something the candidate can act on; `code` picks the sentence in their language."""

    def __init__(self, code: str, status: int = 409) -> None:
        super().__init__(code)
        self.code = code
        self.status = status


@dataclass
class View:
    invitation: Invitation
    booking: Booking | None
    booked_slot: Slot | None
    interviewer: User | None
    slots: list[Slot]


def invitation_by_token(s: Session, token: str) -> Invitation:
    if not token or len(token) > 64:
        raise SchedulingError("bad_link", 404)
    inv = s.exec(select(Invitation).where(Invitation.token == token)).first()
    if inv is None:
        raise SchedulingError("bad_link", 404)
    return inv


def active_booking(s: Session, inv: Invitation) -> Booking | None:
    return s.exec(select(Booking).where(Booking.active_invitation == inv.id)).first()


def view(s: Session, token: str, now: dt.datetime) -> View:
    inv = invitation_by_token(s, token)
    booking = active_booking(s, inv)
    slot = s.get(Slot, booking.slot_id) if booking else None
    who = s.get(User, slot.interviewer_id) if slot else None
    return View(inv, booking, slot, who, rules.open_slots(s, inv.org_id, inv.job_ref, now))


def _session_payload(
    inv: Invitation,
    slot: Slot,
    interviewer: User,
    session_id: uuid.UUID,
    status: str,
    settings: HubSettings,
    now: dt.datetime,
) -> dict[str, Any]:
    return {
        "id": str(session_id),
        "created_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "application_id": str(inv.application_ref) if inv.application_ref else None,
        "candidate_id": str(inv.candidate_ref),
        "job_id": str(inv.job_ref),
        "interviewer": interviewer.name,
        "status": status,
        "scheduled_at": slot.starts_at.isoformat(),
        "started_at": None,
        "ended_at": None,
        "location": slot.location or None,
        "language": inv.language,
        "compliance_profile": settings.compliance_profile,
    }


def _publish_session(
    s: Session,
    inv: Invitation,
    slot: Slot,
    interviewer: User,
    booking: Booking,
    status: str,
    settings: HubSettings,
    now: dt.datetime,
) -> None:
    """The interview as a synced record the interviewer's laptop pulls at its next sync."""
    assert booking.session_ref is not None
    seq = Sequencer(s)
    hub_upsert(
        s,
        principal_of(interviewer, None),
        interviewer.org_unit_id,
        "interviewsession",
        booking.session_ref,
        _session_payload(inv, slot, interviewer, booking.session_ref, status, settings, now),
        seq,
    )
    seq.save()


def _enqueue_mails(
    s: Session, kind: str, booking: Booking, inv: Invitation, now: dt.datetime
) -> None:
    for to in ("candidate", "interviewer"):
        queue.enqueue(
            s,
            key=f"{kind}:{booking.id}:{to}",
            kind=kind,
            org_id=inv.org_id,
            candidate_ref=inv.candidate_ref,
            run_at=now,
            payload={"booking_id": str(booking.id), "to": to, "sequence": booking.ics_sequence},
        )


def _cancel(
    s: Session,
    inv: Invitation,
    booking: Booking,
    settings: HubSettings,
    now: dt.datetime,
    publish: bool,
) -> None:
    booking.status = "cancelled"
    booking.active_slot = None
    booking.active_invitation = None
    booking.cancelled_at = now
    booking.ics_sequence += 1  # METHOD:CANCEL carries the same UID with a higher SEQUENCE
    s.add(booking)
    s.flush()
    _enqueue_mails(s, "cancel", booking, inv, now)
    slot = s.get(Slot, booking.slot_id)
    who = s.get(User, slot.interviewer_id) if slot else None
    if publish and slot is not None and who is not None:
        _publish_session(s, inv, slot, who, booking, "cancelled", settings, now)


def book(
    s: Session, token: str, slot_id: uuid.UUID, settings: HubSettings, now: dt.datetime
) -> Booking:
    """Book (or move the booking to) `slot_id`. Raises SchedulingError('taken') when another
    candidate got the slot first."""
    inv = invitation_by_token(s, token)
    slot = s.get(Slot, slot_id)
    if slot is None or slot.org_id != inv.org_id or slot.job_ref != inv.job_ref:
        raise SchedulingError("no_slot", 404)
    if slot.starts_at <= now:
        raise SchedulingError("past")
    interviewer = s.get(User, slot.interviewer_id)
    if interviewer is None or not interviewer.active:
        raise SchedulingError("no_slot", 404)
    old = active_booking(s, inv)
    if old is not None and old.slot_id == slot.id:
        return old  # the same pick again (a double click): nothing changes
    session_id = old.session_ref if old is not None else uuid.uuid4()
    if old is not None:
        _cancel(s, inv, old, settings, now, publish=False)
    booking = Booking(
        invitation_id=inv.id,
        slot_id=slot.id,
        status="booked",
        active_slot=slot.id,
        active_invitation=inv.id,
        session_ref=session_id,
        created_at=now,
    )
    try:
        with s.begin_nested():
            s.add(booking)
            s.flush()
    except IntegrityError as exc:
        # The same candidate's other click may have won the same slot: that is their booking.
        mine = active_booking(s, inv)
        if mine is not None and mine.slot_id == slot.id and old is None:
            return mine
        raise SchedulingError("taken") from exc
    inv.status = "booked"
    s.add(inv)
    if not s.exec(
        select(Assignment).where(
            Assignment.user_id == interviewer.id, Assignment.session_id == session_id
        )
    ).first():
        s.add(
            Assignment(
                user_id=interviewer.id,
                org_unit_id=interviewer.org_unit_id,
                candidate_id=inv.candidate_ref,
                job_id=inv.job_ref,
                session_id=session_id,
            )
        )
        s.flush()
    _publish_session(s, inv, slot, interviewer, booking, "scheduled", settings, now)
    # Records the interviewer could not see before get new sequence numbers, so their
    # laptop (whose cursor is past them) pulls the candidate too.
    restamp_assigned(s, inv.candidate_ref, inv.job_ref, session_id)
    _enqueue_mails(s, "confirm", booking, inv, now)
    return booking


def cancel(s: Session, token: str, settings: HubSettings, now: dt.datetime) -> Booking:
    inv = invitation_by_token(s, token)
    booking = active_booking(s, inv)
    if booking is None:
        raise SchedulingError("nothing_booked")
    _cancel(s, inv, booking, settings, now, publish=True)
    inv.status = "cancelled"
    s.add(inv)
    return booking


def slots_taken(s: Session, slot_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    rows = s.exec(select(Booking.active_slot).where(col(Booking.active_slot).in_(slot_ids)))
    return {r for r in rows.all() if r is not None}
