"""The user themselves: /start, /settings and its toggles, /profile, /history, reachability."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from bot import screens
from bot.actions import CHOICES, ListName, PageAction, Setting, ToggleSetting
from bot.intents.search import open_movie
from bot.reply import TIMEZONE_START_ARG, Button, Reply, bold, italic, line
from bot.services import Requester, Services, user_of
from domain import schedule
from domain.errors import InvalidInput
from domain.models import UserSettings
from domain.query import ListFilter, clip_for_echo
from domain.text import clean_user_text

DEEP_LINK_PREFIX = "m_"
SETTINGS_USAGE = "Use /settings <name> <value>, e.g. /settings timezone Europe/Berlin."


async def start(s: Services, who: Requester, arg: str = "") -> Reply:
    """/start [m_<id> | tz]: welcome with the one-button offer of weekly picks, or open a shared movie card."""
    arg = arg.strip()
    movie_ref = arg.removeprefix(DEEP_LINK_PREFIX)
    if arg.startswith(DEEP_LINK_PREFIX) and movie_ref.isdigit() and movie_ref.isascii() and len(arg) < 14:
        return await open_movie(s, who, int(movie_ref))
    if arg == TIMEZONE_START_ARG:
        return screens.timezone_question(opt_in=False)
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
    text = [
        line(bold(f"🎬 Hi {clip_for_echo(user.display_name, 40)}! I'm your movie companion.")),
        line("Search films, keep favorites and a watchlist, rate and review, and get picks you'll like."),
        line("Try /search matrix, /trending or /recommend. /help lists everything."),
    ]
    buttons: list[tuple[Button, ...]] = [
        (
            Button("🔥 Popular", PageAction(ListName.TRENDING, 1)),
            Button("✨ For you", PageAction(ListName.RECOMMEND, 1)),
        )
    ]
    if not user.settings.weekly_picks:
        slot = schedule.describe(user.settings)
        buttons.insert(0, (Button(f"📬 Weekly picks on {slot} your time?", ToggleSetting(Setting.OPT_IN)),))
        text.append(line(italic("I never write first unless you say yes; /settings changes it any time.")))
    return Reply(text=tuple(text), buttons=tuple(buttons))


async def history(s: Services, who: Requester, page: int = 1, *, edit: bool = False) -> Reply:
    """/history: recently added and removed favorites, then all activity."""
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        recent = await uow.library.favorites(user.id, ListFilter(), 1, s.page_size)
        removed = await uow.library.recently_removed_favorites(user.id, s.page_size)
        activity = await uow.library.history(user.id, page, s.page_size)
    return screens.history_reply(recent, removed, activity, s.now(), edit)


async def profile(s: Services, who: Requester) -> Reply:
    """/profile: counts, average given, top genres, member since."""
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        return screens.profile_reply(user, await uow.library.profile(user.id))


async def settings(s: Services, who: Requester, args: str = "") -> Reply:
    """/settings [name value]: show or change preferences."""
    words = clean_user_text(args).split()
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        if not words:
            # As stored, not the lookup's cached copy: another instance may have saved a change a moment ago.
            return screens.settings_reply(await uow.users.get(user.id) or user, s.now())
    if len(words) != 2:
        raise InvalidInput(SETTINGS_USAGE)
    name, value = words[0].lower(), words[1]
    apply_setting(user.settings, name, value, s.now())  # reject a bad value before taking the writer
    return await _change_settings(s, who, lambda current: apply_setting(current, name, value, s.now()), "✅ Saved.")


async def _change_settings(
    s: Services, who: Requester, change: Callable[[UserSettings], UserSettings], note: str, *, edit: bool = False
) -> Reply:
    """Apply a change to the stored settings (so no other change is overwritten) and show them."""
    async with s.uow(write=True) as uow:
        user = await user_of(s, uow, who)
        updated = change(user.settings)
        await uow.users.update_settings(user.id, updated, s.now())
        await uow.commit()
    shown = replace(user, settings=updated)
    if edit:
        return screens.settings_reply(shown, s.now(), edit=True, toast="Saved")
    return screens.settings_reply(shown, s.now(), note=note)


_FLIPS: dict[Setting, Callable[[UserSettings], UserSettings]] = {
    Setting.WEEKLY: lambda c: replace(c, weekly_picks=not c.weekly_picks),
    Setting.REMINDERS: lambda c: replace(c, release_reminders=not c.release_reminders),
    Setting.NUDGES: lambda c: replace(c, nudges=not c.nudges),
}


async def toggle_setting(s: Services, who: Requester, setting: Setting) -> Reply:
    """A settings button: flip a switch, open a picker, ask for the timezone, or say yes to weekly picks."""
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        stored = await uow.users.get(user.id) or user
    if setting is Setting.MENU:
        return screens.settings_reply(stored, s.now(), edit=True)
    if setting in CHOICES:
        return screens.picker_reply(setting, stored.settings)
    if setting is Setting.TIMEZONE:
        return screens.timezone_question(opt_in=False)
    if setting is Setting.OPT_IN:
        if stored.settings.timezone is None:
            return screens.timezone_question(opt_in=True)
        return await _change_settings(s, who, _opted_in, _opt_in_note(stored.settings))
    if stored.settings.timezone is None and schedule.wants_any(_FLIPS[setting](stored.settings)):
        # Turning something on needs the zone first; for weekly picks, the answer turns them on.
        return screens.timezone_question(opt_in=setting is Setting.WEEKLY)
    return await _change_settings(s, who, _FLIPS[setting], "✅ Saved.", edit=True)


async def choose_setting(s: Services, who: Requester, setting: Setting, value: int) -> Reply:
    """A picker's button: the weekly day, the hour, or a quiet-hours preset."""

    def chosen(current: UserSettings) -> UserSettings:
        if setting is Setting.DAY:
            return replace(current, weekly_day=value)
        if setting is Setting.HOUR:
            return replace(current, hour=value)
        start_hour, end_hour = schedule.QUIET_PRESETS[value]
        return replace(current, quiet_start=start_hour, quiet_end=end_hour)

    return await _change_settings(s, who, chosen, "✅ Saved.", edit=True)


def _opted_in(current: UserSettings) -> UserSettings:
    return replace(current, weekly_picks=True)


def _opt_in_note(settings: UserSettings) -> str:
    return f"✅ Weekly picks are on: {schedule.describe(settings)}, {settings.timezone} time. Change anything below."


async def answer_timezone(s: Services, who: Requester, text: str, *, opt_in: bool) -> Reply:
    """The answer to a timezone question: a zone name or the time on the user's clock."""
    zone_name = parse_timezone(clean_user_text(text), s.now())

    def change(current: UserSettings) -> UserSettings:
        updated = replace(current, timezone=zone_name)
        return _opted_in(updated) if opt_in else updated

    probe = change(UserSettings())
    note = _opt_in_note(probe) if opt_in else f"✅ Timezone set to {zone_name}."
    return await _change_settings(s, who, change, note)


_CLOCK = re.compile(r"^(\d{1,2})(?::|\.|h)(\d{2})\s*([ap]\.?m\.?)?$", re.IGNORECASE)


def parse_timezone(text: str, now: dt.datetime) -> str:
    """A zone name (any case), or the zone whose clock shows the typed time now."""
    candidate = text.strip()
    match = _CLOCK.match(candidate.replace(" ", "")) if len(candidate) <= 12 else None
    if match is not None:
        hour, minute = int(match.group(1)), int(match.group(2))
        meridiem = (match.group(3) or "").lower().replace(".", "")
        if meridiem:
            if not 1 <= hour <= 12:
                raise InvalidInput(_NOT_A_TIME)
            hour = hour % 12 + (12 if meridiem == "pm" else 0)
        if hour > 23 or minute > 59:
            raise InvalidInput(_NOT_A_TIME)
        zone_name = schedule.zone_from_local_time(dt.time(hour, minute), now)
        if zone_name is None:
            raise InvalidInput("I couldn't match that time to a timezone. Send a zone name like Asia/Kolkata.")
        return zone_name
    known = _zone_names().get(candidate.lower().replace(" ", "_"))
    if known is None or len(candidate) > 64:
        raise InvalidInput(
            f"“{clip_for_echo(candidate, 40)}” is not a timezone I know. "
            "Send a name like Europe/Berlin or America/New_York, or the time on your clock, like 14:30."
        )
    return known


_NOT_A_TIME = "That doesn't look like a time. Send it like 14:30 or 2:30 pm."


@lru_cache(maxsize=1)
def _zone_names() -> dict[str, str]:
    """Every IANA zone name by its lower-case form, so "europe/berlin" is understood too."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


async def mark_unreachable(s: Services, who: Requester) -> None:
    """The platform refused delivery (blocked bot, closed DMs): skip scheduled messages."""
    async with s.uow(write=True) as uow:
        user = await uow.users.find(who.identity)
        if user is not None:
            await uow.users.set_reachable(user.id, False)
            await uow.commit()


async def was_refused(s: Services, who: Requester) -> bool:
    """Whether a scheduled message to this known user was refused (closed DMs, blocked bot) since they last wrote.

    Asked before running a command (which marks the user reachable again), to
    tell them why their reminders stopped.
    """
    async with s.uow() as uow:
        user = await uow.users.find(who.identity)
    return user is not None and not user.reachable


_SWITCH = {"on": True, "off": False, "yes": True, "no": False, "true": True, "false": False}
_SWITCH_SETTERS: dict[str, Callable[[UserSettings, bool], UserSettings]] = {
    "weekly": lambda c, on: replace(c, weekly_picks=on),
    "releases": lambda c, on: replace(c, release_reminders=on),
    "reminders": lambda c, on: replace(c, release_reminders=on),
    "nudges": lambda c, on: replace(c, nudges=on),
}
SETTING_NAMES = "timezone, region, language, weekly, releases, nudges, day, hour, quiet."


def apply_setting(current: UserSettings, name: str, value: str, now: dt.datetime) -> UserSettings:
    """Validate and apply one /settings change."""
    if name in ("timezone", "tz"):
        return replace(current, timezone=parse_timezone(value, now))
    if name == "region":
        if not (len(value) == 2 and value.isascii() and value.isalpha()):
            raise InvalidInput("Region is a two-letter country code, like US, DE or BR.")
        return replace(current, region=value.upper())
    if name in ("language", "lang"):
        if value.lower() != "en":
            raise InvalidInput("Only English (en) is available for now.")
        return replace(current, language="en")
    if name in _SWITCH_SETTERS:
        if value.lower() not in _SWITCH:
            raise InvalidInput(f"Use /settings {name} on or /settings {name} off.")
        updated = _SWITCH_SETTERS[name](current, _SWITCH[value.lower()])
        if updated.timezone is None and schedule.wants_any(updated):
            raise InvalidInput("First tell me your timezone: /settings timezone Europe/Berlin (or your local time).")
        return updated
    if name == "day":
        code = value.lower()[:3]
        if code not in schedule.WEEKDAY_CODES:
            raise InvalidInput("Use a weekday: /settings day fri.")
        return replace(current, weekly_day=schedule.WEEKDAY_CODES.index(code))
    if name == "hour":
        hour = value.removesuffix(":00")
        if not (hour.isdigit() and hour.isascii() and 0 <= int(hour) <= 23):
            raise InvalidInput("Use an hour from 0 to 23: /settings hour 18.")
        return replace(current, hour=int(hour))
    if name == "quiet":
        start_hour, end_hour = _quiet_hours(value)
        return replace(current, quiet_start=start_hour, quiet_end=end_hour)
    raise InvalidInput(f"Settings: {SETTING_NAMES}")


def _quiet_hours(value: str) -> tuple[int | None, int | None]:
    if value.lower() in ("off", "none", "no"):
        return None, None
    start_text, dash, end_text = value.partition("-")
    hours = [h.removesuffix(":00") for h in (start_text, end_text)]
    if not dash or not all(h.isdigit() and h.isascii() and 0 <= int(h) <= 23 for h in hours):
        raise InvalidInput("Use /settings quiet 22-8 (from hour to hour), or /settings quiet off.")
    return int(hours[0]), int(hours[1])
