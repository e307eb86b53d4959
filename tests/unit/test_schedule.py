"""When scheduled messages are due: the user's local day and hour, whatever the clocks do."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import schedule
from domain.models import UserSettings

UTC = dt.UTC


def weekly(zone: str, day: int, hour: int, **kw: object) -> UserSettings:
    return UserSettings(timezone=zone, weekly_picks=True, weekly_day=day, hour=hour, quiet_start=None, **kw)  # type: ignore[arg-type]


def runs(settings: UserSettings, start: dt.datetime, count: int) -> list[dt.datetime]:
    found, at = [], start
    for _ in range(count):
        nxt = schedule.next_run(settings, at)
        assert nxt is not None
        found.append(nxt)
        at = nxt
    return found


def test_sunday_10_in_berlin_stays_10_local_across_both_dst_changes() -> None:
    sundays = runs(weekly("Europe/Berlin", 6, 10), dt.datetime(2027, 3, 15, tzinfo=UTC), 2)
    assert sundays == [dt.datetime(2027, 3, 21, 9, tzinfo=UTC), dt.datetime(2027, 3, 28, 8, tzinfo=UTC)]
    autumn = runs(weekly("Europe/Berlin", 6, 10), dt.datetime(2027, 10, 25, tzinfo=UTC), 2)
    assert [r.astimezone(ZoneInfo("Europe/Berlin")).hour for r in autumn] == [10, 10]
    assert autumn == [dt.datetime(2027, 10, 31, 9, tzinfo=UTC), dt.datetime(2027, 11, 7, 9, tzinfo=UTC)]


def test_new_york_keeps_its_local_hour_when_its_clocks_change_on_another_weekend() -> None:
    fridays = runs(weekly("America/New_York", 4, 18), dt.datetime(2027, 3, 8, tzinfo=UTC), 2)
    assert fridays == [dt.datetime(2027, 3, 12, 23, tzinfo=UTC), dt.datetime(2027, 3, 19, 22, tzinfo=UTC)]


def test_a_local_hour_that_does_not_exist_goes_at_the_first_valid_minute_after_it() -> None:
    # 2027-03-28 02:00 does not exist in Berlin: clocks jump from 02:00 CET to 03:00 CEST (01:00 UTC).
    run = schedule.next_run(weekly("Europe/Berlin", 6, 2), dt.datetime(2027, 3, 27, tzinfo=UTC))
    assert run == dt.datetime(2027, 3, 28, 1, 0, tzinfo=UTC)
    assert run.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M") == "03:00"


def test_a_local_hour_that_happens_twice_goes_the_first_time() -> None:
    # 2027-10-31 02:00–03:00 happens twice in Berlin; the first is 00:00 UTC.
    run = schedule.next_run(weekly("Europe/Berlin", 6, 2), dt.datetime(2027, 10, 30, tzinfo=UTC))
    assert run == dt.datetime(2027, 10, 31, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Asia/Kolkata", dt.datetime(2026, 12, 4, 12, 30, tzinfo=UTC)),  # UTC+05:30
        ("Asia/Kathmandu", dt.datetime(2026, 12, 4, 12, 15, tzinfo=UTC)),  # UTC+05:45
        ("Australia/Adelaide", dt.datetime(2026, 12, 4, 7, 30, tzinfo=UTC)),  # UTC+10:30 in its summer
    ],
)
def test_half_and_quarter_hour_zones_get_their_exact_local_hour(zone: str, expected: dt.datetime) -> None:
    assert schedule.next_run(weekly(zone, 4, 18), dt.datetime(2026, 12, 1, tzinfo=UTC)) == expected


def test_quiet_hours_move_a_run_to_their_end_and_it_still_counts_for_its_day() -> None:
    settings = replace_quiet(weekly("Asia/Tokyo", 4, 23), 22, 8)
    run = schedule.next_run(settings, dt.datetime(2026, 12, 1, tzinfo=UTC))
    assert run == dt.datetime(2026, 12, 4, 23, 0, tzinfo=UTC)  # Saturday 08:00 in Tokyo
    facts = schedule.facts_of(run, settings)
    assert (facts.local_date, facts.weekly_day) == (dt.date(2026, 12, 4), True)  # Friday's picks


def replace_quiet(settings: UserSettings, start: int | None, end: int | None) -> UserSettings:
    return replace(settings, quiet_start=start, quiet_end=end)


def test_release_reminders_need_a_run_every_day_and_nothing_on_needs_none() -> None:
    daily = UserSettings(timezone="UTC", release_reminders=True, hour=9, quiet_start=None)
    assert runs(daily, dt.datetime(2026, 12, 1, 10, tzinfo=UTC), 3) == [
        dt.datetime(2026, 12, d, 9, tzinfo=UTC) for d in (2, 3, 4)
    ]
    assert schedule.next_run(UserSettings(timezone="UTC"), dt.datetime(2026, 12, 1, tzinfo=UTC)) is None
    assert schedule.next_run(UserSettings(weekly_picks=True), dt.datetime(2026, 12, 1, tzinfo=UTC)) is None  # no zone


@given(
    zone=st.sampled_from(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Adelaide", "Pacific/Apia"]),
    day=st.integers(0, 6),
    hour=st.integers(0, 23),
    after=st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2030, 1, 1), timezones=st.just(UTC)),
)
def test_the_next_run_is_soon_after_on_the_right_day_and_never_inside_quiet_hours(
    zone: str, day: int, hour: int, after: dt.datetime
) -> None:
    settings = replace_quiet(weekly(zone, day, hour), 22, 7)
    run = schedule.next_run(settings, after)
    assert run is not None
    assert after < run <= after + dt.timedelta(days=8, hours=10)
    local = run.astimezone(ZoneInfo(zone))
    assert not schedule.in_quiet_hours(local.hour, settings)
    assert schedule.facts_of(run, settings).weekly_day


@pytest.mark.parametrize(
    ("typed", "utc", "zone"),
    [
        (dt.time(14, 31), dt.datetime(2026, 12, 3, 13, 30, tzinfo=UTC), "Etc/GMT-1"),  # UTC+1, a minute off
        (dt.time(8, 30), dt.datetime(2026, 12, 3, 13, 30, tzinfo=UTC), "Etc/GMT+5"),  # UTC-5 (POSIX sign)
        (dt.time(19, 0), dt.datetime(2026, 12, 3, 13, 30, tzinfo=UTC), "Asia/Kolkata"),
        (dt.time(0, 0), dt.datetime(2026, 12, 3, 23, 58, tzinfo=UTC), "UTC"),  # across midnight
        (dt.time(9, 25), dt.datetime(2026, 12, 3, 23, 55, tzinfo=UTC), "Australia/Darwin"),  # +09:30, next day
    ],
)
def test_the_time_on_the_users_clock_gives_a_zone_with_that_offset(typed: dt.time, utc: dt.datetime, zone: str) -> None:
    found = schedule.zone_from_local_time(typed, utc)
    assert found == zone
    assert found is not None
    shown = utc.astimezone(ZoneInfo(found)).time()
    minutes_off = (shown.hour * 60 + shown.minute) - (typed.hour * 60 + typed.minute)
    assert min(minutes_off % 1440, -minutes_off % 1440) <= 7
