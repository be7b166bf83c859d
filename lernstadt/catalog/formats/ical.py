"""Offers as iCalendar (RFC 5545): one VEVENT per date, for "add to calendar" and feeds."""

import datetime as dt
import re
from collections.abc import Iterable, Iterator

from django.utils import timezone
from icalendar import Calendar, Event, vRecur

from lernstadt.catalog.formats import values
from lernstadt.catalog.formats.offer_records import is_all_day
from lernstadt.catalog.models import Offer, OfferDate
from lernstadt.catalog.taxonomy import OfferStatus
from lernstadt.cities.pack import current_city

PRODUCT = "-//lernstadt//Bildungsangebote//DE"
UNTIL_VALUE = re.compile(r"^(\d{8})(T(\d{6})(Z?))?$")


def offer_calendar(offer: Offer, base_url: str = "") -> bytes:
    """One offer's dates as an .ics file (``base_url`` makes the event's URL absolute)."""
    return _calendar([offer], base_url, name=offer.title)


def catalog_calendar(offers: Iterable[Offer], base_url: str = "") -> bytes:
    """The dates of many offers as one calendar."""
    return _calendar(offers, base_url, name=current_city().text("portal_name"))


def _calendar(offers: Iterable[Offer], base_url: str, name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for offer in offers:
        for event in _events(offer, base_url):
            calendar.add_component(event)
    # Each TZID used above needs its VTIMEZONE, or some clients guess the zone.
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def date_uid(offer: Offer, date: OfferDate) -> str:
    """Stable as long as the offer and its start stay: a re-import keeps calendars in step."""
    stamp = date.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"lernstadt-{current_city().slug}-offer-{offer.pk}-{stamp}"


def _events(offer: Offer, base_url: str) -> Iterator[Event]:
    place = offer.venue
    url = f"{base_url.rstrip('/')}{offer.get_absolute_url()}" if base_url else ""
    for date in offer.dates.all():
        event = Event()
        event.add("uid", date_uid(offer, date))
        event.add("dtstamp", offer.updated_at or timezone.now())
        event.add("summary", offer.title)
        description = "\n\n".join(filter(None, [offer.summary, offer.provider.name, url]))
        if description:
            event.add("description", description)
        all_day = _add_times(event, date)
        if date.recurrence:
            event.add("rrule", recurrence(date.recurrence, all_day))
        if place is not None:
            event.add("location", str(place))
            if place.has_coordinates:
                event.add("geo", (place.latitude, place.longitude))
        if url:
            event.add("url", url)
        cancelled = offer.status == OfferStatus.CANCELLED
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        yield event


def _add_times(event: Event, date: OfferDate) -> bool:
    """DTSTART/DTEND in local time, or as days for a date without time; True if days."""
    start = timezone.localtime(date.starts_at)
    end = timezone.localtime(date.ends_at) if date.ends_at else None
    if is_all_day(date.starts_at, date.ends_at):
        event.add("dtstart", start.date())
        # DTEND of a whole-day event is the day after the last one (exclusive).
        last = end.date() if end else start.date()
        event.add("dtend", last + dt.timedelta(days=1))
        return True
    event.add("dtstart", start)
    if end is not None:
        event.add("dtend", end)
    return False


def recurrence(rule: str, all_day: bool) -> vRecur:
    """The stored RRULE with UNTIL in the form RFC 5545 asks for beside DTSTART.

    With a local start time UNTIL must be a UTC date-time; with a whole-day start
    it must be a date.
    """
    parts = values.rrule_parts(rule)
    until = UNTIL_VALUE.match(parts.get("UNTIL", ""))
    if until:
        day, time, utc = until.group(1), until.group(3), until.group(4)
        if all_day:
            parts["UNTIL"] = day
        elif not utc:
            local = dt.datetime.strptime(day + (time or "235959"), "%Y%m%d%H%M%S")
            aware = timezone.make_aware(local, timezone.get_default_timezone())
            parts["UNTIL"] = aware.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return vRecur.from_ical(";".join(f"{k}={v}" for k, v in parts.items()))
