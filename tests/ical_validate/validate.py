#!/usr/bin/env python3
"""Independent check of the .ics files written by passerelle-calendar.

Usage: validate.py FILE.ics [FILE.ics ...]

Each FILE.ics is read by three PyPI parsers: the strict `ical`, `vobject`
and `icalendar`. The values they read back must equal FILE.expected.json
(written beside it by `examples/write_samples.rs`), with no warning from
Python or from the libraries' loggers. Each VTIMEZONE is also turned into a
tzinfo by each parser (ignoring the TZID name, so that our observances are
what is tested) and compared hour by hour with the system's zoneinfo over
the years the events span.

Exit status: 0 when everything matches, 1 otherwise.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import pathlib
import sys
import warnings
import zoneinfo

import ical.calendar_stream
import ical.timezone
import icalendar
import vobject

UTC = dt.timezone.utc


class Collect(logging.Handler):
    """Keeps every WARNING or worse record: a warning is a failure here."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def utc_text(value: object) -> str:
    if not isinstance(value, dt.datetime):
        raise TypeError(f"expected a datetime, got {value!r}")
    if value.tzinfo is None:
        raise ValueError(f"floating time {value!r}: no zone")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def mailto(uri: str) -> str:
    uri = str(uri)
    if not uri.lower().startswith("mailto:"):
        raise ValueError(f"not a mailto URI: {uri!r}")
    return uri[len("mailto:") :]


def text_unescape(value) -> str | None:
    """RFC 5545 TEXT unescaping, for properties a parser returns raw.

    `icalendar` types NAME and X- properties as vUnknown, and `ical` keeps X-
    properties as raw extras; TEXT is their type (RFC 7986 for NAME, the
    default for X- properties), so the raw value must unescape to ours.
    """
    if value is None:
        return None
    value = str(value)
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def rfc6868_decode(value: str) -> str:
    """RFC 6868 decoding, for vobject, which predates it."""
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "^" and i + 1 < len(value) and value[i + 1] in "^n'":
            out.append({"^": "^", "n": "\n", "'": '"'}[value[i + 1]])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


# --- the three readers, each returning the same normalised shape -----------


def read_icalendar(text: str) -> dict:
    cal = icalendar.Calendar.from_ical(text)
    problems = [f"{c.name}: {e}" for c in cal.walk() for e in getattr(c, "errors", [])]
    if problems:
        raise ValueError(f"icalendar reported errors: {problems}")

    def param(prop, name):
        value = prop.params.get(name)
        return None if value is None else str(value)

    def address(prop):
        return {"email": mailto(prop), "cn": param(prop, "CN")}

    events = []
    for ev in cal.walk("VEVENT"):
        attendees = ev.get("ATTENDEE", [])
        if not isinstance(attendees, list):
            attendees = [attendees]
        geo = ev.get("GEO")
        org = ev.get("ORGANIZER")
        events.append(
            {
                "uid": str(ev.get("UID")),
                "sequence": int(ev.get("SEQUENCE")),
                "summary": str(ev.get("SUMMARY")),
                "description": opt_str(ev.get("DESCRIPTION")),
                "location": opt_str(ev.get("LOCATION")),
                "url": opt_str(ev.get("URL")),
                "geo": None if geo is None else [geo.latitude, geo.longitude],
                "dtstart_utc": utc_text(ev.decoded("DTSTART")),
                "dtend_utc": utc_text(ev.decoded("DTEND")),
                "dtstamp_utc": utc_text(ev.decoded("DTSTAMP")),
                "status": opt_str(ev.get("STATUS")),
                "organizer": None if org is None else address(org),
                "attendees": [
                    {
                        **address(a),
                        "partstat": param(a, "PARTSTAT"),
                        "role": param(a, "ROLE"),
                        "rsvp": param(a, "RSVP") == "TRUE",
                    }
                    for a in attendees
                ],
            }
        )
    refresh = cal.get("REFRESH-INTERVAL")
    ttl = cal.get("X-PUBLISHED-TTL")
    zones = {
        str(tz["TZID"]): tz.to_tz(lookup_tzid=False) for tz in cal.walk("VTIMEZONE")
    }
    return {
        "method": opt_str(cal.get("METHOD")),
        "name": text_unescape(cal.get("NAME")),
        "x_wr_calname": text_unescape(cal.get("X-WR-CALNAME")),
        "refresh_seconds": None if refresh is None else refresh.dt.total_seconds(),
        "ttl_seconds": None
        if ttl is None
        else icalendar.vDuration.from_ical(str(ttl)).total_seconds(),
        "events": events,
        "_zones": zones,
    }


def read_ical(text: str) -> dict:
    cal = ical.calendar_stream.IcsCalendarStream.calendar_from_ics(text)

    def address(a):
        return {"email": mailto(a.uri), "cn": a.common_name}

    events = []
    for ev in cal.events:
        events.append(
            {
                "uid": ev.uid,
                "sequence": ev.sequence,
                "summary": ev.summary,
                "description": ev.description,
                "location": ev.location,
                "url": None if ev.url is None else str(ev.url),
                "geo": None if ev.geo is None else [ev.geo.lat, ev.geo.lng],
                "dtstart_utc": utc_text(ev.dtstart),
                "dtend_utc": utc_text(ev.dtend),
                "dtstamp_utc": utc_text(ev.dtstamp),
                "status": None if ev.status is None else str(ev.status.value),
                "organizer": None if ev.organizer is None else address(ev.organizer),
                "attendees": [
                    {
                        **address(a),
                        "partstat": a.status,
                        "role": a.role,
                        "rsvp": bool(a.rsvp),
                    }
                    for a in ev.attendees
                ],
            }
        )
    extras = {p.name.upper(): p.value for p in cal.extras}
    ttl = extras.get("X-PUBLISHED-TTL")
    zones = {tz.tz_id: ical.timezone.IcsTimezoneInfo.from_timezone(tz) for tz in cal.timezones}
    return {
        "method": cal.method,
        "name": cal.name[0] if cal.name else None,
        "x_wr_calname": text_unescape(extras.get("X-WR-CALNAME")),
        "refresh_seconds": None
        if cal.refresh_interval is None
        else cal.refresh_interval.total_seconds(),
        "ttl_seconds": None
        if ttl is None
        else vobject.icalendar.stringToDurations(ttl)[0].total_seconds(),
        "events": events,
        "_zones": zones,
    }


def read_vobject(text: str) -> dict:
    cal = vobject.readOne(io.StringIO(text), validate=True)

    def first(component, name):
        items = component.contents.get(name.lower())
        return items[0] if items else None

    def value(component, name):
        line = first(component, name)
        return None if line is None else line.value

    def param(line, name):
        values = line.params.get(name.upper())
        return None if not values else rfc6868_decode(values[0])

    def address(line):
        return {"email": mailto(line.value), "cn": param(line, "CN")}

    events = []
    for ev in cal.contents.get("vevent", []):
        geo = value(ev, "GEO")
        org = first(ev, "ORGANIZER")
        events.append(
            {
                "uid": value(ev, "UID"),
                "sequence": int(value(ev, "SEQUENCE")),
                "summary": value(ev, "SUMMARY"),
                "description": value(ev, "DESCRIPTION"),
                "location": value(ev, "LOCATION"),
                "url": value(ev, "URL"),
                "geo": None if geo is None else [float(x) for x in geo.split(";")],
                "dtstart_utc": utc_text(value(ev, "DTSTART")),
                "dtend_utc": utc_text(value(ev, "DTEND")),
                "dtstamp_utc": utc_text(value(ev, "DTSTAMP")),
                "status": value(ev, "STATUS"),
                "organizer": None if org is None else address(org),
                "attendees": [
                    {
                        **address(a),
                        "partstat": param(a, "PARTSTAT"),
                        "role": param(a, "ROLE"),
                        "rsvp": param(a, "RSVP") == "TRUE",
                    }
                    for a in ev.contents.get("attendee", [])
                ],
            }
        )

    def seconds(name):
        text_value = value(cal, name)
        if text_value is None:
            return None
        return vobject.icalendar.stringToDurations(text_value)[0].total_seconds()

    zones = {
        tz.contents["tzid"][0].value: tz.gettzinfo() for tz in cal.contents.get("vtimezone", [])
    }
    return {
        "method": value(cal, "METHOD"),
        "name": value(cal, "NAME"),
        "x_wr_calname": value(cal, "X-WR-CALNAME"),
        "refresh_seconds": seconds("REFRESH-INTERVAL"),
        "ttl_seconds": seconds("X-PUBLISHED-TTL"),
        "events": events,
        "_zones": zones,
    }


def opt_str(value) -> str | None:
    return None if value is None else str(value)


READERS = {"ical": read_ical, "vobject": read_vobject, "icalendar": read_icalendar}


# --- comparison -------------------------------------------------------------


def compare(where: str, got, want, errors: list[str]) -> None:
    if isinstance(want, dict):
        if not isinstance(got, dict):
            errors.append(f"{where}: got {got!r}, want an object")
            return
        for key in want:
            compare(f"{where}.{key}", got.get(key), want[key], errors)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            errors.append(f"{where}: got {got!r}, want {want!r}")
            return
        for i, (g, w) in enumerate(zip(got, want)):
            compare(f"{where}[{i}]", g, w, errors)
    elif isinstance(want, float) or (isinstance(got, float) and isinstance(want, int)):
        if not isinstance(got, (int, float)) or abs(got - want) > 1e-9:
            errors.append(f"{where}: got {got!r}, want {want!r}")
    elif got != want:
        errors.append(f"{where}: got {got!r}, want {want!r}")


def check_zones(where: str, zones: dict, years: dict[str, tuple[int, int]], errors: list[str]) -> int:
    """Compares each VTIMEZONE, as the parser understood it, with zoneinfo."""
    checked = 0
    for tzid, (first, last) in years.items():
        tz = zones.get(tzid)
        if tz is None:
            errors.append(f"{where}: no VTIMEZONE for TZID {tzid}")
            continue
        reference = zoneinfo.ZoneInfo(tzid)
        t = dt.datetime(first, 1, 1, tzinfo=UTC)
        end = dt.datetime(last + 1, 1, 1, tzinfo=UTC) - dt.timedelta(days=1)
        while t < end:
            got, want = t.astimezone(tz).utcoffset(), t.astimezone(reference).utcoffset()
            if got != want:
                errors.append(f"{where}: VTIMEZONE {tzid} at {t:%Y-%m-%d %H:%M}Z: offset {got}, zoneinfo {want}")
                break
            checked += 1
            t += dt.timedelta(hours=1)
    return checked


def tzid_years(text: str) -> dict[str, tuple[int, int]]:
    """Years of the local times written with each TZID (from the raw text)."""
    unfolded = text.replace("\r\n ", "").replace("\r\n\t", "")
    years: dict[str, tuple[int, int]] = {}
    for line in unfolded.split("\r\n"):
        head, _, value = line.partition(":")
        if head.startswith(("DTSTART;", "DTEND;")) and "TZID=" in head:
            tzid = head.split("TZID=", 1)[1].split(";", 1)[0].strip('"')
            year = int(value[:4])
            lo, hi = years.get(tzid, (year, year))
            years[tzid] = (min(lo, year), max(hi, year))
    return years


def check_raw(where: str, raw: bytes, errors: list[str]) -> None:
    """Octet-level rules no parser checks: CRLF only, 75-octet lines, no split UTF-8."""
    lines = raw.split(b"\r\n")
    if lines[-1] != b"":
        errors.append(f"{where}: does not end with CRLF")
    for n, line in enumerate(lines[:-1], 1):
        if b"\n" in line or b"\r" in line:
            errors.append(f"{where}: line {n} has a bare CR or LF")
        if len(line) > 75:
            errors.append(f"{where}: line {n} is {len(line)} octets long")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            errors.append(f"{where}: line {n} splits a UTF-8 character")


def validate(path: pathlib.Path) -> list[str]:
    errors: list[str] = []
    expected_path = path.with_name(path.name[: -len(".ics")] + ".expected.json")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    raw = path.read_bytes()
    check_raw(path.name, raw, errors)
    text = raw.decode("utf-8")
    years = tzid_years(text)

    for name, reader in READERS.items():
        where = f"{path.name} [{name}]"
        collect = Collect()
        logging.getLogger().addHandler(collect)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                got = reader(text)
                zones_checked = check_zones(where, got.pop("_zones"), years, errors)
        except Exception as e:  # a parser refusing the file is a failure, not a crash
            errors.append(f"{where}: {type(e).__name__}: {e}")
            continue
        finally:
            logging.getLogger().removeHandler(collect)
        for w in caught:
            errors.append(f"{where}: warning: {w.category.__name__}: {w.message}")
        for r in collect.records:
            errors.append(f"{where}: log {r.levelname} from {r.name}: {r.getMessage()}")
        compare(where, got, expected, errors)
        print(
            f"{where}: {len(got['events'])} event(s), {zones_checked} hourly zone offsets checked"
        )
    return errors


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    logging.getLogger().setLevel(logging.WARNING)
    errors: list[str] = []
    for arg in argv:
        errors += validate(pathlib.Path(arg))
    for e in errors:
        print(f"MISMATCH {e}", file=sys.stderr)
    files = len(argv)
    print(f"{files - len({e.split(' ')[0] for e in errors})} passed, {len({e.split(' ')[0] for e in errors})} failed")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
