"""Reply limits are checked once, and rendering never cuts markup in half."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.actions import MovieAction, MovieOp
from bot.reply import Bold, Button, Link, Plain, Reply, TextStyle, bold, line, render_chunks

HTML = TextStyle(
    escape=lambda s: html.escape(s, quote=False),
    bold=lambda s: f"<b>{s}</b>",
    italic=lambda s: f"<i>{s}</i>",
    link=lambda t, u: f'<a href="{html.escape(u)}">{t}</a>',
)
OPEN = MovieAction(MovieOp.OPEN, 1)


def test_more_than_five_rows_or_five_buttons_a_row_is_refused() -> None:
    row = (Button("a", OPEN),)
    Reply(buttons=(row,) * 5)
    with pytest.raises(ValueError, match="at most 5 rows"):
        Reply(buttons=(row,) * 6)
    with pytest.raises(ValueError, match="a button row holds"):
        Reply(buttons=((Button("a", OPEN),) * 6,))


def test_labels_are_one_to_eighty_characters_and_buttons_do_one_thing() -> None:
    Button("x" * 80, OPEN)
    with pytest.raises(ValueError, match="button label must be"):
        Button("x" * 81, OPEN)
    with pytest.raises(ValueError, match="button label must be"):
        Button("", OPEN)
    with pytest.raises(ValueError, match="exactly one of action or url"):
        Button("both", OPEN, url="https://example.org")


def test_dynamic_text_is_escaped() -> None:
    [out] = render_chunks((line("Movie: ", bold("<Fight & Club>")),), HTML, 4096)
    assert out == "Movie: <b>&lt;Fight &amp; Club&gt;</b>"


def _balanced(chunk: str) -> bool:
    stack: list[str] = []
    for closing, tag in re.findall(r"<(/?)(b|i|a)\b[^>]*>", chunk):
        if closing:
            if not stack or stack.pop() != tag:
                return False
        else:
            stack.append(tag)
    return not stack and not re.search(r"&[a-z]*$", chunk)


words = st.text(alphabet=st.sampled_from("ab <>&\"'é🎬"), min_size=0, max_size=60)
nodes = st.one_of(
    words.map(Plain), words.map(lambda w: Bold((Plain(w),))), words.map(lambda w: Link(w, "https://t.me/x?a=1&b=2"))
)


@given(st.lists(st.lists(nodes, max_size=6).map(tuple), max_size=200), st.integers(min_value=40, max_value=4096))
def test_chunks_stay_under_the_limit_and_keep_markup_whole(
    lines: list[tuple[Plain | Bold | Link, ...]], limit: int
) -> None:
    chunks = render_chunks(tuple(lines), HTML, limit)
    assert chunks
    for chunk in chunks:
        assert len(chunk) <= limit
        assert _balanced(chunk)


def test_one_huge_line_is_shortened_not_split_mid_entity() -> None:
    [out] = render_chunks((line(bold("&" * 5000)),), HTML, 1024)
    assert len(out) <= 1024
    assert out.startswith("&amp;")
    assert out.endswith("…")
    assert _balanced(out)
