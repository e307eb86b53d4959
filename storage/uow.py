"""One SQLAlchemy session per intent, exposing the repositories over it."""

from __future__ import annotations

from typing import Self

from domain.ports import (
    LibraryRepository,
    MovieRepository,
    NotificationRepository,
    PromptRepository,
    TokenRepository,
    UserRepository,
)
from storage.database import Database
from storage.library import SqlLibraryRepository
from storage.movies import SqlMovieRepository
from storage.notifications import SqlNotificationRepository
from storage.prompts import SqlPromptRepository
from storage.read_cache import CATALOG_MAX_ENTRIES, CATALOG_TTL_SECONDS, USER_MAX_ENTRIES, USER_TTL_SECONDS, ReadCache
from storage.tokens import SqlTokenRepository, TokenMemo
from storage.users import SqlUserRepository


class SqlUnitOfWork:
    """Commit explicitly; leaving the block without commit rolls back.

    Read-only units of work read through the factory's caches; write units of
    work bypass them (their transaction may still roll back) and, once
    committed, invalidate what they changed.
    """

    # Declared as the ports so this class satisfies domain.ports.UnitOfWork structurally.
    users: UserRepository
    movies: MovieRepository
    library: LibraryRepository
    tokens: TokenRepository
    notifications: NotificationRepository
    prompts: PromptRepository

    def __init__(self, factory: SqlUnitOfWorkFactory, write: bool) -> None:
        self._factory = factory
        self._write = write
        self.writable = write

    async def __aenter__(self) -> Self:
        f = self._factory
        self._session = f.db.session(self._write)
        self._readers = () if self._write else (f.cache.reader(), f.user_cache.reader())
        catalog, users = self._readers or (None, None)
        self._movies = SqlMovieRepository(self._session, catalog)
        self._users = SqlUserRepository(self._session, users)
        self._tokens = SqlTokenRepository(self._session, f.tokens, writable=self._write)
        self.movies, self.users, self.tokens = self._movies, self._users, self._tokens
        self.library = SqlLibraryRepository(self._session, self._movies)
        self.notifications = SqlNotificationRepository(self._session)
        self.prompts = SqlPromptRepository(self._session)
        return self

    async def commit(self) -> None:
        await self._session.commit()
        # After the commit, so no reader can refill the caches with the old rows (see storage.read_cache).
        if self._movies.changed:
            self._factory.cache.invalidate()
        if self._users.changed:
            changed = frozenset(self._users.changed)
            self._factory.user_cache.invalidate(lambda user: user.id in changed)
            self._users.changed.clear()
        self._tokens.remember_committed()

    async def restart(self) -> None:
        if self._write:
            raise RuntimeError("restart() would discard this unit of work's writes")
        await self._session.rollback()  # the next statement begins a new transaction (a fresh snapshot)
        for reader in self._readers:
            reader.renew()

    async def __aexit__(self, *exc: object) -> None:
        if not self._session.in_transaction():
            return  # no transaction open (everything came from the caches, or restart() ended it): nothing to release
        try:
            await self._session.rollback()
        finally:
            await self._session.close()


class SqlUnitOfWorkFactory:
    """UnitOfWorkFactory for a Database, with the caches its units of work share."""

    def __init__(self, db: Database, cache: ReadCache | None = None, user_cache: ReadCache | None = None) -> None:
        self.db = db
        self.cache = cache or ReadCache(CATALOG_TTL_SECONDS, CATALOG_MAX_ENTRIES)  # catalog reads
        self.user_cache = user_cache or ReadCache(USER_TTL_SECONDS, USER_MAX_ENTRIES)  # chat identity -> user
        self.tokens = TokenMemo()

    def __call__(self, write: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self, write)
