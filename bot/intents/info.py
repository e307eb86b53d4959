"""What moviebot is: /help and /about."""

from __future__ import annotations

from collections.abc import Sequence

from bot.reply import Reply, bold, italic, line
from bot.services import Requester, Services, user_of

TMDB_NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."


async def help_screen(s: Services, who: Requester, usages: Sequence[tuple[str, str]]) -> Reply:
    """/help: every command (`usages`: "/name usage" and a description) with a one-line description."""
    async with s.uow() as uow:
        await user_of(s, uow, who)  # any message counts as contact (reachable again)
    text = [line(bold("What I can do"))]
    text += [line(f"{usage} — {description}") for usage, description in usages]
    text += [line(italic(f"Movies come from {s.catalog_name}.")), line(italic(TMDB_NOTICE))]
    return Reply(text=tuple(text))


async def about(s: Services, who: Requester) -> Reply:
    """/about: which catalog is in use, and credits."""
    async with s.uow() as uow:
        await user_of(s, uow, who)
    return Reply(
        text=(
            line(bold("About moviebot")),
            line(f"Catalog in use: {s.catalog_name}."),
            line("Offline catalog: MovieLens data © GroupLens Research, University of Minnesota."),
            line(italic(TMDB_NOTICE)),
        )
    )
