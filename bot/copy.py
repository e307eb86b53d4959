"""What moviebot says when no intent answers: apologies, usage, cancel, closed DMs. Written once, for every platform."""

from __future__ import annotations

from bot.reply import Reply, line
from domain.models import Platform
from domain.query import clip_for_echo

APOLOGY = "⚠ Sorry, something went wrong on my side. Please try again."
CANCELLED = "Cancelled."
NOTHING_TO_CANCEL = "Nothing to cancel."
HELP_HINT = "Send /help to see what I can do, or type a movie title to search."
DMS_CLOSED = (
    "📭 I couldn't send you a direct message: your DMs are closed to me. "
    "Allow direct messages from server members to get reminders."
)
BLOCKED_BEFORE = (
    "📭 My last scheduled message couldn't reach you (the bot was blocked). Reminders reach you again from now on."
)
PROMPT_EXPIRED = "That question has expired. Press ✍ Review on the movie's card, or send /review <movie> | <your text>."


def unreachable_notice(platform: Platform) -> str:
    """Why scheduled messages stopped, in the platform's terms (Discord: closed DMs; elsewhere: a blocked bot)."""
    return DMS_CLOSED if platform is Platform.DISCORD else BLOCKED_BEFORE


def say(text: str) -> Reply:
    """A one-line answer."""
    return Reply(text=(line(text),))


def error_text(message: str) -> str:
    """A domain error as shown to the user."""
    return f"⚠ {message}"


def unknown_command(name: str) -> Reply:
    return say(f"I don't know /{clip_for_echo(name, 32)}. Send /help for the list.")


def not_a_command(word: str) -> Reply:
    return say(f"I don't know the command “{clip_for_echo(word, 40)}”. Send /help for the list.")


def usage(usage_line: str) -> Reply:
    return say(f"Usage: {usage_line}")
