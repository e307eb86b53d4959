"""When a user's scheduled messages are due: local day and hour, quiet hours, DST, windows.

Pure rules on aware datetimes, so the planner (bot.notifications), the settings
screens and the tests agree to the minute. Every instant here is UTC on the
way in and out; local time exists only inside these functions.

- A user's "run" is their chosen local hour: every day when release-day
  reminders are on (a film can come out on any day), otherwise only on their
  weekly day (weekly picks and nudges).
- A local time that does not exist (the hour skipped when clocks go forward)
  goes at the first valid minute after it; a local time that happens twice
  (clocks going back) goes the first time.
- Quiet hours move a run to the minute they end; nothing is planned inside them.
- Each message has a window: after it closes, a message not yet sent is skipped
  rather than sent late (a weekly pick's window is the rest of its local day).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

from domain.models import UserSettings

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_DAYS_AHEAD = 8  # a weekly run is at most 7 days away; one more for a run pushed past midnight by quiet hours


@lru_cache(maxsize=1024)
def zone(name: str | None) -> dt.tzinfo:
    """The named zone; UTC for none or an unknown name (settings validate names, so that is old data)."""
    if not name:
        return dt.UTC
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, IsADirectoryError, OSError):
        return dt.UTC


def at_local(day: dt.date, hour: int, tz: dt.tzinfo) -> dt.datetime:
    """The UTC instant of `hour`:00 local on `day`; a skipped local time moves to the first valid minute after."""
    wanted = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
    instant = wanted.astimezone(dt.UTC)  # fold=0: the first of a repeated hour
    if instant.astimezone(tz).replace(tzinfo=None) == wanted.replace(tzinfo=None):
        return instant
    # In a gap: fold=1 reads the wall time with the later offset, which lands before the change.
    earliest = wanted.replace(fold=1).astimezone(dt.UTC)
    for minutes in range(1, 24 * 60):
        candidate = earliest + dt.timedelta(minutes=minutes)
        if candidate.astimezone(tz).replace(tzinfo=None) > wanted.replace(tzinfo=None):
            return candidate.replace(second=0, microsecond=0)
    return instant  # pragma: no cover - no zone has a gap this long


def in_quiet_hours(local_hour: int, settings: UserSettings) -> bool:
    start, end = settings.quiet_start, settings.quiet_end
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= local_hour < end
    return local_hour >= start or local_hour < end  # across midnight, e.g. 22–08


def out_of_quiet_hours(instant: dt.datetime, settings: UserSettings) -> dt.datetime:
    """`instant`, or the end of the quiet hours it falls in."""
    tz = zone(settings.timezone)
    local = instant.astimezone(tz)
    if not in_quiet_hours(local.hour, settings) or settings.quiet_end is None:
        return instant
    day = local.date() if local.hour < settings.quiet_end else local.date() + dt.timedelta(days=1)
    return at_local(day, settings.quiet_end, tz)


def runs_daily(settings: UserSettings) -> bool:
    return settings.release_reminders


def wants_any(settings: UserSettings) -> bool:
    return settings.weekly_picks or settings.release_reminders or settings.nudges


def next_run(settings: UserSettings, after: dt.datetime) -> dt.datetime | None:
    """The first run strictly after `after`, or None when the user wants no scheduled messages."""
    if not wants_any(settings) or settings.timezone is None:
        return None
    tz = zone(settings.timezone)
    start = after.astimezone(tz).date() - dt.timedelta(days=1)
    for offset in range(MAX_DAYS_AHEAD + 2):
        day = start + dt.timedelta(days=offset)
        if not runs_daily(settings) and day.weekday() != settings.weekly_day:
            continue
        run = out_of_quiet_hours(at_local(day, settings.hour, tz), settings)
        if run > after:
            return run
    return None  # pragma: no cover - some day within 9 always matches


@dataclass(frozen=True, slots=True)
class RunFacts:
    """What a run at one instant means for one user, in their local time."""

    local_date: dt.date
    week: str  # ISO week, e.g. 2026-W49: one weekly pick and one nudge per week
    weekly_day: bool  # today is their weekly day (weekly picks, nudges)


def facts_of(run: dt.datetime, settings: UserSettings) -> RunFacts:
    """A run pushed past midnight by quiet hours still belongs to the day it was for."""
    tz = zone(settings.timezone)
    local = run.astimezone(tz)
    day = local.date()
    planned = at_local(day, settings.hour, tz)
    if planned > run:  # moved here from the evening before by quiet hours
        day -= dt.timedelta(days=1)
    year, week, _ = day.isocalendar()
    return RunFacts(day, f"{year}-W{week:02d}", day.weekday() == settings.weekly_day)


def window_end(run: dt.datetime, settings: UserSettings, window: dt.timedelta, *, whole_day: bool) -> dt.datetime:
    """When a message due at `run` stops being worth sending.

    `whole_day`: the window is the rest of the run's local day (weekly picks),
    or `window` if that is longer. Otherwise `window` after the run.
    """
    if not whole_day:
        return run + window
    tz = zone(settings.timezone)
    midnight = at_local(run.astimezone(tz).date() + dt.timedelta(days=1), 0, tz)
    return max(midnight, run + window) if midnight - run < dt.timedelta(hours=1) else midnight


def describe(settings: UserSettings) -> str:
    """'Fridays at 18:00' — the weekly slot in words."""
    return f"{WEEKDAY_NAMES[settings.weekly_day]}s at {settings.hour:02d}:00"


def zone_from_local_time(local_now: dt.time, now: dt.datetime) -> str | None:
    """A zone whose clock shows `local_now` at UTC `now` (the user told us the time instead of a zone name).

    The offset is rounded to the nearest quarter hour (people type the time a
    minute or two off). Whole hours map to the fixed `Etc/GMT±N` zones, whose
    sign is inverted by POSIX convention; the common half- and quarter-hour
    offsets map to the zone most people with that offset live in.
    """
    utc = now.astimezone(dt.UTC)
    minutes_local = local_now.hour * 60 + local_now.minute
    minutes_utc = utc.hour * 60 + utc.minute
    diff = (minutes_local - minutes_utc + 12 * 60) % (24 * 60) - 12 * 60  # in (-12h, +12h]
    quarter = round(diff / 15) * 15
    if quarter == 12 * 60 or quarter == -12 * 60:
        return "Etc/GMT-12"
    if quarter % 60 == 0:
        hours = quarter // 60
        if hours == 0:
            return "UTC"
        return f"Etc/GMT{-hours:+d}"
    return _ODD_OFFSETS.get(quarter)


_ODD_OFFSETS = {
    -9 * 60 - 30: "Pacific/Marquesas",
    -3 * 60 - 30: "America/St_Johns",
    3 * 60 + 30: "Asia/Tehran",
    4 * 60 + 30: "Asia/Kabul",
    5 * 60 + 30: "Asia/Kolkata",
    5 * 60 + 45: "Asia/Kathmandu",
    6 * 60 + 30: "Asia/Yangon",
    8 * 60 + 45: "Australia/Eucla",
    9 * 60 + 30: "Australia/Darwin",
    10 * 60 + 30: "Australia/Adelaide",
}

# The quiet-hours choices a settings button offers (any other pair can be typed: /settings quiet 23-7).
QUIET_PRESETS: tuple[tuple[int | None, int | None], ...] = ((None, None), (22, 8), (23, 7), (21, 9), (0, 8))


def quiet_label(start: int | None, end: int | None) -> str:
    if start is None or end is None or start == end:
        return "off"
    return f"{start:02d}:00–{end:02d}:00"
