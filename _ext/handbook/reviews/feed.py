"""The review calendar: an iCalendar feed of every controlled document's review-by date.

``review_feed()`` turns validated ``DocumentControl`` records into the bytes of
``reviews.ics`` with the ``icalendar`` library (RFC 5545). Staff subscribe to
the file's address in Outlook or Google Calendar; each refresh replaces the
events, and because an event's UID depends only on the document's id
(``review-PR-005@review.handbook.invalid``), a document whose review-by date
moved shows up moved, never twice.

* one all-day event per document in use (``draft`` or ``active``: superseded
  and retired documents need no review) on its review-by date;
* the summary names the id and title; the description the version, owner and
  page address; ``CONTACT`` the owner; ``URL`` the page when the handbook's
  address (``handbook_clinic["base_url"]``) is set;
* a ``VALARM`` reminder ``handbook_review_due_days`` days before;
* reproducible bytes: events sorted by id, ``DTSTAMP`` from the build's clock
  (``SOURCE_DATE_EPOCH``), no random or host-dependent value.

Pure: no Sphinx.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable

from handbook.doccontrol.model import REVIEWED_STATUSES, DocumentControl

#: The right-hand side of every UID. Fixed, so UIDs never change when the
#: handbook moves to another address; ``.invalid`` (RFC 2606) is no real host.
UID_DOMAIN = "review.handbook.invalid"

#: How often a subscribed client should fetch the feed again (RFC 7986).
REFRESH_INTERVAL = dt.timedelta(days=1)


def event_uid(doc_id: str) -> str:
    """The stable UID of a document's review event: the id and a fixed domain."""
    return f"review-{doc_id}@{UID_DOMAIN}"


def feed_timestamp(setting: str | dt.date | None = None, environ=os.environ) -> dt.datetime:
    """``DTSTAMP`` of every event (UTC): the build's clock, reproducible.

    ``handbook_build_date`` (a test setting) gives midnight UTC of that date;
    else ``SOURCE_DATE_EPOCH`` gives its exact second; else midnight UTC today.
    """
    from handbook.doccontrol.builddate import build_date

    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not setting and epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.combine(build_date(setting, environ), dt.time(), tzinfo=dt.timezone.utc)


def is_absolute(address: str) -> bool:
    """Whether ``address`` is a full URL (``https://...``) rather than a path in the site."""
    return "://" in address


def _description(doc: DocumentControl, address: str) -> str:
    where = address if is_absolute(address) else f"{address} (relative to the handbook's address)"
    return (
        f"{doc.id} {doc.title}, version {doc.version}, is due for review by {doc.review_by.isoformat()}.\n"
        f"Owner: {doc.owner}.\n"
        f"Page: {where}\n"
        "After the review, set a new review-by date in the document's front matter and publish "
        "a new edition: this event then moves to the new date."
    )


def review_feed(
    docs: Iterable[DocumentControl],
    *,
    address_of: Callable[[DocumentControl], str],
    stamp: dt.datetime,
    alarm_days: int,
    calendar_name: str,
) -> bytes:
    """The ``reviews.ics`` bytes for ``docs``.

    ``address_of(doc)`` gives the page's address: absolute when the handbook's
    address is known, else a path relative to the feed (which sits at the
    site's root). ``stamp`` is an aware UTC datetime, ``alarm_days`` whole
    days (0 reminds on the day). Only documents in use (draft, active) get an
    event.
    """
    from icalendar import Alarm, Calendar, Event, vDuration, vText

    if alarm_days < 0:
        raise ValueError(f"handbook_review_due_days must be 0 or more, not {alarm_days}")
    calendar = Calendar()
    calendar.add("prodid", f"-//{calendar_name}//Review calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    name = f"{calendar_name}: reviews due"
    calendar.add("name", name)
    calendar.add("x-wr-calname", vText(name))
    description = "The review-by date of every controlled document in use, with a reminder before it."
    calendar.add("description", description)
    calendar.add("x-wr-caldesc", vText(description))
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))

    in_use = sorted((d for d in docs if d.status in REVIEWED_STATUSES), key=lambda d: (d.id, d.docname))
    for doc in in_use:
        address = address_of(doc)
        event = Event()
        event.add("uid", event_uid(doc.id))
        event.add("dtstamp", stamp)
        event.add("dtstart", doc.review_by)
        event.add("dtend", doc.review_by + dt.timedelta(days=1))
        event.add("summary", f"Review due: {doc.id} {doc.title}")
        event.add("description", _description(doc, address))
        event.add("contact", vText(doc.owner))
        event.add("categories", ["Document review"])
        event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: the day stays free
        if is_absolute(address):
            event.add("url", address)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        when = "today" if alarm_days == 0 else f"in {alarm_days} day{'s' if alarm_days != 1 else ''}"
        alarm.add("description", f"Review due {when} ({doc.review_by.isoformat()}): {doc.id} {doc.title}. Owner: {doc.owner}.")
        alarm.add("trigger", -dt.timedelta(days=alarm_days))
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()
