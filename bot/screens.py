"""Screens: turn domain values into Replies. Pure functions, no storage.

Keeping layout here means every platform shows the same screen, and intents
stay about what happens rather than how it looks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from bot.actions import (
    Action,
    ChooseSetting,
    ListName,
    MovieAction,
    MovieOp,
    PageAction,
    RateAction,
    ReviewsPage,
    Setting,
    ToggleSetting,
)
from bot.reply import Awaiting, Button, Line, MovieCard, Reply, bold, italic, line
from domain import schedule
from domain.catalog import WatchProviders
from domain.models import (
    MAX_STARS,
    MIN_STARS,
    Activity,
    ActivityKind,
    Analytics,
    ListedMovie,
    Movie,
    MovieStatus,
    Page,
    Profile,
    RatingStats,
    Review,
    User,
    UserSettings,
)
from domain.recommend import Reason
from domain.text import clip

STAR = "★"
EMPTY_STAR = "☆"
OPEN_BUTTONS_PER_ROW = 3
PREVIOUS_KEY, NEXT_KEY = "p", "n"
MAX_WATCH_NAMES = 8


def stars(n: int) -> str:
    return STAR * n + EMPTY_STAR * (MAX_STARS - n)


def ago(when: dt.datetime, now: dt.datetime) -> str:
    """Human time distance: 'just now', '5 min ago', '3 h ago', '2 days ago', or a date."""
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    if seconds < 86400 * 14:
        days = int(seconds // 86400)
        return "yesterday" if days == 1 else f"{days} days ago"
    return when.date().isoformat()


def movie_line(n: int, movie: Movie, suffix: str = "") -> Line:
    genres = ", ".join(movie.genres[:3])
    parts: list[str] = [f"{n}. "]
    tail = f" · {genres}" if genres else ""
    return line(*parts, bold(clip(movie.label, 90)), tail + suffix)


def watch_names(providers: WatchProviders) -> tuple[str, ...]:
    """Provider names for a card: streaming ones plain, others marked rent and/or buy, each name once."""
    kinds: dict[str, list[str]] = {}
    for kind, names in (("stream", providers.flatrate), ("rent", providers.rent), ("buy", providers.buy)):
        for name in names:
            kinds.setdefault(name, []).append(kind)
    return tuple(name if "stream" in ks else f"{name} ({'/'.join(ks)})" for name, ks in kinds.items())[:MAX_WATCH_NAMES]


def _watch_fields(providers: WatchProviders | None) -> dict[str, Any]:
    """The card's where-to-watch fields; none when nothing is known, and only https links (they become buttons)."""
    if providers is None or providers.empty:
        return {}
    link = providers.link if providers.link and providers.link.startswith("https://") else None
    return {
        "where_to_watch": watch_names(providers),
        "watch_region": providers.region,
        "watch_link": link,
        "watch_credit": providers.credit,
    }


def card_for(
    movie: Movie,
    stats: RatingStats,
    status: MovieStatus,
    poster_url: str | None,
    providers: WatchProviders | None = None,
) -> MovieCard:
    return MovieCard(
        movie_id=movie.id,
        title=movie.title,
        year=movie.year,
        genres=movie.genres,
        overview=movie.overview,
        poster_url=poster_url,
        runtime=movie.runtime,
        average=stats.average,
        ratings=stats.count,
        your_stars=status.stars,
        your_review=status.review,
        favorite=status.favorite,
        on_watchlist=status.on_watchlist,
        watched=status.watched,
        tmdb_id=movie.tmdb_id,
        **_watch_fields(providers),
    )


def card_lines(card: MovieCard) -> tuple[Line, ...]:
    """The card as text, for platforms without rich cards (console, Telegram captions)."""
    title = f"{card.title} ({card.year})" if card.year else card.title
    lines: list[Line] = [line("🎬 ", bold(clip(title, 200)))]
    facts = [", ".join(card.genres)] if card.genres else []
    if card.runtime:
        facts.append(f"{card.runtime} min")
    if facts:
        lines.append(line(" · ".join(facts)))
    if card.average is not None:
        lines.append(line(f"{STAR} {card.average:.1f}/5 from {card.ratings} rating{'s' if card.ratings != 1 else ''}"))
    else:
        lines.append(line(italic("No ratings yet")))
    mine: list[str] = []
    if card.favorite:
        mine.append("❤ favorite")
    if card.watched:
        mine.append("✓ watched")
    elif card.on_watchlist:
        mine.append("on your watchlist")
    if card.your_stars:
        mine.append(f"you rated {stars(card.your_stars)}")
    if mine:
        lines.append(line(italic(" · ".join(mine))))
    if card.your_review:
        lines.append(line("Your review: ", italic(f"“{clip(card.your_review, 300)}”")))
    if card.where_to_watch:
        lines.append(
            line(
                f"📺 Where to watch ({card.watch_region}): {', '.join(card.where_to_watch)}",
                italic(f" — {card.watch_credit}"),
            )
        )
    if card.overview:
        lines.append(line(clip(card.overview, 600)))
    return tuple(lines)


def card_buttons(card: MovieCard, picker: bool) -> tuple[tuple[Button, ...], ...]:
    """The card's buttons; each has the same console key on every card (f, w, s, m, x, r, v, c; stars 1–5)."""
    mid = card.movie_id
    first: list[Button] = [
        Button("💔 Unfavorite", MovieAction(MovieOp.UNFAVORITE, mid), key="f")
        if card.favorite
        else Button("❤ Favorite", MovieAction(MovieOp.FAVORITE, mid), key="f")
    ]
    if not card.watched:  # a watched film stays in the watched list: no watchlist button would change it
        if card.on_watchlist:
            first.append(Button("➖ Watchlist", MovieAction(MovieOp.WATCHLIST_REMOVE, mid), key="w"))
        else:
            first.append(Button("➕ Watchlist", MovieAction(MovieOp.WATCHLIST_ADD, mid), key="w"))
        first.append(Button("👁 Watched", MovieAction(MovieOp.WATCHED, mid), key="s"))
    rows: list[tuple[Button, ...]] = [tuple(first)]
    discover = [Button("🎯 More like this", MovieAction(MovieOp.SIMILAR, mid), key="m")]
    if not (card.favorite or card.on_watchlist or card.your_stars):
        discover.append(Button("🚫 Not interested", MovieAction(MovieOp.DISMISS, mid), key="x"))
    if card.watch_link:  # in this row, not a new one: adapters add a share row and a reply holds 5 rows at most
        discover.append(Button("📺 Where to watch", url=card.watch_link))
    rows.append(tuple(discover))
    if picker:
        rows.append(tuple(Button(STAR * n, RateAction(mid, n), key=str(n)) for n in range(MIN_STARS, MAX_STARS + 1)))
    else:
        label = f"⭐ {'Re-rate' if card.your_stars else 'Rate'}"
        second = [Button(label, MovieAction(MovieOp.RATE_PICKER, mid), key="r")]
        if card.your_stars:
            second.append(Button("✍ Review", MovieAction(MovieOp.REVIEW_PROMPT, mid), key="v"))
        if card.ratings:
            second.append(Button("💬 Reviews", ReviewsPage(mid, 1), key="c"))
        rows.append(tuple(second))
    return tuple(rows)


def card_reply(
    card: MovieCard, *, picker: bool = False, edit: bool = False, toast: str | None = None, note: str | None = None
) -> Reply:
    """A card reply; `text` holds only what is said around the card (see full_text)."""
    text = (line(note),) if note else ()
    return Reply(text=text, card=card, buttons=card_buttons(card, picker), edit=edit, toast=toast)


def public_view(reply: Reply) -> Reply:
    """The reply as a shared message may show it: the card's public facts only, buttons that reveal nothing.

    Whoever pressed keeps their own outcome in the toast, which only they see.
    """
    if reply.card is None:
        return reply
    public = replace(
        reply.card, your_stars=None, your_review=None, favorite=False, on_watchlist=False, watched=False, personal=False
    )
    picker = any(isinstance(b.action, RateAction) for row in reply.buttons for b in row)
    return replace(reply, card=public, buttons=card_buttons(public, picker))


def full_text(reply: Reply) -> tuple[Line, ...]:
    """The reply's text with the card laid out as text, for platforms without rich cards."""
    return reply.text + card_lines(reply.card) if reply.card else reply.text


def nav_row(page: Page[Any], make: Callable[[int], Action]) -> tuple[Button, ...]:
    row: list[Button] = []
    if page.has_previous:
        row.append(Button("‹ Previous", make(page.page - 1), key=PREVIOUS_KEY))
    if page.has_next:
        row.append(Button("Next ›", make(page.page + 1), key=NEXT_KEY))
    return tuple(row)


def list_reply(
    title: str,
    page: Page[Any],
    lines: Sequence[Line],
    movies: Sequence[Movie],
    make_page: Callable[[int], Action],
    *,
    empty: str,
    subtitle: str | None = None,
    edit: bool = False,
    ephemeral: bool = False,
    open_op: MovieOp = MovieOp.OPEN,
) -> Reply:
    """A numbered list with open buttons and previous / next paging."""
    header: list[Line] = [line(bold(f"{title} ({page.total})"))]
    if subtitle:
        header.append(line(italic(subtitle)))
    if not page.items:
        beyond = page.total and page.page > page.pages
        return Reply(
            text=(*tuple(header), line(f"This list has only {page.pages} page(s)." if beyond else empty)),
            edit=edit,
            ephemeral=ephemeral,
        )
    footer = (line(italic(f"Page {page.page} of {page.pages}")),) if page.pages > 1 else ()
    opens = [
        Button(clip(f"{page.offset + i + 1}. {m.title}", 28), MovieAction(open_op, m.id), key=str(page.offset + i + 1))
        for i, m in enumerate(movies)
    ]
    rows = [tuple(opens[i : i + OPEN_BUTTONS_PER_ROW]) for i in range(0, len(opens), OPEN_BUTTONS_PER_ROW)]
    nav = nav_row(page, make_page)
    if nav:
        rows.append(nav)
    return Reply(text=tuple(header) + tuple(lines) + footer, buttons=tuple(rows), edit=edit, ephemeral=ephemeral)


def listed_lines(page: Page[ListedMovie], now: dt.datetime) -> list[Line]:
    out = []
    for i, item in enumerate(page.items):
        extra = f" · {stars(item.your_stars)}" if item.your_stars else ""
        when = item.watched_at or item.added_at
        verb = "watched" if item.watched_at else "added"
        out.append(movie_line(page.offset + i + 1, item.movie, f"{extra} · {verb} {ago(when, now)}"))
    return out


def choice_reply(prompt: str, movies: Sequence[Movie], action_for: Callable[[Movie], Action]) -> Reply:
    """Ask which movie was meant, showing years so same-titled films can be told apart."""
    buttons = [Button(clip(m.label, 40), action_for(m), key=str(i)) for i, m in enumerate(movies[:10], 1)]
    rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
    text = (line(prompt), *tuple(movie_line(i + 1, m) for i, m in enumerate(movies[:10])))
    return Reply(text=text, buttons=rows)


_ACTIVITY_WORDS = {
    ActivityKind.FAVORITE_ADDED: "❤ Added to favorites",
    ActivityKind.FAVORITE_REMOVED: "💔 Removed from favorites",
    ActivityKind.WATCHLIST_ADDED: "➕ Added to watchlist",
    ActivityKind.WATCHLIST_REMOVED: "➖ Removed from watchlist",
    ActivityKind.WATCHED: "👁 Watched",
    ActivityKind.RATED: "⭐ Rated",
    ActivityKind.REVIEWED: "✍ Reviewed",
}


def activity_line(entry: Activity, now: dt.datetime) -> Line:
    detail = (
        f" {stars(int(entry.detail))}"
        if entry.kind is ActivityKind.RATED and entry.detail and entry.detail.isdigit()
        else ""
    )
    return line(
        f"{_ACTIVITY_WORDS[entry.kind]} ", bold(clip(entry.movie.label, 90)), f"{detail} · {ago(entry.at, now)}"
    )


def history_reply(
    recent: Page[ListedMovie], removed: Sequence[Activity], page: Page[Activity], now: dt.datetime, edit: bool
) -> Reply:
    text: list[Line] = []
    if page.page == 1:
        text.append(line(bold("Recently added")))
        text.extend(line("• ", bold(clip(i.movie.label, 90)), f" · {ago(i.added_at, now)}") for i in recent.items)
        if not recent.items:
            text.append(line(italic("No favorites yet.")))
        text.append(line(bold("Recently removed")))
        text.extend(line("• ", bold(clip(a.movie.label, 90)), f" · {ago(a.at, now)}") for a in removed)
        if not removed:
            text.append(line(italic("Nothing removed.")))
        text.append(line(""))
    text.append(line(bold(f"Activity ({page.total})")))
    if not page.items:
        text.append(line(italic("Nothing yet: try /search and ❤ a movie.")))
    text.extend(activity_line(a, now) for a in page.items)
    if page.pages > 1:
        text.append(line(italic(f"Page {page.page} of {page.pages}")))
    nav = nav_row(page, lambda p: PageAction(ListName.HISTORY, p))
    return Reply(text=tuple(text), buttons=(nav,) if nav else (), edit=edit, ephemeral=True)


def reviews_reply(movie: Movie, stats: RatingStats, page: Page[Review], now: dt.datetime, edit: bool) -> Reply:
    avg = (
        f"{STAR} {stats.average:.1f}/5 from {stats.count} rating(s)" if stats.average is not None else "No ratings yet"
    )
    text: list[Line] = [line(bold(f"Reviews of {clip(movie.label, 100)}")), line(avg)]
    if not page.items:
        text.append(line(italic("No written reviews yet. Rate it and add yours!")))
    for r in page.items:
        text.append(line(bold(clip(r.author, 40)), f" {stars(r.stars)} · {ago(r.updated_at, now)}"))
        text.append(line(italic(f"“{clip(r.text, 500)}”")))
    nav = nav_row(page, lambda p: ReviewsPage(movie.id, p))
    rows: list[tuple[Button, ...]] = [nav] if nav else []
    rows.append((Button("🎬 Back to movie", MovieAction(MovieOp.OPEN, movie.id), key="b"),))
    return Reply(text=tuple(text), buttons=tuple(rows), edit=edit)


def reason_text(reason: Reason, anchors: dict[int, Movie]) -> str:
    """One line saying why a movie was picked."""
    if reason.kind == "similar_to" and reason.anchor_item_id in anchors:
        return f"because you liked {anchors[reason.anchor_item_id].title}"
    if reason.kind == "similar_users":
        return "loved by people who rate like you"
    if reason.kind == "top_in_genre" and reason.genre:
        return f"top-rated {reason.genre.lower()} you haven't seen"
    return "popular with movie fans"


def recommend_reply(
    picks: Sequence[tuple[Movie, str]], page: int, page_size: int, has_more: bool, *, edit: bool
) -> Reply:
    """Five picks with reasons, open buttons, and "more"."""
    offset = (page - 1) * page_size
    text: list[Line] = [line(bold("✨ Picks for you"))]
    if not picks:
        text.append(line(italic("That's everything I can suggest right now. Rate a few more movies for fresh picks!")))
    for i, (movie, why) in enumerate(picks):
        text.append(movie_line(offset + i + 1, movie))
        text.append(line("   ↳ ", italic(why)))
    opens = [
        Button(clip(f"{offset + i + 1}. {m.title}", 28), MovieAction(MovieOp.OPEN, m.id), key=str(offset + i + 1))
        for i, (m, _why) in enumerate(picks)
    ]
    rows = [tuple(opens[i : i + OPEN_BUTTONS_PER_ROW]) for i in range(0, len(opens), OPEN_BUTTONS_PER_ROW)]
    nav: list[Button] = []
    if page > 1:
        nav.append(Button("‹ Previous", PageAction(ListName.RECOMMEND, page - 1), key=PREVIOUS_KEY))
    if has_more and page < 20:
        nav.append(Button("More ›", PageAction(ListName.RECOMMEND, page + 1), key=NEXT_KEY))
    if nav:
        rows.append(tuple(nav))
    return Reply(text=tuple(text), buttons=tuple(rows), edit=edit, ephemeral=True)


def similar_reply(movie: Movie, similar: Sequence[Movie]) -> Reply:
    text: list[Line] = [line(bold(f"🎯 More like {clip(movie.label, 100)}"))]
    text.extend(movie_line(i + 1, m) for i, m in enumerate(similar))
    if not similar:
        text.append(line(italic("I don't know anything similar yet.")))
    opens = [
        Button(clip(f"{i + 1}. {m.title}", 28), MovieAction(MovieOp.OPEN, m.id), key=str(i + 1))
        for i, m in enumerate(similar)
    ]
    rows = tuple(tuple(opens[i : i + OPEN_BUTTONS_PER_ROW]) for i in range(0, len(opens), OPEN_BUTTONS_PER_ROW))
    return Reply(text=tuple(text), buttons=rows)


def onboarding_reply(choices: Sequence[Movie], liked: set[int], *, edit: bool, toast: str | None = None) -> Reply:
    """New users pick a few movies they like, so the first picks are already personal."""
    text = (
        line(bold("✨ Let's find your taste")),
        line(
            f"Tap three or more movies you like ({len(liked & {m.id for m in choices})} picked), then “Show my picks”."
        ),
    )
    buttons = [
        Button(clip(f"{'❤' if m.id in liked else '♡'} {m.title}", 30), MovieAction(MovieOp.PICK, m.id)) for m in choices
    ]
    rows = [tuple(buttons[i : i + 3]) for i in range(0, min(len(buttons), 12), 3)]
    rows.append((Button("✨ Show my picks", PageAction(ListName.RECOMMEND, 1)),))
    return Reply(text=text, buttons=tuple(rows), edit=edit, toast=toast, ephemeral=True)


def profile_reply(user: User, profile: Profile) -> Reply:
    avg = f"{profile.average_given:.1f}" if profile.average_given is not None else "–"
    genres = ", ".join(profile.top_genres) if profile.top_genres else "not enough data yet"
    text = (
        line(bold(f"👤 {clip(user.display_name, 60)}")),
        line(f"❤ Favorites: {profile.favorites}"),
        line(f"🎞 Watchlist: {profile.to_watch} to watch, {profile.watched} watched"),
        line(f"⭐ Ratings: {profile.ratings} (average given {avg})"),
        line(f"🎭 Top genres: {genres}"),
        line(f"📅 Member since {profile.member_since.date().isoformat()}"),
    )
    rows = (
        (
            Button("❤ Favorites", PageAction(ListName.FAVORITES, 1)),
            Button("🎞 Watchlist", PageAction(ListName.WATCHLIST, 1)),
            Button("🕘 History", PageAction(ListName.HISTORY, 1)),
        ),
    )
    return Reply(text=text, buttons=rows, ephemeral=True)


def settings_reply(
    user: User, now: dt.datetime, *, edit: bool = False, toast: str | None = None, note: str | None = None
) -> Reply:
    """Every preference, and a button for each; scheduled messages say when the next one comes."""
    s = user.settings
    onoff = {True: "on", False: "off"}
    zone_text = s.timezone or "not set yet (needed for scheduled messages)"
    text: list[Line] = [line(note)] if note else []
    text += [
        line(bold("⚙ Settings")),
        line(f"🌍 Timezone: {zone_text}"),
        line(f"📍 Region (release dates, where to watch): {s.region}"),
        line(f"📬 Weekly picks: {onoff[s.weekly_picks]} — {schedule.describe(s)}"),
        line(f"🎬 Release-day reminders: {onoff[s.release_reminders]}"),
        line(f"⏳ Watchlist nudges: {onoff[s.nudges]}"),
        line(f"🌙 Quiet hours: {schedule.quiet_label(s.quiet_start, s.quiet_end)}"),
    ]
    upcoming = schedule.next_run(s, now)
    if upcoming is not None:
        local = upcoming.astimezone(schedule.zone(s.timezone))
        text.append(line(italic(f"Next check for messages: {local:%a %d %b, %H:%M} your time")))
    text.append(
        line(
            italic(
                "Or type /settings weekly on, /settings day sun, /settings hour 9, /settings quiet 23-7, "
                "/settings timezone Europe/Berlin, /settings region DE"
            )
        )
    )
    rows = (
        (
            Button(f"📬 Weekly: {onoff[s.weekly_picks]}", ToggleSetting(Setting.WEEKLY)),
            Button(f"🎬 Releases: {onoff[s.release_reminders]}", ToggleSetting(Setting.REMINDERS)),
            Button(f"⏳ Nudges: {onoff[s.nudges]}", ToggleSetting(Setting.NUDGES)),
        ),
        (
            Button(f"📅 {schedule.WEEKDAY_NAMES[s.weekly_day][:3]}", ToggleSetting(Setting.DAY)),
            Button(f"🕕 {s.hour:02d}:00", ToggleSetting(Setting.HOUR)),
            Button(f"🌙 {schedule.quiet_label(s.quiet_start, s.quiet_end)}", ToggleSetting(Setting.QUIET)),
        ),
        (Button("🌍 Timezone", ToggleSetting(Setting.TIMEZONE)),),
    )
    return Reply(text=tuple(text), buttons=rows, ephemeral=True, edit=edit, toast=toast)


def picker_reply(setting: Setting, settings: UserSettings) -> Reply:
    """The choices for the weekly day, the hour or quiet hours, as buttons (the current one marked)."""
    back = Button("⬅ Settings", ToggleSetting(Setting.MENU), key="b")
    if setting is Setting.DAY:
        title = "📅 Which day should weekly picks and nudges come?"
        labels = [name[:3] for name in schedule.WEEKDAY_NAMES]
        current = settings.weekly_day
    elif setting is Setting.HOUR:
        title = "🕕 At what hour, your time?"
        labels = [f"{h:02d}" for h in range(24)]
        current = settings.hour
    else:
        title = "🌙 Quiet hours: nothing scheduled is sent inside them."
        labels = [schedule.quiet_label(start, end) for start, end in schedule.QUIET_PRESETS]
        pair = (settings.quiet_start, settings.quiet_end)
        current = schedule.QUIET_PRESETS.index(pair) if pair in schedule.QUIET_PRESETS else -1
    buttons = [
        Button(f"• {label}" if i == current else label, ChooseSetting(setting, i)) for i, label in enumerate(labels)
    ]
    rows = [tuple(buttons[i : i + 5]) for i in range(0, len(buttons), 5)]
    if len(rows[-1]) < 5:
        rows[-1] = (*rows[-1], back)
    else:
        rows.append((back,))
    return Reply(text=(line(bold(title)),), buttons=tuple(rows), ephemeral=True, edit=True)


def timezone_question(opt_in: bool) -> Reply:
    """Asks for the zone: a name, or the time on the user's clock (the zone is worked out from it)."""
    first = "📬 Great! One thing first: what's your timezone?" if opt_in else "🌍 What's your timezone?"
    return Reply(
        text=(
            line(bold(first)),
            line("Send a zone name like Europe/Berlin or America/New_York,"),
            line("or just the time on your clock right now, like 14:30."),
            line(italic("/cancel to leave it.")),
        ),
        awaiting=Awaiting.OPT_IN if opt_in else Awaiting.TIMEZONE,
        ephemeral=True,
    )


def nudge_buttons(movie_id: int) -> tuple[tuple[Button, ...], ...]:
    return (
        (
            Button("👁 Watched", MovieAction(MovieOp.WATCHED, movie_id), key="s"),
            Button("⏰ Snooze 2 weeks", MovieAction(MovieOp.SNOOZE, movie_id), key="z"),
            Button("🗑 Remove", MovieAction(MovieOp.WATCHLIST_REMOVE, movie_id), key="w"),
        ),
    )


def stats_reply(stats: Analytics, days: int) -> Reply:
    """The admin dashboard: who uses moviebot, and for what."""
    text: list[Line] = [
        line(bold(f"📊 moviebot over the last {days} days")),
        line(f"Users: {stats.users} · active in the period: {stats.active_users}"),
        line(bold("Most favorited movies")),
    ]
    text += [
        line(f"{i}. ", bold(clip(m.label, 90)), f" · ❤ {n}") for i, (m, n) in enumerate(stats.most_favorited, 1)
    ] or [line(italic("none yet"))]
    text.append(line(bold("Most active users")))
    text += [line(f"{i}. {clip(name, 40)} · {n} actions") for i, (name, n) in enumerate(stats.most_active, 1)] or [
        line(italic("none yet"))
    ]
    text.append(line(bold("Top genres")))
    text += [line(f"{i}. {name} · {n}") for i, (name, n) in enumerate(stats.top_genres, 1)] or [
        line(italic("none yet"))
    ]
    return Reply(text=tuple(text), ephemeral=True)
