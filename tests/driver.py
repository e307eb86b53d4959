"""A test driver: the intents by name over a real Core, the way an adapter would reach them.

`driver.fav(alice, "heat")` runs bot.intents.library.fav on the core's
services (real storage, real caches); `driver.press(...)` and `driver.say(...)`
go through the conversation exactly as the platforms do. Nothing is faked.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from bot.core import Chat, Core
from bot.intents import account, admin, discovery, info, library, ratings, search
from bot.reply import Reply
from bot.routing import BY_NAME
from bot.services import Requester, Services
from domain.ports import UnitOfWorkFactory

_MODULES = (library, ratings, search, discovery, account, admin, info)


def private_chat(who: Requester) -> Chat:
    return Chat(f"{who.platform.value}:{who.external_id}")


class Driver:
    """Intents by name (`fav`, `favorites`, `rate_movie`, …), plus the conversation's own entry points."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.services = core.services
        self.recommendations = core.services.recommendations

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        for module in _MODULES:
            intent = getattr(module, name, None)
            if callable(intent) and getattr(intent, "__module__", None) == module.__name__:
                return functools.partial(intent, self.services)
        raise AttributeError(name)

    async def help(self, who: Requester) -> Reply:
        return await BY_NAME["help"].run(self.services, who, "")

    async def say(self, who: Requester, text: str, chat: Chat | None = None, **kwargs: Any) -> Reply | None:
        """A message as the user types it, in their private chat unless told otherwise."""
        return await self.core.handle_message(who, chat or private_chat(who), text, **kwargs)

    async def press(self, who: Requester, payload: object, chat: Chat | None = None) -> Reply:
        return await self.core.handle_press(who, chat or private_chat(who), payload)

    async def is_reachable(self, who: Requester) -> bool:
        """Whether scheduled messages may be sent (unknown users count as unreachable)."""
        async with self.services.uow() as uow:
            user = await uow.users.find(who.identity)
        return user is not None and user.reachable


def driver_over(uow: UnitOfWorkFactory, **settings: Any) -> Driver:
    """A driver over a core on `uow` (Services.over's settings: clock, admins, poster_url, …)."""
    return Driver(Core(Services.over(uow, **settings)))
