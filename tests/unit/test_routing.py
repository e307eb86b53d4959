"""The routing tables cover every button action the codec can decode, and typed pages read as users type them."""

from __future__ import annotations

import typing

import pytest

from bot.actions import Action, ListName, MovieOp
from bot.routing import BY_NAME, COMMANDS, MOVIE_PRESSES, PAGES, PRESSES, page_of, split_page


def test_every_decodable_action_has_an_intent() -> None:
    assert set(PRESSES) == set(typing.get_args(Action))
    assert set(MOVIE_PRESSES) == set(MovieOp)
    assert set(PAGES) == set(ListName)


def test_command_names_are_unique_and_usage_lines_start_with_the_name() -> None:
    assert len(BY_NAME) == len(COMMANDS)
    assert all(c.usage_line.startswith(f"/{c.name}") for c in COMMANDS)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("2", ("", 2)),
        ("genre:drama 3", ("genre:drama", 3)),
        ("page:4", ("", 4)),
        ("p5", ("", 5)),
        ("1999", ("1999", 1)),  # a year, not a page
        ("since:2026-01-15", ("since:2026-01-15", 1)),
        ("toy story 2", ("toy story 2", 1)),  # a title, not page 2 of "toy story"
        ("toy story page:2", ("toy story", 2)),
        ("", ("", 1)),
    ],
)
def test_a_trailing_number_of_up_to_three_digits_is_a_page(args: str, expected: tuple[str, int]) -> None:
    assert split_page(args) == expected


def test_a_whole_argument_page_number() -> None:
    assert page_of("3") == 3
    assert page_of(" 12 ") == 12
    assert page_of("0") == 1
    assert page_of("two") == 1
    assert page_of("999999") == 1
