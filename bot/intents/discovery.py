"""Discovering films: /trending, /upcoming, /recommend with onboarding, more like this, not interested."""

from __future__ import annotations

from bot import screens
from bot.actions import ListName, MovieOp, PageAction
from bot.intents.library import change
from bot.reply import Reply, line
from bot.services import Requester, Services, card, movie_by_id, page_token, remote_list, user_of, write
from domain.catalog import TrendingWindow
from domain.models import Movie, SignalKind

ONBOARDING_GENRES = ("Action", "Comedy", "Drama", "Science Fiction")
TRENDING_WINDOWS: dict[str, TrendingWindow] = {"day": "day", "today": "day", "week": "week"}


def trending_window(word: str) -> TrendingWindow | None:
    """Read "day" / "today" / "week" (any case) as a trending window; None for anything else."""
    return TRENDING_WINDOWS.get(word.strip().lower())


async def trending(
    s: Services,
    who: Requester,
    page: int = 1,
    *,
    window: TrendingWindow = "week",
    token: str | None = None,
    edit: bool = False,
) -> Reply:
    """/trending [day|week]: TMDb's trending movies when configured, else the most popular in the catalog."""
    remote, notice = await remote_list(s, lambda r, p: r.trending(window, p), page)
    async with s.uow() as uow:
        await user_of(s, uow, who)
        result = remote if remote is not None else await uow.movies.popular(page, s.page_size)
        if window != "week" and s.remote is not None:  # the default window needs no token
            token = await page_token(s, uow, window, result.pages, token)
    if remote is not None:
        title, subtitle = f"🔥 Trending {'today' if window == 'day' else 'this week'}", "From TMDb"
    else:
        title, subtitle = "🔥 Popular now", notice or f"From {s.catalog_name}"
    return screens.list_reply(
        title,
        result,
        [screens.movie_line(result.offset + i + 1, m) for i, m in enumerate(result.items)],
        result.items,
        lambda p: PageAction(ListName.TRENDING, p, token),
        empty="The catalog is empty: import one with `moviebot catalog import`.",
        subtitle=subtitle,
        edit=edit,
    )


async def upcoming(s: Services, who: Requester, page: int = 1, *, edit: bool = False) -> Reply:
    """/upcoming: releases coming soon in the user's region (TMDb only: an offline catalog cannot know)."""
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
    if s.remote is None:
        return Reply(
            text=(line("Upcoming releases need live data from TMDb, which is not set up here. Try /trending."),)
        )
    region = user.settings.region
    result, notice = await remote_list(s, lambda r, p: r.upcoming(region, p), page)
    if result is None:
        return Reply(text=(line(notice or "TMDb is not answering right now. Try again later."),))
    return screens.list_reply(
        f"📅 Coming soon ({region})",
        result,
        [
            screens.movie_line(result.offset + i + 1, m, f" · {m.release_date.isoformat()}" if m.release_date else "")
            for i, m in enumerate(result.items)
        ],
        result.items,
        lambda p: PageAction(ListName.UPCOMING, p),
        empty="TMDb lists nothing upcoming for your region right now.",
        subtitle="From TMDb",
        edit=edit,
    )


async def recommend(s: Services, who: Requester, page: int = 1, *, edit: bool = False) -> Reply:
    """/recommend: five personal picks with a reason each; new users pick a few favorites first."""
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        signals = await uow.library.signals(user.id)
    if not any(signal.kind is not SignalKind.DISMISSED for signal in signals):
        return await onboarding(s, who, edit=edit)
    found = await s.recommendations.recommend(user.id, k=s.page_size + 1, offset=(page - 1) * s.page_size)
    shown = found[: s.page_size]
    async with s.uow() as uow:
        anchors = [r.reason.anchor_item_id for r in shown if r.reason.anchor_item_id is not None]
        movies = await uow.movies.many([r.item_id for r in shown] + anchors)
    picks = [(movies[r.item_id], screens.reason_text(r.reason, movies)) for r in shown if r.item_id in movies]
    return screens.recommend_reply(picks, page, s.page_size, len(found) > s.page_size, edit=edit)


async def onboarding(s: Services, who: Requester, *, edit: bool, toast: str | None = None) -> Reply:
    """New users pick a few films they like from popular ones in a few genres."""
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        choices: dict[int, Movie] = {}
        for genre in ONBOARDING_GENRES:
            for movie in (await uow.movies.popular(1, 3, genres=(genre,))).items:
                choices.setdefault(movie.id, movie)
        liked = {signal.movie_id for signal in await uow.library.signals(user.id) if signal.kind is SignalKind.FAVORITE}
    return screens.onboarding_reply(list(choices.values())[:12], liked, edit=edit, toast=toast)


async def pick(s: Services, who: Requester, movie_id: int) -> Reply:
    """Onboarding tap: favorite the movie and show the picker again with it marked."""
    await change(s, who, MovieOp.FAVORITE, movie_id, edit=True)
    return await onboarding(s, who, edit=True, toast="❤ Noted!")


async def dismiss(s: Services, who: Requester, movie_id: int) -> Reply:
    """ "Not interested": never recommend it again, and learn from it."""
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        movie = await movie_by_id(uow, movie_id)
        now = s.now()
        await write(
            s, uow, lambda w: w.library.dismiss(user.id, movie.id, now)
        )  # idempotent: a second tap changes nothing
        return await card(s, uow, user, movie, edit=True, toast="Got it: I won't suggest it again.")


async def similar(s: Services, who: Requester, movie_id: int) -> Reply:
    """More like this: movies similar in genres, keywords, story and era."""
    async with s.uow() as uow:
        await user_of(s, uow, who)
        movie = await movie_by_id(uow, movie_id)
    found = await s.recommendations.similar(movie.id, k=s.page_size)
    async with s.uow() as uow:
        movies = await uow.movies.many([r.item_id for r in found])
    return screens.similar_reply(movie, [movies[r.item_id] for r in found if r.item_id in movies])
