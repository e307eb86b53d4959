"""The button codec: short ASCII payloads, and nothing forged ever gets through."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.actions import (
    CHOICES,
    MAX_ID,
    MAX_PAGE,
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
    decode,
    encode,
)
from domain.errors import StaleAction

ids = st.integers(min_value=1, max_value=MAX_ID)
pages = st.integers(min_value=1, max_value=MAX_PAGE)
tokens = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=10, max_size=10)
actions: st.SearchStrategy[Action] = st.one_of(
    st.builds(MovieAction, st.sampled_from(MovieOp), ids),
    st.builds(RateAction, ids, st.integers(min_value=1, max_value=5)),
    st.builds(PageAction, st.sampled_from(ListName), pages, st.none() | tokens),
    st.builds(ReviewsPage, ids, pages),
    st.builds(ToggleSetting, st.sampled_from(Setting)),
    st.sampled_from(list(CHOICES)).flatmap(
        lambda setting: st.builds(ChooseSetting, st.just(setting), st.integers(0, CHOICES[setting] - 1))
    ),
)


@given(actions)
def test_every_action_round_trips_in_at_most_64_ascii_bytes(action: Action) -> None:
    payload = encode(action)
    assert payload.isascii()
    assert len(payload.encode()) <= 64
    assert decode(payload) == action


@given(st.text(max_size=200))
def test_arbitrary_text_is_either_a_valid_action_or_stale(text: str) -> None:
    try:
        action = decode(text)
    except StaleAction as err:
        assert "expired" in err.message
    else:
        assert encode(action) == text  # only canonical payloads are accepted


@given(actions, st.integers(min_value=1, max_value=20))
def test_truncated_payloads_are_rejected_or_decode_to_a_different_action(action: Action, cut: int) -> None:
    payload = encode(action)
    truncated = payload[: max(0, len(payload) - cut)]
    try:
        decoded = decode(truncated)
    except StaleAction:
        return
    assert decoded != action


@pytest.mark.parametrize(
    "payload",
    [
        "v1:r:12:0",  # zero stars
        "v1:r:12:6",  # six stars
        "v1:r:12:five",
        "v1:m:0",  # id zero
        "v1:m:-5",
        "v1:m:012",  # non-canonical
        "v1:m:99999999999",  # beyond any id
        "v1:p:s:0",  # page zero
        "v1:p:zz:1",  # unknown list
        "v1:p:s:1:short",  # token of the wrong shape
        "v0:m:12",  # an old version retires gracefully
        "v2:m:12",
        "v1:fa:12:extra",
        "v1:m:١٢",  # Arabic-Indic digits
        "",
        "v1:m:12\n",
        "x" * 65,
    ],
)
def test_forged_or_garbled_payloads_say_the_button_expired(payload: str) -> None:
    with pytest.raises(StaleAction):
        decode(payload)


def test_non_string_payloads_are_stale() -> None:
    with pytest.raises(StaleAction):
        decode(None)
    with pytest.raises(StaleAction):
        decode(b"v1:m:12")


def test_encoding_refuses_values_no_decoder_would_accept() -> None:
    with pytest.raises(ValueError, match="stars out of range"):
        encode(RateAction(1, 6))
    with pytest.raises(ValueError, match="id out of range"):
        encode(MovieAction(MovieOp.OPEN, 0))
    with pytest.raises(ValueError, match="bad token"):
        encode(PageAction(ListName.SEARCH, 1, "bad token!"))
