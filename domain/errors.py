"""Errors the domain raises, each carrying a message that is safe to show a user.

Adapters translate these in one place each; anything that is not a DomainError
is a bug and is answered with a short apology instead.
"""

from __future__ import annotations


class DomainError(Exception):
    """A problem the user can fix or should know about; `message` is user-safe."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """The movie (or other thing) the user named does not exist."""


class InvalidInput(DomainError):
    """The user's arguments cannot be understood; the message says what is expected."""


class InvalidRating(InvalidInput):
    """Stars outside 1–5, or not a number."""


class ReviewTooLong(InvalidInput):
    """A review over the length limit."""


class StaleAction(DomainError):
    """A button payload that is forged, garbled, expired or from an older version."""

    def __init__(self, message: str = "This button has expired. Run the command again.") -> None:
        super().__init__(message)


class Forbidden(DomainError):
    """The requester may not do this (an admin-only command, someone else's screen)."""
