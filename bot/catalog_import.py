"""Import catalog drafts into the local catalog, counting what happened and why.

Readers (storage.movielens) turn files into rows; this use case upserts them in
batches, one transaction per batch, so a huge file neither holds one giant
transaction nor loses work already done if it stops half way.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from domain.models import ImportSummary, MovieDraft, UpsertOutcome
from domain.ports import UnitOfWorkFactory

BATCH = 500


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One row from a catalog file: a draft, or the reason it was skipped."""

    draft: MovieDraft | None
    skip_reason: str | None = None


async def import_rows(
    uow: UnitOfWorkFactory,
    rows: Iterable[SourceRow],
    now: dt.datetime,
    progress: Callable[[int], None] = lambda done: None,
) -> ImportSummary:
    """Upsert every draft; re-importing the same file changes nothing."""
    counts: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    batch: list[MovieDraft] = []
    done = 0

    async def flush() -> None:
        async with uow(write=True) as unit:
            for draft in batch:
                _movie, outcome = await unit.movies.upsert(draft, now)
                counts[outcome.value] += 1
            await unit.commit()
        batch.clear()

    for row in rows:
        done += 1
        if row.draft is None:
            reasons[row.skip_reason or "unreadable"] += 1
        else:
            batch.append(row.draft)
            if len(batch) >= BATCH:
                await flush()
                progress(done)
    if batch:
        await flush()
    progress(done)
    return ImportSummary(
        added=counts[UpsertOutcome.ADDED.value],
        updated=counts[UpsertOutcome.UPDATED.value],
        unchanged=counts[UpsertOutcome.UNCHANGED.value],
        skipped=sum(reasons.values()),
        reasons=dict(reasons),
    )


async def seed_if_empty(uow: UnitOfWorkFactory, drafts: Callable[[], Iterable[MovieDraft]], now: dt.datetime) -> int:
    """Load the bundled catalog into an empty database; returns how many movies were added."""
    async with uow(write=True) as unit:
        if await unit.movies.count() > 0:
            return 0
        added = await unit.movies.bulk_insert(list(drafts()), now)
        await unit.commit()
    return added
