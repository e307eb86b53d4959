"""The user themselves: /start, /settings and its toggles, /profile, /history, reachability."""

from __future__ import annotations

import zoneinfo
from dataclasses import replace

from bot import screens
from bot.actions import ListName, PageAction, Setting
from bot.intents.search import open_movie
from bot.reply import Button, Reply, bold, line
from bot.services import Requester, Services, user_of
from domain.errors import InvalidInput
from domain.models import UserSettings
from domain.query import ListFilter, clip_for_echo
from domain.text import clean_user_text

DEEP_LINK_PREFIX = "m_"
SETTINGS_USAGE = "Use /settings <name> <value>, e.g. /settings timezone Europe/Berlin."


async def start(s: Services, who: Requester, arg: str = "") -> Reply:
    """/start [m_<id>]: welcome, or open a shared movie card (deep link)."""
    arg = arg.strip()
    movie_ref = arg.removeprefix(DEEP_LINK_PREFIX)
    if arg.startswith(DEEP_LINK_PREFIX) and movie_ref.isdigit() and movie_ref.isascii() and len(arg) < 14:
        return await open_movie(s, who, int(movie_ref))
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
    text = (
        line(bold(f"🎬 Hi {clip_for_echo(user.display_name, 40)}! I'm your movie companion.")),
        line("Search films, keep favorites and a watchlist, rate and review, and get picks you'll like."),
        line("Try /search matrix, /trending or /recommend. /help lists everything."),
    )
    buttons = (
        (
            Button("🔥 Popular", PageAction(ListName.TRENDING, 1)),
            Button("✨ For you", PageAction(ListName.RECOMMEND, 1)),
        ),
    )
    return Reply(text=text, buttons=buttons)


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
            return screens.settings_reply(await uow.users.get(user.id) or user)
    if len(words) != 2:
        raise InvalidInput(SETTINGS_USAGE)
    apply_setting(user.settings, words[0].lower(), words[1])  # reject a bad value before taking the writer
    async with s.uow(write=True) as uow:
        user = await user_of(s, uow, who)  # change the stored settings, so no other change is overwritten
        updated = apply_setting(user.settings, words[0].lower(), words[1])
        await uow.users.update_settings(user.id, updated)
        await uow.commit()
    return screens.settings_reply(replace(user, settings=updated), note="✅ Saved.")


async def toggle_setting(s: Services, who: Requester, setting: Setting) -> Reply:
    """A settings button: flip one switch, as stored."""
    async with s.uow(write=True) as uow:
        user = await user_of(s, uow, who)
        current = user.settings
        if setting is Setting.REMINDERS:
            updated = replace(current, reminders=not current.reminders)
        else:
            updated = replace(current, weekly_picks=not current.weekly_picks)
        await uow.users.update_settings(user.id, updated)
        await uow.commit()
    return screens.settings_reply(replace(user, settings=updated), edit=True, toast="Saved")


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


def apply_setting(current: UserSettings, name: str, value: str) -> UserSettings:
    """Validate and apply one /settings change."""
    if name in ("timezone", "tz"):
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, IsADirectoryError, OSError):
            raise InvalidInput(
                f"“{clip_for_echo(value, 40)}” is not a timezone I know. "
                "Use a name like Europe/Berlin or America/New_York."
            ) from None
        return replace(current, timezone=value)
    if name == "region":
        if not (len(value) == 2 and value.isascii() and value.isalpha()):
            raise InvalidInput("Region is a two-letter country code, like US, DE or BR.")
        return replace(current, region=value.upper())
    if name in ("language", "lang"):
        if value.lower() != "en":
            raise InvalidInput("Only English (en) is available for now.")
        return replace(current, language="en")
    if name in ("reminders", "weekly"):
        if value.lower() not in _SWITCH:
            raise InvalidInput(f"Use /settings {name} on or /settings {name} off.")
        on = _SWITCH[value.lower()]
        return replace(current, reminders=on) if name == "reminders" else replace(current, weekly_picks=on)
    raise InvalidInput("Settings: timezone, region, language, reminders, weekly.")
