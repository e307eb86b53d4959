"""The where-to-watch part of a card: names, credit, link button, and the five-row limit."""

from __future__ import annotations

import pytest

from bot.intents.discovery import trending_window
from bot.reply import MAX_ROWS, Button, Reply, plain_text
from bot.screens import card_for, card_lines, card_reply, watch_names
from domain.catalog import JUSTWATCH_CREDIT, WatchProviders
from domain.models import Movie, MovieStatus, RatingStats

LINK = "https://www.themoviedb.org/movie/550-fight-club/watch?locale=DE"
PROVIDERS = WatchProviders(
    region="DE", link=LINK, flatrate=("Netflix",), rent=("Apple TV", "Amazon Video"), buy=("Apple TV",)
)
MOVIE = Movie(id=7, title="Fight Club", year=1999, tmdb_id=550)


def _card(providers: WatchProviders | None, **status: object) -> Reply:
    card = card_for(MOVIE, RatingStats(average=4.0, count=2), MovieStatus(**status), None, providers)  # type: ignore[arg-type]
    return card_reply(card)


def test_streaming_names_come_plain_and_others_say_how() -> None:
    assert watch_names(PROVIDERS) == ("Netflix", "Apple TV (rent/buy)", "Amazon Video (rent)")
    assert watch_names(WatchProviders(region="US", flatrate=("Hulu",), buy=("Hulu",))) == ("Hulu",)


def test_card_text_names_the_region_and_credits_justwatch() -> None:
    lines = [plain_text(nodes) for nodes in card_lines(_card(PROVIDERS).card)]  # type: ignore[arg-type]
    assert f"📺 Where to watch (DE): Netflix, Apple TV (rent/buy), Amazon Video (rent) — {JUSTWATCH_CREDIT}" in lines


@pytest.mark.parametrize("providers", [None, WatchProviders(region="US", link=LINK)])
def test_nothing_known_means_no_line_and_no_button(providers: WatchProviders | None) -> None:
    reply = _card(providers)
    assert reply.card is not None
    assert reply.card.where_to_watch == ()
    assert reply.card.watch_credit is None
    assert not any("Where to watch" in plain_text(nodes) for nodes in card_lines(reply.card))
    assert not [b for row in reply.buttons for b in row if b.url]


def test_only_https_links_become_buttons() -> None:
    reply = _card(WatchProviders(region="US", link="javascript:alert(1)", flatrate=("Hulu",)))
    assert reply.card is not None
    assert reply.card.where_to_watch == ("Hulu",)
    assert reply.card.watch_link is None
    assert not [b for row in reply.buttons for b in row if b.url]


@pytest.mark.parametrize("picker", [False, True])
def test_the_link_button_joins_an_existing_row_leaving_room_for_the_adapters_share_row(picker: bool) -> None:
    plain = card_reply(card_for(MOVIE, RatingStats(average=4.0, count=2), MovieStatus(stars=4), None), picker=picker)
    reply = card_reply(
        card_for(MOVIE, RatingStats(average=4.0, count=2), MovieStatus(stars=4), None, PROVIDERS), picker=picker
    )
    assert len(reply.buttons) == len(plain.buttons) <= MAX_ROWS - 1
    assert Button("📺 Where to watch", url=LINK) in [b for row in reply.buttons for b in row]
    Reply(
        buttons=(*reply.buttons, (Button("📣 Share", url="https://t.me/share/url?url=x"),))
    )  # still within the limits


def test_trending_window_words() -> None:
    assert [trending_window(w) for w in ("day", " Today ", "WEEK", "", "2", "month")] == [
        "day",
        "day",
        "week",
        None,
        None,
        None,
    ]
