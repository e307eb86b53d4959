"""Admin-only analytics: /stats."""

from __future__ import annotations

import datetime as dt

from bot import screens
from bot.reply import Reply
from bot.services import Requester, Services
from domain.errors import Forbidden

STATS_DAYS = 30


async def stats(s: Services, who: Requester, days: int = STATS_DAYS) -> Reply:
    """/stats (admins): most favorited movies, most active users, top genres."""
    if f"{who.platform.value}:{who.external_id}" not in s.admins:
        raise Forbidden("/stats is for moviebot's admins.")
    async with s.uow() as uow:
        analytics = await uow.library.analytics(s.now() - dt.timedelta(days=days), limit=5)
    return screens.stats_reply(analytics, days)
