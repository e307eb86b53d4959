"""PTB's AIORateLimiter with the bot-wide message budget shared by every instance in front of each send.

`AIORateLimiter` keeps what it is good at: the per-group limit (20 messages a
minute) and honouring 429 `retry_after` with retries. Its overall limiter
counts only this process and queues in arrival order, so a reply would wait
behind reminders already queued there; it is off by default and the shared
`SendBudget` takes its place for the endpoints that post a message.

The budget is taken inside the parent's limiters, right before each HTTP
attempt: a message held by the group limiter does not sit on a reserved slot,
and a retry after a 429 is a new message to Telegram, so it takes a new slot.

A scheduled send may add `"leaving": f` to its rate_limit_args: `f()` is
awaited once, after the budget let it through and right before the request
leaves, so the scheduler records "may have arrived" only from that moment (a
process killed while a message waits for its slot has sent nothing).

A call marks itself as scheduled with `rate_limit_args={"priority": "scheduled"}`
(PTB hands any Bot method's `rate_limit_args` to the limiter); everything else
is interactive. An int is still the parent's "max retries" for this call, and
`{"max_retries": n}` may sit next to the priority.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine, Mapping
from typing import Any

from telegram import constants
from telegram.ext import AIORateLimiter

from domain.pacing import Priority
from domain.ports import SendBudget

SCHEDULED: Mapping[str, str] = {"priority": Priority.SCHEDULED.value}  # rate_limit_args for a scheduled send

# Bot API methods that post or change a message in a chat: what Telegram's ~30 messages/s counts. Queries
# (getUpdates, getMe, getChat), answers to callback and inline queries and chat actions do not take the budget.
MESSAGE_ENDPOINTS = frozenset(
    {
        "sendMessage", "sendPhoto", "sendAudio", "sendDocument", "sendVideo", "sendAnimation", "sendVoice",
        "sendVideoNote", "sendPaidMedia", "sendMediaGroup", "sendLocation", "sendVenue", "sendContact", "sendPoll",
        "sendChecklist", "sendDice", "sendSticker", "sendInvoice", "sendGame", "copyMessage", "copyMessages",
        "forwardMessage", "forwardMessages", "editMessageText", "editMessageCaption", "editMessageMedia",
        "editMessageReplyMarkup", "editMessageLiveLocation", "stopMessageLiveLocation", "editMessageChecklist",
        "stopPoll",
    }
)  # fmt: skip

JSONDict = dict[str, Any]  # as PTB's telegram._utils.types spells it
Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]
Leaving = Callable[[], Awaitable[None]]


def priority_of(rate_limit_args: object) -> Priority:
    """The priority a call asked for: SCHEDULED only when it says so, so a forgotten mark never delays a person."""
    if isinstance(rate_limit_args, Mapping) and rate_limit_args.get("priority") == Priority.SCHEDULED.value:
        return Priority.SCHEDULED
    return Priority.INTERACTIVE


def _leaving(rate_limit_args: object) -> Leaving | None:
    """`{"leaving": f}`: awaited once, after the budget and right before the request leaves (see Delivery)."""
    if isinstance(rate_limit_args, Mapping):
        value = rate_limit_args.get("leaving")
        return value if callable(value) else None
    return None


def _max_retries(rate_limit_args: object) -> int | None:
    if isinstance(rate_limit_args, int):
        return rate_limit_args
    if isinstance(rate_limit_args, Mapping):
        value = rate_limit_args.get("max_retries")
        return value if isinstance(value, int) else None
    return None


class BudgetRateLimiter(AIORateLimiter):
    """AIORateLimiter whose message sends first take one slot of a (shared) `SendBudget`.

    `overall_max_rate=0` turns the parent's per-process overall limiter off (the
    budget replaces it); a positive value keeps it as well, and then it should be
    at least the budget's rate so it never throttles below it.
    """

    def __init__(
        self,
        budget: SendBudget,
        *,
        max_retries: int = 3,
        overall_max_rate: float = 0,
        group_max_rate: float = constants.FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP,
        group_time_period: float = 60,
    ) -> None:
        super().__init__(
            overall_max_rate=overall_max_rate,
            group_max_rate=group_max_rate,
            group_time_period=group_time_period,
            max_retries=max_retries,
        )
        self.budget = budget

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | Mapping[str, Any] | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Pace message sends through the budget, then let AIORateLimiter do the rest."""
        # Paid broadcasts have their own, much higher limit (1000/s) that AIORateLimiter already applies.
        if endpoint in MESSAGE_ENDPOINTS and not data.get("allow_paid_broadcast"):
            callback = self._paced(callback, priority_of(rate_limit_args), _leaving(rate_limit_args))
        return await super().process_request(callback, args, kwargs, endpoint, data, _max_retries(rate_limit_args))

    def _paced(self, callback: Callback, priority: Priority, leaving: Leaving | None) -> Callback:
        budget = self.budget
        announce = [leaving] if leaving is not None else []

        async def paced(*args: Any, **kwargs: Any) -> bool | JSONDict | list[JSONDict]:
            await budget.take(priority)
            if announce:  # the first attempt is about to leave: the caller records it (once)
                await announce.pop()()
            return await callback(*args, **kwargs)

        return paced
