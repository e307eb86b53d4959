"""One SQLAlchemy session per intent, exposing the repositories over it."""

from __future__ import annotations

from domain.ports import LibraryRepository, MovieRepository, NotificationRepository, TokenRepository, UserRepository
from storage.catalog_cache import CatalogCache
from storage.database import Database
from storage.library import SqlLibraryRepository
from storage.movies import SqlMovieRepository
from storage.notifications import SqlNotificationRepository
from storage.tokens import SqlTokenRepository
from storage.users import SqlUserRepository


class SqlUnitOfWork:
    """Commit explicitly; leaving the block without commit rolls back."""

    # Declared as the ports so this class satisfies domain.ports.UnitOfWork structurally.
    users: UserRepository
    movies: MovieRepository
    library: LibraryRepository
    tokens: TokenRepository
    notifications: NotificationRepository

    def __init__(self, db: Database, write: bool, cache: CatalogCache) -> None:
        self._db = db
        self._write = write
        self._cache = cache
        self.writable = write

    async def __aenter__(self) -> SqlUnitOfWork:
        self._session = self._db.session(self._write)
        movies = SqlMovieRepository(self._session, None if self._write else self._cache)
        self._movies = movies
        self.users = SqlUserRepository(self._session)
        self.movies = movies
        self.library = SqlLibraryRepository(self._session, movies)
        self.tokens = SqlTokenRepository(self._session)
        self.notifications = SqlNotificationRepository(self._session)
        return self

    async def commit(self) -> None:
        await self._session.commit()
        if self._movies.changed:
            self._cache.clear()  # after the commit, so no reader can refill it with the old rows

    async def restart(self) -> None:
        if self._write:
            raise RuntimeError("restart() would discard this unit of work's writes")
        await self._session.rollback()  # the next statement begins a new transaction (a fresh snapshot)

    async def __aexit__(self, *exc: object) -> None:
        try:
            await self._session.rollback()
        finally:
            await self._session.close()


class SqlUnitOfWorkFactory:
    """UnitOfWorkFactory for a Database, with the catalog cache its units of work share."""

    def __init__(self, db: Database, cache: CatalogCache | None = None) -> None:
        self.db = db
        self.cache = cache or CatalogCache()

    def __call__(self, write: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.db, write, self.cache)
