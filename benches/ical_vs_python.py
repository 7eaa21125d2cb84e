#!/usr/bin/env python3
"""Renders the benchmark sector feed with Python `icalendar` and compares.

Usage: ical_vs_python.py EVENTS_JSON RUST_MEDIAN_MS [RUNS]

EVENTS_JSON is written by `examples/render_feed.rs` (the same events the
Rust writer renders). Two Python timings are reported: building the
icalendar objects and serialising them (what `publish_feed` does from plain
structs), and serialising alone (the lower bound for Python).
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
import zoneinfo

import icalendar


def build(events: list[dict]) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Passerelle//bench//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", "Secteur 11e")
    cal.add("x-wr-calname", "Secteur 11e")
    cal.add("refresh-interval", dt.timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    zones: dict[str, zoneinfo.ZoneInfo] = {}
    for e in events:
        tz = zones.setdefault(e["tz"], zoneinfo.ZoneInfo(e["tz"]))
        ev = icalendar.Event()
        ev.add("uid", e["uid"])
        ev.add("sequence", e["sequence"])
        ev.add("dtstamp", dt.datetime.fromtimestamp(e["dtstamp"], dt.timezone.utc))
        ev.add("dtstart", dt.datetime.fromtimestamp(e["start"], tz))
        ev.add("dtend", dt.datetime.fromtimestamp(e["end"], tz))
        ev.add("summary", e["summary"])
        if e["description"] is not None:
            ev.add("description", e["description"])
        if e["location"] is not None:
            ev.add("location", e["location"])
        if e["geo"] is not None:
            ev.add("geo", tuple(e["geo"]))
        if e["url"] is not None:
            ev.add("url", e["url"])
        if e["status"] is not None:
            ev.add("status", e["status"])
        if e["organizer"] is not None:
            org = icalendar.vCalAddress("mailto:" + e["organizer"]["email"])
            if e["organizer"]["cn"] is not None:
                org.params["cn"] = icalendar.vText(e["organizer"]["cn"])
            ev.add("organizer", org)
        cal.add_component(ev)
    cal.add_missing_timezones()
    return cal


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    events = json.loads(open(argv[0], encoding="utf-8").read())
    rust_ms = float(argv[1])
    runs = int(argv[2]) if len(argv) > 2 else 3
    full, serialise = [], []
    size = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        cal = build(events)
        t1 = time.perf_counter()
        size = len(cal.to_ical())
        t2 = time.perf_counter()
        full.append((t2 - t0) * 1e3)
        serialise.append((t2 - t1) * 1e3)
    full_ms, ser_ms = statistics.median(full), statistics.median(serialise)
    print(f"icalendar {icalendar.__version__}: {len(events)} events, {size} bytes, {runs} runs")
    print(f"python_build_and_serialise_median_ms={full_ms:.1f}")
    print(f"python_serialise_only_median_ms={ser_ms:.1f}")
    print(f"rust_median_ms={rust_ms:.3f}")
    print(f"ratio_build_and_serialise={full_ms / rust_ms:.0f}x")
    print(f"ratio_serialise_only={ser_ms / rust_ms:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
