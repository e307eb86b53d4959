"""Formatting that never breaks: hostile titles, long texts, emoji, captions, photo cards."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.telegram.render import CAPTION_LIMIT, TEXT_LIMIT, html_chunks, utf16_len
from bot.bootstrap import Runtime
from bot.reply import Bold, Italic, Line, Link, Plain
from domain.models import MovieDraft
from tests.conftest import FakeClock
from tests.driver import Driver, driver_over
from tests.e2e.telegram.fake_bot_api import FakeBotApi, parse_html
from tests.e2e.telegram.harness import running, telegram_config

HOSTILE = ("<Fight & Club>", "1*2_3", "</b><i>&amp;", "a" * 300 + "&<>" * 100)

text = (
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
    | st.sampled_from(HOSTILE)
    | st.text("🎬🍿&<>é\u200d", max_size=400)
)
node = st.one_of(
    text.map(Plain),
    text.map(lambda t: Bold((Plain(t),))),
    text.map(lambda t: Italic((Plain(t),))),
    st.tuples(text, st.sampled_from(["https://example.org/a?b=1&c=<2>", "https://t.me/x"])).map(lambda p: Link(*p)),
)
lines = st.lists(st.lists(node, max_size=4).map(tuple), min_size=1, max_size=40).map(tuple)


@settings(max_examples=150, deadline=None)
@given(lines, st.sampled_from([TEXT_LIMIT, CAPTION_LIMIT, 200]))
def test_every_chunk_parses_as_telegram_html_and_fits(content: tuple[Line, ...], limit: int) -> None:
    for chunk in html_chunks(content, limit):
        plain, _ = parse_html(chunk)  # raises like Telegram on any escaping mistake
        assert utf16_len(plain) <= limit
        assert utf16_len(chunk) <= limit


def test_a_long_list_is_split_between_lines_without_losing_text() -> None:
    many = tuple((Plain(f"{i}. "), Bold((Plain("<Fight & Club> 🎬" * 5),))) for i in range(400))
    chunks = html_chunks(many, TEXT_LIMIT)
    assert len(chunks) > 1
    joined = "\n".join(parse_html(c)[0] for c in chunks)
    assert joined.count("<Fight & Club>") == 2000


@pytest.fixture
async def poster_bot(runtime: Runtime, clock: FakeClock) -> AsyncIterator[tuple[Driver, dict[str, int]]]:
    ids = {}
    async with runtime.uow(write=True) as uow:
        for title in HOSTILE[:2]:
            movie, _ = await uow.movies.upsert(
                MovieDraft(title=title, year=2001, genres=("Drama",), poster_path="/p.jpg", overview="x" * 900), clock()
            )
            ids[title] = movie.id
        await uow.commit()
    return driver_over(runtime.uow, clock=clock, poster_url=lambda path: f"https://image.example.org/w500{path}"), ids


async def test_hostile_titles_as_photo_cards_with_captions_edited_in_place(
    fake: FakeBotApi, poster_bot: tuple[Driver, dict[str, int]], sqlite_url: str
) -> None:
    bot, ids = poster_bot
    async with running(bot, telegram_config(fake, sqlite_url), fake) as tg:
        alice = tg.user(1001, "Alice")
        results = await alice.say("/search fight club")
        assert "<Fight & Club> (2001)" in results.shown
        card = await alice.say(f"/movie #{ids['<Fight & Club>']}")
        assert card.photo == "https://image.example.org/w500/p.jpg"
        assert card.shown.startswith("🎬 <Fight & Club> (2001)")
        assert utf16_len(card.shown) <= CAPTION_LIMIT
        answer = await alice.press(card, "❤ Favorite")
        assert answer["text"] == "❤ Added to your favorites."
        assert fake.calls_to("editMessageCaption")
        assert "❤ favorite" in fake.last(1001).shown
        other = await alice.say(f"/movie #{ids['1*2_3']}")
        assert other.shown.startswith("🎬 1*2_3 (2001)")
        assert all(c.ok for c in fake.calls)
