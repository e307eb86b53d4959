"""Pure TMDb JSON -> domain mapping, and the domain's merge of local and remote results."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.tmdb import mapping
from domain.models import MovieDraft

TABLE = mapping.DEFAULT_GENRES

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
FIELDS = (
    "id",
    "title",
    "original_title",
    "release_date",
    "poster_path",
    "genre_ids",
    "genres",
    "popularity",
    "imdb_id",
    "runtime",
    "keywords",
    "release_dates",
)
result_like = st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, json_values))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1999-10-15", dt.date(1999, 10, 15)),
        ("2012-08-28T00:00:00.000Z", dt.date(2012, 8, 28)),
        ("", None),
        (None, None),
        ("1999-13-40", None),
        (1999, None),
    ],
)
def test_parse_date_is_total(raw: Any, expected: dt.date | None) -> None:
    assert mapping.parse_date(raw) == expected


def test_list_result_with_nulls_maps_to_a_sparse_draft() -> None:
    item = {
        "id": 7,
        "title": "Soon",
        "release_date": "",
        "poster_path": None,
        "overview": "",
        "genre_ids": [878, 99999],
        "popularity": None,
    }
    assert mapping.draft_from_result(item, TABLE) == MovieDraft(title="Soon", tmdb_id=7, genres=("Science Fiction",))


@pytest.mark.parametrize(
    "item", [{"title": "No id"}, {"id": 3, "title": "  "}, {"id": True, "title": "Bool id"}, "not an object", None]
)
def test_unusable_results_are_dropped(item: Any) -> None:
    assert mapping.draft_from_result(item, TABLE) is None


@given(result_like)
def test_mapping_never_raises_on_odd_json(item: dict[str, Any]) -> None:
    mapping.draft_from_result(item, TABLE)
    mapping.draft_from_details(item, TABLE)
    mapping.page_of({"results": [item], "total_results": item.get("id")}, TABLE, 1)
    mapping.watch_providers_from({"results": {"US": item}}, "us")


def test_details_prefer_genre_ids_over_localized_names_and_read_appended_blocks() -> None:
    body = {
        "id": 550,
        "title": "Fight Club",
        "imdb_id": "tt0137523",
        "runtime": 0,
        "genres": [{"id": 35, "name": "Komödie"}, {"id": 777, "name": "Sci-Fi"}],
        "release_date": "",
        "keywords": {
            "id": 550,
            "keywords": [{"id": 1, "name": "twist"}, {"id": 1, "name": "twist"}, {"id": 2, "name": None}],
        },
        "release_dates": {
            "results": [
                {
                    "iso_3166_1": "DE",
                    "release_dates": [
                        {"release_date": "1999-11-11T00:00:00.000Z"},
                        {"release_date": "1999-09-10T00:00:00.000Z"},
                    ],
                }
            ]
        },
    }
    draft = mapping.draft_from_details(body, TABLE)
    assert draft is not None
    assert (draft.genres, draft.keywords, draft.year, draft.runtime) == (
        ("Comedy", "Science Fiction"),
        ("twist",),
        1999,
        None,
    )
    assert draft.release_date == dt.date(1999, 9, 10)  # the earliest appended date stands in for the empty release_date


def test_each_country_comes_out_at_its_first_limited_theatrical_or_digital_release() -> None:
    def release(day: str, kind: object) -> dict[str, object]:
        return {"release_date": f"{day}T00:00:00.000Z", "type": kind}

    body = {
        "id": 693134,
        "title": "Dune: Part Two",
        "release_dates": {
            "results": [
                {"iso_3166_1": "US", "release_dates": [release("2024-02-15", 1), release("2024-03-01", 3)]},
                {"iso_3166_1": "de", "release_dates": [release("2024-02-29", 3), release("2024-04-25", 4)]},
                {"iso_3166_1": "FR", "release_dates": [release("2024-02-10", 1)]},  # only a premiere: not out
                {"iso_3166_1": "../", "release_dates": [release("2024-01-01", 3)]},  # not a country
                {"iso_3166_1": "GB", "release_dates": [{"release_date": "garbage", "type": 3}]},
            ]
        },
    }
    draft = mapping.draft_from_details(body, TABLE)
    assert draft is not None
    assert draft.release_dates == (("DE", dt.date(2024, 2, 29)), ("US", dt.date(2024, 3, 1)))


def test_genre_table_keeps_english_defaults_when_tmdb_answers_in_german() -> None:
    table = mapping.genre_table(
        {"genres": [{"id": 35, "name": "Komödie"}, {"id": 10770, "name": "TV Movie"}, {"id": 5, "name": None}]}
    )
    assert table[35] == "Comedy"
    assert table[10770] == "TV Movie"
    assert 5 not in table
    assert mapping.genre_ids(["scifi", "Family", "Film Noir", "comedy"], table) == ([878, 10751, 35], ["Film Noir"])


def test_pages_cap_totals_where_tmdb_stops_serving() -> None:
    page = mapping.page_of(
        {"page": 3, "results": [{"id": 1, "title": "A"}, {"oops": 1}], "total_results": 10**6}, TABLE, 3
    )
    assert (len(page.items), page.page, page.page_size, page.pages) == (1, 3, 20, 500)
    assert mapping.page_of("garbage", TABLE, 2).total == 0


def test_watch_providers_sorted_by_priority_for_the_region() -> None:
    flatrate = [{"provider_name": "B", "display_priority": 9}, {"provider_name": "A", "display_priority": 1}]
    body = {"results": {"DE": {"link": "https://x", "flatrate": flatrate}}}
    providers = mapping.watch_providers_from(body, "de")
    assert (providers.region, providers.link, providers.flatrate, providers.empty) == (
        "DE",
        "https://x",
        ("A", "B"),
        False,
    )
    assert mapping.watch_providers_from(None, "US").empty


def test_image_config_picks_the_secure_base_and_a_card_size() -> None:
    config = mapping.image_config(
        {"images": {"secure_base_url": "https://img.example/t/p/", "poster_sizes": ["w92", "w500", "original"]}}
    )
    assert config.poster_url("/abc.jpg") == "https://img.example/t/p/w500/abc.jpg"
    assert config.poster_url(None) is None
    assert config.poster_url("") is None
    insecure = mapping.image_config({"images": {"secure_base_url": "http://img.example/", "poster_sizes": []}})
    assert insecure == mapping.ImageConfig()
    assert mapping.image_config({}).poster_url("/x.jpg") == "https://image.tmdb.org/t/p/w342/x.jpg"
