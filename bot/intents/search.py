"""Finding films: /search, /movie and cards by id, autocomplete, and inline-mode cards."""

from __future__ import annotations

from dataclasses import dataclass

from bot import screens
from bot.actions import ListName, MovieAction, MovieOp, PageAction
from bot.reply import Reply
from bot.resolve import resolve
from bot.services import Requester, Services, card, movie_by_id, page_token, remote_list, user_of
from domain.errors import InvalidInput
from domain.models import Movie, MovieStatus, Page
from domain.query import SearchQuery, clip_for_echo, parse_search

MAX_TYPED = 100


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One autocomplete choice: what to show, and the value to send back (an #id ref)."""

    label: str
    value: str
    movie_id: int


async def movie(s: Services, who: Requester, text: str) -> Reply:
    """/movie <title | #id | tmdb:id>: show a movie card."""
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        found = await resolve(s, uow, text, lambda m: MovieAction(MovieOp.OPEN, m.id))
        if isinstance(found, Reply):
            return found
        return await card(s, uow, user, found)


async def open_movie(s: Services, who: Requester, movie_id: int) -> Reply:
    """Show the card of a movie by internal id (buttons, deep links)."""
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        return await card(s, uow, user, await movie_by_id(uow, movie_id))


async def _remote_search(s: Services, query: SearchQuery, page: int) -> tuple[Page[Movie] | None, str | None]:
    """Search TMDb for a title query (see services.remote_list).

    (None, None) also when the query uses filters only the local catalog understands.
    """
    title, genres = query.title, query.genres
    if query.tmdb_id or query.movie_id or len(query.years) > 1:
        return None, None
    span = query.years[0] if query.years else None
    if not title:  # genres and/or a year range: TMDb's discover
        return await remote_list(s, lambda remote, p: remote.discover(genres, span, p), page)
    if genres:  # TMDb's search cannot filter by genre; the local catalog can
        return None, None
    year = span[0] if span and span[0] == span[1] else None
    return await remote_list(s, lambda remote, p: remote.search(title, year, p), page)


async def search(
    s: Services, who: Requester, text: str, page: int = 1, *, token: str | None = None, edit: bool = False
) -> Reply:
    """/search <title, genre, years, tmdb:id>: ranked results, paged."""
    query = parse_search(text)
    remote, notice = await _remote_search(s, query, page)
    async with s.uow() as uow:
        await user_of(s, uow, who)
        result = remote if remote is not None else await uow.movies.search(query, page, s.page_size)
        token = await page_token(s, uow, text, result.pages, token)
    return screens.list_reply(
        "🔎 Results",
        result,
        [screens.movie_line(result.offset + i + 1, m) for i, m in enumerate(result.items)],
        result.items,
        lambda p: PageAction(ListName.SEARCH, p, token),
        empty=f"Nothing found for {query.describe()}. Try fewer words or another spelling.",
        subtitle=f"{query.describe()} · {notice}" if notice else query.describe(),
        edit=edit,
    )


async def suggest(s: Services, who: Requester, text: str, limit: int = 25) -> list[Suggestion]:
    """Autocomplete: titles with years for what was typed; popular titles under 2 characters.

    Never raises on odd input: autocomplete fires on every keystroke.
    """
    typed = text.strip()[:MAX_TYPED]
    async with s.uow() as uow:
        if len(typed) < 2:
            movies = (await uow.movies.popular(1, limit)).items
        else:
            try:
                query = parse_search(typed)
            except InvalidInput:
                return []
            movies = (await uow.movies.search(query, 1, limit)).items
    return [Suggestion(label=clip_for_echo(m.label, 100), value=f"#{m.id}", movie_id=m.id) for m in movies]


async def inline_cards(s: Services, who: Requester, text: str, limit: int = 10) -> list[Reply]:
    """Cards for inline mode (Telegram's @bot query), to be posted into someone else's chat.

    They show public facts only: the sender's own stars, review and lists are
    nobody else's business, and buttons on the posted card act for whoever
    presses them. No where-to-watch: a TMDb call per keystroke is too many.
    """
    found = await suggest(s, who, text, limit)
    async with s.uow() as uow:
        await user_of(s, uow, who)
        cards = []
        for suggestion in found:
            movie = await uow.movies.get(suggestion.movie_id)
            if movie is not None:
                stats = await uow.library.rating_stats(movie.id)
                poster = s.poster_url(movie.poster_path) if movie.poster_path else None
                cards.append(
                    screens.public_view(screens.card_reply(screens.card_for(movie, stats, MovieStatus(), poster)))
                )
    return cards
