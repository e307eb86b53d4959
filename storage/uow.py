"""One SQLAlchemy session per intent, exposing the repositories over it."""

from __future__ import annotations

from domain.ports import LibraryRepository, MovieRepository, NotificationRepository, TokenRepository, UserRepository
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

    def __init__(self, db: Database, write: bool) -> None:
        self._db = db
        self._write = write
        self.writable = write

    async def __aenter__(self) -> SqlUnitOfWork:
        self._session = self._db.session(self._write)
        movies = SqlMovieRepository(self._session)
        self.users = SqlUserRepository(self._session)
        self.movies = movies
        self.library = SqlLibraryRepository(self._session, movies)
        self.tokens = SqlTokenRepository(self._session)
        self.notifications = SqlNotificationRepository(self._session)
        return self

    async def commit(self) -> None:
        await self._session.commit()

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
    """UnitOfWorkFactory for a Database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def __call__(self, write: bool = False) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.db, write)
