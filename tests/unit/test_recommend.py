"""What a user can see of the recommender: exclusions, taste, freshness, cold start, stars, diversity."""

from __future__ import annotations

import numpy as np
import pytest

from domain.recommend import (
    DISMISSED,
    FAVORITE,
    RATING,
    WATCHED,
    WATCHLIST,
    FittedModel,
    Interaction,
    ItemFeatures,
    Recommender,
    RecommenderConfig,
)

GENRES = ("Science Fiction", "Romance", "Horror", "Comedy")
_WORDS = (
    "Amber",
    "Basalt",
    "Cinder",
    "Delta",
    "Ember",
    "Fjord",
    "Granite",
    "Harbor",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Lumen",
)
_TAILS = ("Protocol", "Letters", "Hollow", "Weekend")
PER_GENRE = 12
T0 = 1_700_000_000.0


def _catalog() -> list[ItemFeatures]:
    items = []
    for g, genre in enumerate(GENRES):
        for n in range(PER_GENRE):
            item_id = g * 100 + n
            items.append(
                ItemFeatures(
                    item_id=item_id,
                    genres=(genre,),
                    year=1980 + n,
                    keywords=(f"{genre.lower()} theme", f"kw{g}{n % 3}"),
                    title=f"{_WORDS[n]} {_TAILS[g]}",
                    popularity=float(PER_GENRE - n),
                )
            )
    return items


def _genre_of(item_id: int) -> str:
    return GENRES[item_id // 100]


def _interactions(seed: int = 0) -> list[Interaction]:
    """Eighty users, each a fan of one genre: high stars there, a few low stars elsewhere."""
    rng = np.random.default_rng(seed)
    rows = []
    for user in range(80):
        fav = user % len(GENRES)
        liked = rng.choice(PER_GENRE, size=8, replace=False, p=_zipf(PER_GENRE))
        for rank, n in enumerate(liked):
            rows.append(Interaction(user, fav * 100 + int(n), float(rng.choice([4.0, 5.0])), T0 + user * 1000 + rank))
        for rank in range(3):
            other = (fav + 1 + rank) % len(GENRES)
            rows.append(
                Interaction(user, other * 100 + int(rng.integers(PER_GENRE)), 2.0, T0 + user * 1000 + 50 + rank)
            )
    return rows


def _zipf(n: int) -> np.ndarray:
    p = 1.0 / np.arange(1, n + 1)
    return p / p.sum()


@pytest.fixture(scope="module")
def model() -> FittedModel:
    return Recommender().fit(_interactions(), _catalog())


def _fresh() -> FittedModel:
    return Recommender().fit(_interactions(), _catalog())


def test_nothing_the_user_touched_or_excluded_comes_back() -> None:
    model = _fresh()
    user = 1000
    touched = {
        Interaction(user, 0, 5.0, T0, RATING),
        Interaction(user, 1, None, T0 + 1, FAVORITE),
        Interaction(user, 2, None, T0 + 2, WATCHLIST),
        Interaction(user, 3, None, T0 + 3, DISMISSED),
        Interaction(user, 4, None, T0 + 4, WATCHED),
    }
    model.update_user(user, touched)
    shown = {r.item_id for offset in range(0, 40, 5) for r in model.recommend(user, 5, exclude={5, 6}, offset=offset)}
    assert shown, "the user should get picks"
    assert shown.isdisjoint({0, 1, 2, 3, 4, 5, 6})


def test_a_scifi_fan_gets_scifi_leaning_picks(model: FittedModel) -> None:
    model.update_user(2000, [Interaction(2000, n, None, T0 + n, FAVORITE) for n in (0, 1, 2)])
    picks = model.recommend(2000, 5)
    assert sum(_genre_of(r.item_id) == "Science Fiction" for r in picks) >= 3


def test_a_new_rating_changes_the_next_recommendations_without_refit() -> None:
    model = _fresh()
    user = 3000
    model.update_user(user, [Interaction(user, 100 + n, 5.0, T0 + n) for n in range(4)])  # romance fan
    before = [r.item_id for r in model.recommend(user, 5)]
    assert sum(_genre_of(i) == "Romance" for i in before) >= 3
    model.update_user(user, [Interaction(user, 200 + n, 5.0, T0 + 100 + n) for n in range(6)])  # now horror
    after = [r.item_id for r in model.recommend(user, 5)]
    assert after != before
    assert any(_genre_of(i) == "Horror" for i in after)
    assert not {200 + n for n in range(6)} & set(after)


def test_a_new_rating_changes_the_predicted_stars() -> None:
    model = _fresh()
    user = 3500
    model.update_user(user, [Interaction(user, 300 + n, 5.0, T0 + n) for n in range(3)])
    before = model.predict(user, 305)
    model.update_user(user, [Interaction(user, 300 + n, 1.0, T0 + 10 + n) for n in range(3, 8)])
    assert model.predict(user, 305) < before


def test_unknown_users_get_popular_diverse_picks(model: FittedModel) -> None:
    picks = model.recommend(999_999, 5)
    assert len(picks) == 5
    assert all(r.reason.kind == "popular" for r in picks)
    assert len({_genre_of(r.item_id) for r in picks}) >= 3
    ranks = [r.item_id % 100 for r in picks]  # lower n = more popular in the fixture
    assert max(ranks) < PER_GENRE // 2


def test_predicted_stars_stay_between_one_and_five(model: FittedModel) -> None:
    for user in (0, 1, 2, 3, 12345):
        for item in (0, 105, 211, 311, 99_999):
            assert 1.0 <= model.predict(user, item) <= 5.0


def test_predictions_follow_taste(model: FittedModel) -> None:
    # User 0 is a sci-fi fan (user % 4 == 0): a sci-fi film should beat a romance she never rated.
    unseen = [i for i in range(PER_GENRE) if i not in model.known_items(0)]
    assert model.predict(0, unseen[0]) > model.predict(0, 100 + PER_GENRE - 1)


def test_more_like_this_returns_same_genre_films(model: FittedModel) -> None:
    similar = model.similar_items(0, 5)
    assert len(similar) == 5
    assert 0 not in {r.item_id for r in similar}
    assert all(_genre_of(r.item_id) == "Science Fiction" for r in similar)
    assert model.similar_items(0, 5, exclude={1, 2})
    assert {1, 2}.isdisjoint(r.item_id for r in model.similar_items(0, 5, exclude={1, 2}))
    assert model.similar_items(424242, 5) == []


def test_picks_are_not_all_from_one_franchise() -> None:
    items = _catalog() + [
        ItemFeatures(
            item_id=900 + n,
            genres=("Science Fiction",),
            year=2000,
            keywords=("space opera", "saga"),
            title=f"Star Saga Part {n}",
        )
        for n in range(8)
    ]
    rows = _interactions()
    for user in range(80, 120):  # saga fans who also like other sci-fi
        rows += [Interaction(user, 900 + n, 5.0, T0 + user * 1000 + n) for n in range(8)]
        rows += [Interaction(user, n, 4.0, T0 + user * 1000 + 20 + n) for n in range(3, 9)]
    model = Recommender().fit(rows, items)
    model.update_user(5000, [Interaction(5000, 900, 5.0, T0), Interaction(5000, 901, 5.0, T0 + 1)])
    picks = [r.item_id for r in model.recommend(5000, 5)]
    saga = sum(900 <= i < 910 for i in picks)
    assert 1 <= saga <= 3, picks
    plain = Recommender(RecommenderConfig(diversity=0.0, max_per_franchise=0)).fit(rows, items)
    plain.update_user(5000, [Interaction(5000, 900, 5.0, T0), Interaction(5000, 901, 5.0, T0 + 1)])
    assert sum(900 <= r.item_id < 910 for r in plain.recommend(5000, 5)) > saga  # diversity did the work


def test_more_gives_the_next_five_without_repeats(model: FittedModel) -> None:
    first = [r.item_id for r in model.recommend(0, 5)]
    second = [r.item_id for r in model.recommend(0, 5, offset=5)]
    assert len(second) == 5
    assert not set(first) & set(second)
    assert [r.item_id for r in model.recommend(0, 10)] == first + second


def test_dismissing_is_negative_feedback() -> None:
    model = _fresh()
    user = 6000
    likes = [Interaction(user, 0, 5.0, T0), Interaction(user, 200, 5.0, T0 + 1)]  # sci-fi and horror
    model.update_user(user, likes)
    horror_before = sum(_genre_of(r.item_id) == "Horror" for r in model.recommend(user, 5))
    model.update_user(user, [Interaction(user, 201 + n, None, T0 + 10 + n, DISMISSED) for n in range(4)])
    horror_after = sum(_genre_of(r.item_id) == "Horror" for r in model.recommend(user, 5))
    assert horror_after < horror_before


def test_reasons_name_a_film_the_user_liked(model: FittedModel) -> None:
    liked = {i for i in model.known_items(0) if model.predict(0, i) >= 3.5}
    for rec in model.recommend(0, 5):
        assert rec.reason.kind in {"similar_to", "similar_users", "top_in_genre", "popular"}
        if rec.reason.kind == "similar_to":
            assert rec.reason.anchor_item_id in model.known_items(0)
            assert rec.reason.anchor_item_id in liked
        if rec.reason.kind == "top_in_genre":
            assert rec.reason.genre in {g for item in _catalog() if item.item_id == rec.item_id for g in item.genres}


def test_same_seed_same_output() -> None:
    a = Recommender(RecommenderConfig(seed=7)).fit(_interactions(), _catalog())
    b = Recommender(RecommenderConfig(seed=7)).fit(_interactions(), _catalog())
    for user in (0, 1, 2, 999):
        assert a.recommend(user, 5) == b.recommend(user, 5)
        assert a.predict(user, 105) == b.predict(user, 105)


def test_an_empty_dataset_does_not_crash() -> None:
    empty = Recommender().fit([], [])
    assert empty.recommend(1, 5) == []
    assert empty.similar_items(1, 5) == []
    assert 1.0 <= empty.predict(1, 1) <= 5.0
    empty.update_user(1, [Interaction(1, 1, 4.0, T0)])
    catalog_only = Recommender().fit([], _catalog())
    picks = catalog_only.recommend(1, 5)
    assert len(picks) == 5
    assert all(r.reason.kind == "popular" for r in picks)
    assert 1.0 <= catalog_only.predict(1, 0) <= 5.0


def test_unknown_interaction_kinds_are_rejected() -> None:
    with pytest.raises(ValueError, match="unknown interaction kind"):
        Interaction(1, 1, None, T0, "liked")
    with pytest.raises(ValueError, match="needs a rating value"):
        Interaction(1, 1, None, T0, RATING)
