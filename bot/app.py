"""MovieBot: one async method per user intent, each answering with a Reply.

Adapters turn a platform event into a Requester plus arguments and call one of
these; nothing here knows which platform asked. Each intent runs in one unit of
work, so a failure leaves nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import NoReturn, TypeVar

from bot import screens
from bot.actions import (
    Action,
    ListName,
    MovieAction,
    MovieOp,
    PageAction,
    RateAction,
    ReviewsPage,
    Setting,
    ToggleSetting,
    decode,
)
from bot.catalog_refresh import store_fetched
from bot.recommendations import RecommendationService
from bot.reply import Awaiting, Button, Reply, bold, italic, line
from domain.catalog import CatalogUnavailable, RemoteCatalog, TrendingWindow, WatchProviders
from domain.errors import Forbidden, InvalidInput, NotFound, ReviewTooLong, StaleAction
from domain.models import MAX_REVIEW_LENGTH, ChangeOutcome, Identity, Movie, MovieDraft, MovieStatus, Page, Platform, SignalKind, User, UserSettings
from domain.ports import LibraryRepository, UnitOfWork, UnitOfWorkFactory
from domain.query import (
    ListFilter,
    SearchQuery,
    clip_for_echo,
    parse_list_filter,
    parse_movie_ref,
    parse_search,
    parse_stars,
    split_rate_args,
)
from domain.text import clean_user_text

T = TypeVar("T")

DONE = ChangeOutcome.DONE
TMDB_NOTICE = "This product uses the TMDB API but is not endorsed or certified by TMDB."
ONBOARDING_GENRES = ("Action", "Comedy", "Drama", "Science Fiction")
REMOTE_PAGE_SIZE = 20  # TMDb's; our pages are smaller, so one of its pages serves several of ours
TRENDING_WINDOWS: dict[str, TrendingWindow] = {"day": "day", "today": "day", "week": "week"}

RemoteFetch = Callable[[RemoteCatalog, int], Awaitable[Page[MovieDraft]]]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One autocomplete choice: what to show, and the value to send back (an #id ref)."""

    label: str
    value: str
    movie_id: int


@dataclass(frozen=True, slots=True)
class Requester:
    """Who is asking, as the platform says: never taken from a button payload."""

    platform: Platform
    external_id: str
    display_name: str = ""

    @property
    def identity(self) -> Identity:
        return Identity(self.platform, self.external_id)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_MOVIE_MESSAGES: dict[MovieOp, tuple[str, str]] = {
    MovieOp.FAVORITE: ("❤ Added to your favorites.", "Already in your favorites."),
    MovieOp.UNFAVORITE: ("Removed from your favorites.", "It wasn't in your favorites."),
    MovieOp.WATCHLIST_ADD: ("➕ Added to your watchlist.", "Already on your watchlist."),
    MovieOp.WATCHLIST_REMOVE: ("Removed from your watchlist.", "It wasn't on your watchlist."),
    MovieOp.WATCHED: ("👁 Marked as watched.", "Already marked as watched."),
}


class MovieBot:
    """The application: intents over the unit of work, answering with Replies."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        *,
        clock: Callable[[], dt.datetime] = utc_now,
        page_size: int = 5,
        catalog_name: str = "the bundled offline catalog (MovieLens titles, years and genres)",
        poster_url: Callable[[str], str | None] = lambda path: None,
        bot_name: str = "moviebot",
        remote: RemoteCatalog | None = None,
        recommendations: RecommendationService | None = None,
        admins: frozenset[str] = frozenset(),
    ) -> None:
        self._uow = uow
        self.recommendations = recommendations or RecommendationService(uow)
        self._admins = admins  # "platform:external_id", from config (MOVIEBOT_ADMINS)
        self._now = clock
        self.page_size = page_size
        self.catalog_name = catalog_name
        self._poster_url = poster_url
        self.bot_name = bot_name
        self._remote = remote

    # ---- users -------------------------------------------------------------------------

    async def _user(self, uow: UnitOfWork, who: Requester) -> User:
        """The requester's user, created on first contact; writing again marks them reachable."""
        user = await uow.users.find(who.identity)
        if user is not None and user.reachable:
            return user
        if uow.writable:
            # Same transaction: a nested writer would wait forever for SQLite's single write connection.
            return await self._register(uow, who, user)
        known = user
        return await self._write(uow, lambda w: self._register(w, who, known))

    async def _write(self, uow: UnitOfWork, change: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        """Run `change` in a write transaction of its own, then move the read `uow` past it.

        Intents look the user and the movie up in a read unit of work (usually
        from the caches, with no SQL at all), so SQLite's single writer is held
        only for the statements that write. Later reads through `uow` see the
        change.
        """
        # End the read transaction first: its connection goes back to the pool (PostgreSQL shares one pool for
        # both, so two held at once could starve it), and the next read starts a snapshot that includes the write.
        await uow.restart()
        async with self._uow(write=True) as w:
            result = await change(w)
            await w.commit()
        return result

    async def _register(self, uow: UnitOfWork, who: Requester, known: User | None) -> User:
        """Create the user on first contact (`known` is None), and mark them reachable (they just wrote)."""
        user = known or await uow.users.get_or_create(who.identity, who.display_name or who.external_id, self._now())
        if not user.reachable:
            await uow.users.set_reachable(user.id, True)
            user = replace(user, reachable=True)
        return user

    async def mark_unreachable(self, who: Requester) -> None:
        """The platform refused delivery (blocked bot, closed DMs): skip scheduled messages."""
        async with self._uow(write=True) as uow:
            user = await uow.users.find(who.identity)
            if user is not None:
                await uow.users.set_reachable(user.id, False)
                await uow.commit()

    async def was_refused(self, who: Requester) -> bool:
        """Whether a scheduled message to this known user was refused (closed DMs, blocked bot) since they last wrote.

        Adapters ask before running a command (which marks the user reachable
        again), to tell them why their reminders stopped.
        """
        async with self._uow() as uow:
            user = await uow.users.find(who.identity)
        return user is not None and not user.reachable

    async def is_reachable(self, who: Requester) -> bool:
        """Whether scheduled messages may be sent (unknown users count as unreachable)."""
        async with self._uow() as uow:
            user = await uow.users.find(who.identity)
        return user is not None and user.reachable

    # ---- movies and cards ----------------------------------------------------------------

    async def _card(self, uow: UnitOfWork, user: User, movie: Movie, *, where_to_watch: bool = True, **kwargs: object) -> Reply:
        # TMDb first: callers holding a write unit of work have committed, so no transaction (SQLite's single
        # writer) stays open across the HTTP call; the reads below start a fresh one.
        providers = await self._where_to_watch(user, movie) if where_to_watch else None
        stats, status = await uow.library.card_facts(user.id, movie.id)
        poster = self._poster_url(movie.poster_path) if movie.poster_path else None
        return screens.card_reply(screens.card_for(movie, stats, status, poster, providers), **kwargs)  # type: ignore[arg-type]

    async def _where_to_watch(self, user: User, movie: Movie) -> WatchProviders | None:
        """Where the movie streams, rents or sells in the user's region; None without TMDb or when it fails.

        A card without this line is still a card: a TMDb outage only omits it.
        """
        if self._remote is None or movie.tmdb_id is None:
            return None
        try:
            return await self._remote.watch_providers(movie.tmdb_id, user.settings.region)
        except CatalogUnavailable:
            return None

    async def _movie(self, uow: UnitOfWork, movie_id: int) -> Movie:
        movie = await uow.movies.get(movie_id)
        if movie is None:
            raise NotFound("That movie is no longer in the catalog.")
        return movie

    async def _resolve(self, uow: UnitOfWork, text: str, action_for: Callable[[Movie], Action]) -> Movie | Reply:
        """Find the one movie a user named, or a Reply offering a choice.

        Exact title matches win; same title in several years asks which one,
        showing the years; otherwise the best search hits are offered.
        """
        ref = parse_movie_ref(text)
        if ref.movie_id is not None:
            return await self._movie(uow, ref.movie_id)
        if ref.tmdb_id is not None:
            found = await uow.movies.get_by_tmdb(ref.tmdb_id) or await self._import_tmdb(ref.tmdb_id)
            if found is not None:
                return found
            if not ref.title:
                raise NotFound(f"No movie with TMDb id {ref.tmdb_id} in {self.catalog_name}.")
        attempts = [(ref.title, ref.year)]
        if ref.year is not None:
            attempts.append((f"{ref.title} {ref.year}", None))  # "Blade Runner 2049" is a title, not a year
        for title, year in attempts:
            exact = await uow.movies.find_by_title(title, year)
            if len(exact) == 1:
                return exact[0]
            if len(exact) > 1:
                return screens.choice_reply(f"Several movies are called “{clip_for_echo(exact[0].title)}”. Which one?", exact, action_for)
        for title, year in attempts:
            years = ((year, year),) if year else ()
            hits = await uow.movies.search(replace(parse_search(title), years=years), 1, 5)
            if hits.total == 1:
                return hits.items[0]
            if hits.items:
                return screens.choice_reply(f"Did you mean one of these for “{clip_for_echo(text)}”?", hits.items, action_for)
        raise NotFound(f"No movie matches “{clip_for_echo(text)}”. Try /search with part of the title.")

    async def _import_tmdb(self, tmdb_id: int) -> Movie | None:
        """Fetch a movie TMDb knows and we do not, and store it locally.

        Lists, ratings and history then never depend on TMDb being up. The
        upsert matches on tmdb_id, then title + year, so a bundled movie gains
        its TMDb id instead of being duplicated.
        """
        if self._remote is None:
            return None
        try:
            draft = await self._remote.details(tmdb_id)
        except CatalogUnavailable:
            raise NotFound(f"TMDb id {tmdb_id} is not in the offline catalog, and TMDb is not answering right now. Try again later.") from None
        if draft is None:
            return None
        return (await self._store_remote((draft,)))[0]

    async def _store_remote(self, drafts: tuple[MovieDraft, ...]) -> tuple[Movie, ...]:
        """Store drafts TMDb returned, stamped for the six-month refresh (see bot.catalog_refresh)."""
        async with self._uow(write=True) as uow:
            movies = await store_fetched(uow, drafts, self._now())
            await uow.commit()
        return movies

    async def _remote_list(self, fetch: RemoteFetch, page: int) -> tuple[Page[Movie] | None, str | None]:
        """Our `page` of a TMDb list, its shown hits stored locally (buttons carry internal ids).

        (None, None) without TMDb; (None, notice) when TMDb fails, so the
        caller falls back to the local catalog and says so.
        """
        if self._remote is None:
            return None, None
        size = self.page_size
        first = (page - 1) * size
        try:
            remote = await fetch(self._remote, first // REMOTE_PAGE_SIZE + 1)
        except CatalogUnavailable as exc:
            return None, exc.message
        movies = await self._store_remote(remote.items[first % REMOTE_PAGE_SIZE : first % REMOTE_PAGE_SIZE + size])
        return Page(items=movies, page=page, page_size=size, total=remote.total), None

    async def _remote_search(self, query: SearchQuery, page: int) -> tuple[Page[Movie] | None, str | None]:
        """Search TMDb for a title query (see _remote_list).

        (None, None) also when the query uses filters only the local catalog understands.
        """
        title, genres = query.title, query.genres
        if query.tmdb_id or query.movie_id or len(query.years) > 1:
            return None, None
        span = query.years[0] if query.years else None
        if not title:  # genres and/or a year range: TMDb's discover
            return await self._remote_list(lambda remote, p: remote.discover(genres, span, p), page)
        if genres:  # TMDb's search cannot filter by genre; the local catalog can
            return None, None
        year = span[0] if span and span[0] == span[1] else None
        return await self._remote_list(lambda remote, p: remote.search(title, year, p), page)

    async def movie(self, who: Requester, text: str) -> Reply:
        """/movie <title | #id | tmdb:id>: show a movie card."""
        async with self._uow() as uow:
            user = await self._user(uow, who)
            found = await self._resolve(uow, text, lambda m: MovieAction(MovieOp.OPEN, m.id))
            if isinstance(found, Reply):
                return found
            return await self._card(uow, user, found)

    async def open_movie(self, who: Requester, movie_id: int, *, edit: bool = False, picker: bool = False) -> Reply:
        """Show the card of a movie by internal id (buttons, deep links)."""
        async with self._uow() as uow:
            user = await self._user(uow, who)
            return await self._card(uow, user, await self._movie(uow, movie_id), edit=edit, picker=picker)

    # ---- lists of movies the user keeps ---------------------------------------------------

    async def _change(self, who: Requester, op: MovieOp, movie_id: int, note: str | None = None, *, edit: bool) -> Reply:
        async with self._uow() as uow:
            user = await self._user(uow, who)
            movie = await self._movie(uow, movie_id)
            now = self._now()
            outcome: Callable[[LibraryRepository], Awaitable[ChangeOutcome]] = {
                MovieOp.FAVORITE: lambda lib: lib.add_favorite(user.id, movie.id, now),
                MovieOp.UNFAVORITE: lambda lib: lib.remove_favorite(user.id, movie.id, now),
                MovieOp.WATCHLIST_ADD: lambda lib: lib.add_to_watchlist(user.id, movie.id, now, note),
                MovieOp.WATCHLIST_REMOVE: lambda lib: lib.remove_from_watchlist(user.id, movie.id, now),
                MovieOp.WATCHED: lambda lib: lib.mark_watched(user.id, movie.id, now),
            }[op]
            result = await self._write(uow, lambda w: outcome(w.library))
            done, unchanged = _MOVIE_MESSAGES[op]
            message = done if result is DONE else unchanged
            return await self._card(uow, user, movie, edit=edit, toast=message, note=None if edit else f"{message} {movie.label}")

    async def _change_by_text(self, who: Requester, op: MovieOp, text: str, note: str | None = None) -> Reply:
        async with self._uow() as uow:
            await self._user(uow, who)
            found = await self._resolve(uow, text, lambda m: MovieAction(op, m.id))
        if isinstance(found, Reply):
            return found
        return await self._change(who, op, found.id, note, edit=False)

    async def fav(self, who: Requester, text: str) -> Reply:
        """/fav <movie>: add to favorites (idempotent)."""
        return await self._change_by_text(who, MovieOp.FAVORITE, text)

    async def unfav(self, who: Requester, text: str) -> Reply:
        """/unfav <movie>: remove from favorites."""
        return await self._change_by_text(who, MovieOp.UNFAVORITE, text)

    async def watch(self, who: Requester, text: str) -> Reply:
        """/watch <movie> [| note]: add to the watchlist with an optional note."""
        title, _, note = text.partition("|")
        cleaned_note = clean_user_text(note)[:200] or None
        return await self._change_by_text(who, MovieOp.WATCHLIST_ADD, title, cleaned_note)

    async def unwatch(self, who: Requester, text: str) -> Reply:
        """/unwatch <movie>: take off the watchlist."""
        return await self._change_by_text(who, MovieOp.WATCHLIST_REMOVE, text)

    async def watched(self, who: Requester, text: str) -> Reply:
        """/watched <movie>: mark as watched (adds it to the watchlist if needed)."""
        return await self._change_by_text(who, MovieOp.WATCHED, text)

    async def _stored_filter(self, uow: UnitOfWork, token: str | None) -> str:
        if token is None:
            return ""
        text = await uow.tokens.get(token, self._now())
        if text is None:
            raise_stale()
        return text

    async def _token(self, text: str, pages: int) -> str | None:
        """Store the text behind a token, only when a page button will need it."""
        if not text.strip() or pages <= 1:
            return None
        async with self._uow(write=True) as uow:
            token = await uow.tokens.put(text.strip(), self._now())
            await uow.commit()
        return token

    async def favorites(self, who: Requester, args: str = "", page: int = 1, *, token: str | None = None, edit: bool = False) -> Reply:
        """/favorites [filters]: the user's favorites, filtered, sorted and paged."""
        flt = parse_list_filter(args)
        async with self._uow() as uow:
            user = await self._user(uow, who)
            result = await uow.library.favorites(user.id, flt, page, self.page_size)
            if token is None and result.pages > 1 and args.strip():
                token = await uow.tokens.fresh(args.strip(), self._now())
        token = token or await self._token(args, result.pages)
        return screens.list_reply(
            "❤ Your favorites",
            result,
            screens.listed_lines(result, self._now()),
            [i.movie for i in result.items],
            lambda p: PageAction(ListName.FAVORITES, p, token),
            empty=_empty_list(flt, "No favorites yet: /search a movie and tap ❤."),
            subtitle=flt.describe() or None,
            edit=edit,
            ephemeral=True,
        )

    async def watchlist(
        self, who: Requester, args: str = "", page: int = 1, *, watched: bool = False, token: str | None = None, edit: bool = False
    ) -> Reply:
        """/watchlist [filters]: movies to watch (or, from its button, the watched ones)."""
        flt = parse_list_filter(args)
        async with self._uow() as uow:
            user = await self._user(uow, who)
            result = await uow.library.watchlist(user.id, flt, page, self.page_size, watched)
            other = await uow.library.watchlist(user.id, flt, 1, 1, not watched)
            if token is None and args.strip():
                token = await uow.tokens.fresh(args.strip(), self._now())
        # The switch button keeps the filter too, so store it whenever there is one.
        token = token or await self._token(args, 2)
        name = ListName.WATCHED if watched else ListName.WATCHLIST
        reply = screens.list_reply(
            "👁 Watched" if watched else "🎞 Your watchlist",
            result,
            screens.listed_lines(result, self._now()),
            [i.movie for i in result.items],
            lambda p: PageAction(name, p, token),
            empty=_empty_list(flt, "Nothing watched yet." if watched else "Your watchlist is empty: /search a movie and tap ➕."),
            subtitle=flt.describe() or None,
            edit=edit,
            ephemeral=True,
        )
        switch = Button(
            f"🎞 To watch ({other.total})" if watched else f"👁 Watched ({other.total})",
            PageAction(ListName.WATCHLIST if watched else ListName.WATCHED, 1, token),
        )
        return replace(reply, buttons=reply.buttons + ((switch,),))

    # ---- ratings and reviews ---------------------------------------------------------------

    async def rate(self, who: Requester, text: str) -> Reply:
        """/rate <movie> <1-5>: rate; without stars, show the card with a star picker."""
        title, star_text = split_rate_args(text)
        given = parse_stars(star_text) if star_text is not None else None
        async with self._uow() as uow:
            user = await self._user(uow, who)
            found = await self._resolve(
                uow, title, lambda m: RateAction(m.id, given) if given else MovieAction(MovieOp.RATE_PICKER, m.id)
            )
            if isinstance(found, Reply):
                return found
            if given is None:
                return await self._card(uow, user, found, picker=True, note="How many stars?")
        return await self.rate_movie(who, found.id, given)

    async def rate_movie(self, who: Requester, movie_id: int, stars: int, *, edit: bool = False) -> Reply:
        """Rate a movie by id (button, picker, Discord option)."""
        parse_stars(str(stars))
        async with self._uow() as uow:
            user = await self._user(uow, who)
            movie = await self._movie(uow, movie_id)
            now = self._now()
            outcome = await self._write(uow, lambda w: w.library.rate(user.id, movie.id, stars, now))
            message = f"Rated {screens.stars(stars)}." if outcome is DONE else f"You already rated it {screens.stars(stars)}."
            card = await self._card(uow, user, movie, edit=edit, toast=message, note=None if edit else f"{message} {movie.label}")
        follow = f"Add a short review? Reply with your text, or /review {movie.label} | your text"
        return replace(card, awaiting=Awaiting.REVIEW, awaiting_movie=movie.id, text=card.text + (line(italic(follow)),))

    async def review(self, who: Requester, text: str) -> Reply:
        """/review <movie> | <text>: add a short review to your rating."""
        title, sep, body = text.partition("|")
        if not sep:
            raise InvalidInput("Write it as /review <movie> | <your review>, e.g. /review heat 1995 | tense and beautiful.")
        async with self._uow() as uow:
            await self._user(uow, who)
            found = await self._resolve(uow, title, lambda m: MovieAction(MovieOp.REVIEW_PROMPT, m.id))
        if isinstance(found, Reply):
            return found
        return await self.review_movie(who, found.id, body)

    async def review_movie(self, who: Requester, movie_id: int, text: str) -> Reply:
        """Attach a review (≤ 500 characters) to the user's rating of a movie."""
        body = clean_user_text(text)
        if not body:
            raise InvalidInput("The review is empty: write a few words after the |.")
        if len(body) > MAX_REVIEW_LENGTH:
            raise ReviewTooLong(f"Reviews are at most {MAX_REVIEW_LENGTH} characters; yours has {len(body)}.")
        async with self._uow() as uow:
            user = await self._user(uow, who)
            movie = await self._movie(uow, movie_id)
            now = self._now()
            if not await self._write(uow, lambda w: w.library.review(user.id, movie.id, body, now)):
                raise InvalidInput(f"Rate it first (/rate {movie.label} 4), then add your review.")
            return await self._card(uow, user, movie, toast="Review saved.", note=f"✍ Review saved for {movie.label}.")

    async def review_prompt(self, who: Requester, movie_id: int) -> Reply:
        """Ask for the review text (Telegram ForceReply, Discord modal, console hint)."""
        async with self._uow() as uow:
            user = await self._user(uow, who)
            movie = await self._movie(uow, movie_id)
            status = await uow.library.status(user.id, movie.id)
        if status.stars is None:
            raise InvalidInput("Rate it first, then add your review.")
        hint = f"Send your review of {movie.label} (up to {MAX_REVIEW_LENGTH} characters), or /cancel."
        return Reply(text=(line(hint),), awaiting=Awaiting.REVIEW, awaiting_movie=movie.id, toast="Write your review")

    async def reviews(self, who: Requester, text: str, page: int = 1) -> Reply:
        """/reviews <movie>: written reviews with the average rating."""
        async with self._uow() as uow:
            await self._user(uow, who)
            found = await self._resolve(uow, text, lambda m: ReviewsPage(m.id, 1))
            if isinstance(found, Reply):
                return found
        return await self.reviews_page(who, found.id, page)

    async def reviews_page(self, who: Requester, movie_id: int, page: int, *, edit: bool = False) -> Reply:
        async with self._uow() as uow:
            await self._user(uow, who)
            movie = await self._movie(uow, movie_id)
            stats = await uow.library.rating_stats(movie.id)
            result = await uow.library.reviews(movie.id, page, self.page_size)
        return screens.reviews_reply(movie, stats, result, self._now(), edit)

    # ---- search, discovery --------------------------------------------------------------

    async def suggest(self, who: Requester, text: str, limit: int = 25) -> list[Suggestion]:
        """Autocomplete: titles with years for what was typed; popular titles under 2 characters.

        Never raises on odd input: autocomplete fires on every keystroke.
        """
        typed = text.strip()[:100]
        async with self._uow() as uow:
            if len(typed) < 2:
                movies = (await uow.movies.popular(1, limit)).items
            else:
                try:
                    query = parse_search(typed)
                except InvalidInput:
                    return []
                movies = (await uow.movies.search(query, 1, limit)).items
        return [Suggestion(label=clip_for_echo(m.label, 100), value=f"#{m.id}", movie_id=m.id) for m in movies]

    async def inline_cards(self, who: Requester, text: str, limit: int = 10) -> list[Reply]:
        """Cards for inline mode (Telegram's @bot query), to be posted into someone else's chat.

        They show public facts only: the sender's own stars, review and lists are
        nobody else's business, and buttons on the posted card act for whoever
        presses them. No where-to-watch: a TMDb call per keystroke is too many.
        """
        found = await self.suggest(who, text, limit)
        async with self._uow() as uow:
            await self._user(uow, who)
            cards = []
            for s in found:
                movie = await uow.movies.get(s.movie_id)
                if movie is not None:
                    stats = await uow.library.rating_stats(movie.id)
                    poster = self._poster_url(movie.poster_path) if movie.poster_path else None
                    cards.append(screens.card_reply(screens.card_for(movie, stats, MovieStatus(), poster)))
        return cards

    async def search(self, who: Requester, text: str, page: int = 1, *, token: str | None = None, edit: bool = False) -> Reply:
        """/search <title, genre, years, tmdb:id>: ranked results, paged."""
        query = parse_search(text)
        remote, notice = await self._remote_search(query, page)
        async with self._uow() as uow:
            await self._user(uow, who)
            result = remote if remote is not None else await uow.movies.search(query, page, self.page_size)
            if token is None and result.pages > 1:  # the common case, a repeated query: no write at all
                token = await uow.tokens.fresh(text.strip(), self._now())
        token = token or await self._token(text, result.pages)
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

    async def trending(self, who: Requester, page: int = 1, *, window: TrendingWindow = "week", token: str | None = None, edit: bool = False) -> Reply:
        """/trending [day|week]: TMDb's trending movies when configured, else the most popular in the catalog."""
        remote, notice = await self._remote_list(lambda r, p: r.trending(window, p), page)
        async with self._uow() as uow:
            await self._user(uow, who)
            result = remote if remote is not None else await uow.movies.popular(page, self.page_size)
        if window != "week" and self._remote is not None:  # the default window needs no token
            token = token or await self._token(window, result.pages)
        if remote is not None:
            title, subtitle = f"🔥 Trending {'today' if window == 'day' else 'this week'}", "From TMDb"
        else:
            title, subtitle = "🔥 Popular now", notice or f"From {self.catalog_name}"
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

    async def upcoming(self, who: Requester, page: int = 1, *, edit: bool = False) -> Reply:
        """/upcoming: releases coming soon in the user's region (TMDb only: an offline catalog cannot know)."""
        async with self._uow() as uow:
            user = await self._user(uow, who)
        if self._remote is None:
            return Reply(text=(line("Upcoming releases need live data from TMDb, which is not set up here. Try /trending."),))
        region = user.settings.region
        result, notice = await self._remote_list(lambda r, p: r.upcoming(region, p), page)
        if result is None:
            return Reply(text=(line(notice or "TMDb is not answering right now. Try again later."),))
        return screens.list_reply(
            f"📅 Coming soon ({region})",
            result,
            [screens.movie_line(result.offset + i + 1, m, f" · {m.release_date.isoformat()}" if m.release_date else "") for i, m in enumerate(result.items)],
            result.items,
            lambda p: PageAction(ListName.UPCOMING, p),
            empty="TMDb lists nothing upcoming for your region right now.",
            subtitle="From TMDb",
            edit=edit,
        )

    async def recommend(self, who: Requester, page: int = 1, *, edit: bool = False) -> Reply:
        """/recommend: five personal picks with a reason each; new users pick a few favorites first."""
        async with self._uow() as uow:
            user = await self._user(uow, who)
            signals = await uow.library.signals(user.id)
        if not any(s.kind is not SignalKind.DISMISSED for s in signals):
            return await self._onboarding(who, edit=edit)
        found = await self.recommendations.recommend(user.id, k=self.page_size + 1, offset=(page - 1) * self.page_size)
        shown = found[: self.page_size]
        async with self._uow() as uow:
            anchors = [r.reason.anchor_item_id for r in shown if r.reason.anchor_item_id is not None]
            movies = await uow.movies.many([r.item_id for r in shown] + anchors)
        picks = [(movies[r.item_id], screens.reason_text(r.reason, movies)) for r in shown if r.item_id in movies]
        return screens.recommend_reply(picks, page, self.page_size, len(found) > self.page_size, edit=edit)

    async def _onboarding(self, who: Requester, *, edit: bool, toast: str | None = None) -> Reply:
        async with self._uow() as uow:
            user = await self._user(uow, who)
            choices: dict[int, Movie] = {}
            for genre in ONBOARDING_GENRES:
                for movie in (await uow.movies.popular(1, 3, genres=(genre,))).items:
                    choices.setdefault(movie.id, movie)
            liked = {s.movie_id for s in await uow.library.signals(user.id) if s.kind is SignalKind.FAVORITE}
        return screens.onboarding_reply(list(choices.values())[:12], liked, edit=edit, toast=toast)

    async def pick(self, who: Requester, movie_id: int) -> Reply:
        """Onboarding tap: favorite the movie and show the picker again with it marked."""
        await self._change(who, MovieOp.FAVORITE, movie_id, edit=True)
        return await self._onboarding(who, edit=True, toast="❤ Noted!")

    async def dismiss(self, who: Requester, movie_id: int) -> Reply:
        """"Not interested": never recommend it again, and learn from it."""
        async with self._uow() as uow:
            user = await self._user(uow, who)
            movie = await self._movie(uow, movie_id)
            now = self._now()
            await self._write(uow, lambda w: w.library.dismiss(user.id, movie.id, now))  # idempotent: a second tap changes nothing
            return await self._card(uow, user, movie, edit=True, toast="Got it: I won't suggest it again.")

    async def similar(self, who: Requester, movie_id: int) -> Reply:
        """More like this: movies similar in genres, keywords, story and era."""
        async with self._uow() as uow:
            await self._user(uow, who)
            movie = await self._movie(uow, movie_id)
        found = await self.recommendations.similar(movie.id, k=self.page_size)
        async with self._uow() as uow:
            movies = await uow.movies.many([r.item_id for r in found])
        return screens.similar_reply(movie, [movies[r.item_id] for r in found if r.item_id in movies])

    # ---- you -------------------------------------------------------------------------------

    async def history(self, who: Requester, page: int = 1, *, edit: bool = False) -> Reply:
        """/history: recently added and removed favorites, then all activity."""
        async with self._uow() as uow:
            user = await self._user(uow, who)
            recent = await uow.library.favorites(user.id, ListFilter(), 1, self.page_size)
            removed = await uow.library.recently_removed_favorites(user.id, self.page_size)
            activity = await uow.library.history(user.id, page, self.page_size)
        return screens.history_reply(recent, removed, activity, self._now(), edit)

    async def profile(self, who: Requester) -> Reply:
        """/profile: counts, average given, top genres, member since."""
        async with self._uow() as uow:
            user = await self._user(uow, who)
            return screens.profile_reply(user, await uow.library.profile(user.id))

    async def settings(self, who: Requester, args: str = "") -> Reply:
        """/settings [name value]: show or change preferences."""
        words = clean_user_text(args).split()
        async with self._uow() as uow:
            user = await self._user(uow, who)
            if not words:
                # As stored, not the lookup's cached copy: another instance may have saved a change a moment ago.
                return screens.settings_reply(await uow.users.get(user.id) or user)
        if len(words) != 2:
            raise InvalidInput("Use /settings <name> <value>, e.g. /settings timezone Europe/Berlin.")
        _apply_setting(user.settings, words[0].lower(), words[1])  # reject a bad value before taking the writer
        async with self._uow(write=True) as uow:
            user = await self._user(uow, who)  # change the stored settings, so no other change is overwritten
            updated = _apply_setting(user.settings, words[0].lower(), words[1])
            await uow.users.update_settings(user.id, updated)
            await uow.commit()
        return screens.settings_reply(replace(user, settings=updated), note="✅ Saved.")

    async def toggle_setting(self, who: Requester, setting: Setting) -> Reply:
        async with self._uow(write=True) as uow:
            user = await self._user(uow, who)
            s = user.settings
            updated = replace(s, reminders=not s.reminders) if setting is Setting.REMINDERS else replace(s, weekly_picks=not s.weekly_picks)
            await uow.users.update_settings(user.id, updated)
            await uow.commit()
        return screens.settings_reply(replace(user, settings=updated), edit=True, toast="Saved")

    # ---- welcome ---------------------------------------------------------------------------

    async def start(self, who: Requester, arg: str = "") -> Reply:
        """/start [m_<id>]: welcome, or open a shared movie card (deep link)."""
        if arg.startswith("m_") and arg[2:].isdigit() and arg[2:].isascii() and len(arg) < 14:
            return await self.open_movie(who, int(arg[2:]))
        async with self._uow() as uow:
            user = await self._user(uow, who)
        text = (
            line(bold(f"🎬 Hi {clip_for_echo(user.display_name, 40)}! I'm your movie companion.")),
            line("Search films, keep favorites and a watchlist, rate and review, and get picks you'll like."),
            line("Try /search matrix, /trending or /recommend. /help lists everything."),
        )
        buttons = ((Button("🔥 Popular", PageAction(ListName.TRENDING, 1)), Button("✨ For you", PageAction(ListName.RECOMMEND, 1))),)
        return Reply(text=text, buttons=buttons)

    async def stats(self, who: Requester, days: int = 30) -> Reply:
        """/stats (admins): most favorited movies, most active users, top genres."""
        if f"{who.platform.value}:{who.external_id}" not in self._admins:
            raise Forbidden("/stats is for moviebot's admins.")
        async with self._uow() as uow:
            analytics = await uow.library.analytics(self._now() - dt.timedelta(days=days), limit=5)
        return screens.stats_reply(analytics, days)

    async def help(self, who: Requester) -> Reply:
        """/help: every command with a one-line description."""
        from bot.commands import COMMANDS  # late import: commands routes to these intents

        async with self._uow() as uow:
            await self._user(uow, who)  # any message counts as contact (reachable again)
        text = [line(bold("What I can do"))]
        text += [line(f"/{c.name} {c.usage}".rstrip() + f" — {c.description}") for c in COMMANDS if not c.admin]
        text += [line(italic(f"Movies come from {self.catalog_name}.")), line(italic(TMDB_NOTICE))]
        return Reply(text=tuple(text))

    async def about(self, who: Requester) -> Reply:
        """/about: which catalog is in use, and credits."""
        async with self._uow() as uow:
            await self._user(uow, who)
        return Reply(
            text=(
                line(bold("About moviebot")),
                line(f"Catalog in use: {self.catalog_name}."),
                line("Offline catalog: MovieLens data © GroupLens Research, University of Minnesota."),
                line(italic(TMDB_NOTICE)),
            )
        )

    # ---- buttons ---------------------------------------------------------------------------

    async def press(self, who: Requester, payload: object) -> Reply:
        """Act on a button press; the presser acts, whatever the payload says."""
        action = decode(payload)
        if isinstance(action, MovieAction):
            if action.op is MovieOp.OPEN:
                return await self.open_movie(who, action.movie_id)
            if action.op is MovieOp.RATE_PICKER:
                return replace(await self.open_movie(who, action.movie_id, edit=True, picker=True), toast="How many stars?")
            if action.op is MovieOp.REVIEW_PROMPT:
                return await self.review_prompt(who, action.movie_id)
            if action.op is MovieOp.SHARE:
                return await self.open_movie(who, action.movie_id)
            if action.op is MovieOp.SIMILAR:
                return await self.similar(who, action.movie_id)
            if action.op is MovieOp.DISMISS:
                return await self.dismiss(who, action.movie_id)
            if action.op is MovieOp.PICK:
                return await self.pick(who, action.movie_id)
            return await self._change(who, action.op, action.movie_id, edit=True)
        if isinstance(action, RateAction):
            return await self.rate_movie(who, action.movie_id, action.stars, edit=True)
        if isinstance(action, ReviewsPage):
            return await self.reviews_page(who, action.movie_id, action.page, edit=True)
        if isinstance(action, ToggleSetting):
            return await self.toggle_setting(who, action.setting)
        return await self._page(who, action)

    async def _page(self, who: Requester, action: PageAction) -> Reply:
        async with self._uow() as uow:
            text = await self._stored_filter(uow, action.token)
        page, token = action.page, action.token
        if action.list is ListName.SEARCH:
            if not text:
                raise_stale()
            return await self.search(who, text, page, token=token, edit=True)
        if action.list is ListName.FAVORITES:
            return await self.favorites(who, text, page, token=token, edit=True)
        if action.list in (ListName.WATCHLIST, ListName.WATCHED):
            return await self.watchlist(who, text, page, watched=action.list is ListName.WATCHED, token=token, edit=True)
        if action.list is ListName.HISTORY:
            return await self.history(who, page, edit=True)
        if action.list is ListName.UPCOMING:
            return await self.upcoming(who, page, edit=True)
        if action.list is ListName.TRENDING:
            return await self.trending(who, page, window=trending_window(text) or "week", token=token, edit=True)
        return await self.recommend(who, page, edit=True)


def trending_window(word: str) -> TrendingWindow | None:
    """Read "day" / "today" / "week" (any case) as a trending window; None for anything else."""
    return TRENDING_WINDOWS.get(word.strip().lower())


def raise_stale() -> NoReturn:
    raise StaleAction("This list has expired. Run the command again.")


def _empty_list(flt: ListFilter, default: str) -> str:
    return default if flt.is_default else f"Nothing matches {flt.describe()}."


def _apply_setting(settings: UserSettings, name: str, value: str) -> UserSettings:
    """Validate and apply one /settings change."""
    switch = {"on": True, "off": False, "yes": True, "no": False, "true": True, "false": False}
    if name in ("timezone", "tz"):
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, IsADirectoryError, OSError):
            raise InvalidInput(f"“{clip_for_echo(value, 40)}” is not a timezone I know. Use a name like Europe/Berlin or America/New_York.") from None
        return replace(settings, timezone=value)
    if name == "region":
        if not (len(value) == 2 and value.isascii() and value.isalpha()):
            raise InvalidInput("Region is a two-letter country code, like US, DE or BR.")
        return replace(settings, region=value.upper())
    if name in ("language", "lang"):
        if value.lower() != "en":
            raise InvalidInput("Only English (en) is available for now.")
        return replace(settings, language="en")
    if name in ("reminders", "weekly"):
        if value.lower() not in switch:
            raise InvalidInput(f"Use /settings {name} on or /settings {name} off.")
        on = switch[value.lower()]
        return replace(settings, reminders=on) if name == "reminders" else replace(settings, weekly_picks=on)
    raise InvalidInput("Settings: timezone, region, language, reminders, weekly.")
