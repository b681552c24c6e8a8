"""Calendar invitations (.ics, RFC 5545/5546) with proper VTIMEZONE blocks and TZID times."""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from dataclasses import dataclass

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

PRODID = "-//RoundTwo//Hub automation//EN"


@dataclass(frozen=True)
class Meeting:
    uid: str
    sequence: int
    starts_at: dt.datetime  # aware (UTC from the database)
    ends_at: dt.datetime
    timezone: str  # IANA name, e.g. Asia/Shanghai or Europe/Berlin
    summary: str
    location: str
    description: str
    organizer: str  # e-mail address
    attendees: tuple[tuple[str, str], ...]  # (name, e-mail)


def build(meeting: Meeting, method: str, stamp: dt.datetime) -> bytes:
    """METHOD:REQUEST to add or update the event, METHOD:CANCEL (same UID, higher SEQUENCE)
    to remove it from every attendee's calendar."""
    tz = zoneinfo.ZoneInfo(meeting.timezone)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", method)
    cal.add("calscale", "GREGORIAN")
    ev = Event()
    ev.add("uid", meeting.uid)
    ev.add("sequence", meeting.sequence)
    ev.add("dtstamp", stamp.astimezone(dt.UTC))
    ev.add("dtstart", meeting.starts_at.astimezone(tz))
    ev.add("dtend", meeting.ends_at.astimezone(tz))
    ev.add("summary", meeting.summary)
    ev.add("location", meeting.location)
    ev.add("description", meeting.description)
    ev.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{meeting.organizer}")
    organizer.params["cn"] = vText("RoundTwo")
    ev.add("organizer", organizer)
    for name, email in meeting.attendees:
        who = vCalAddress(f"mailto:{email}")
        who.params["cn"] = vText(name)
        who.params["role"] = vText("REQ-PARTICIPANT")
        who.params["partstat"] = vText("NEEDS-ACTION")
        ev.add("attendee", who, encode=False)
    cal.add_component(vtimezone(meeting.timezone))
    cal.add_component(ev)
    return bytes(cal.to_ical())


@functools.lru_cache(maxsize=64)
def vtimezone(tzid: str) -> Timezone:
    """The zone's VTIMEZONE block, so TZID times are unambiguous in any client. Building it
    walks every transition of the zone (~0.2 s), so once per zone; calendars only read it."""
    return Timezone.from_tzid(tzid)
