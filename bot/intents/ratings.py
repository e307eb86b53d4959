"""Stars and reviews: /rate, the star picker, /review, the review prompt, /reviews."""

from __future__ import annotations

from dataclasses import replace

from bot import screens
from bot.actions import MovieAction, MovieOp, RateAction, ReviewsPage
from bot.reply import Awaiting, Reply, italic, line
from bot.resolve import resolve
from bot.services import Requester, Services, card, movie_by_id, user_of, write
from domain.errors import InvalidInput, ReviewTooLong
from domain.models import MAX_REVIEW_LENGTH, ChangeOutcome
from domain.ports import UnitOfWork
from domain.query import parse_stars, split_rate_args
from domain.text import clean_user_text

REVIEW_USAGE = "Write it as /review <movie> | <your review>, e.g. /review heat 1995 | tense and beautiful."


async def rate(s: Services, who: Requester, text: str) -> Reply:
    """/rate <movie> <1-5>: rate; without stars, show the card with a star picker."""
    title, star_text = split_rate_args(text)
    given = parse_stars(star_text) if star_text is not None else None
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        found = await resolve(
            s, uow, title, lambda m: RateAction(m.id, given) if given else MovieAction(MovieOp.RATE_PICKER, m.id)
        )
        if isinstance(found, Reply):
            return found
        if given is None:
            return await card(s, uow, user, found, picker=True, note="How many stars?")
    return await rate_movie(s, who, found.id, given)


async def picker(s: Services, who: Requester, movie_id: int) -> Reply:
    """The ⭐ Rate button: the card again, with the stars to choose from."""
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        return await card(
            s, uow, user, await movie_by_id(uow, movie_id), edit=True, picker=True, toast="How many stars?"
        )


async def rate_movie(s: Services, who: Requester, movie_id: int, stars: int, *, edit: bool = False) -> Reply:
    """Rate a movie by id (button, picker, Discord option), then offer a review."""
    parse_stars(str(stars))
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        movie = await movie_by_id(uow, movie_id)
        now = s.now()
        outcome = await write(s, uow, lambda w: w.library.rate(user.id, movie.id, stars, now))
        message = (
            f"Rated {screens.stars(stars)}."
            if outcome is ChangeOutcome.DONE
            else f"You already rated it {screens.stars(stars)}."
        )
        shown = await card(
            s, uow, user, movie, edit=edit, toast=message, note=None if edit else f"{message} {movie.label}"
        )
    follow = f"Add a short review? Reply with your text, or /review {movie.label} | your text"
    return replace(shown, awaiting=Awaiting.REVIEW, awaiting_movie=movie.id, text=(*shown.text, line(italic(follow))))


async def review(s: Services, who: Requester, text: str) -> Reply:
    """/review <movie> | <text>: add a short review to your rating."""
    title, sep, body = text.partition("|")
    if not sep:
        raise InvalidInput(REVIEW_USAGE)
    async with s.uow() as uow:
        await user_of(s, uow, who)
        found = await resolve(s, uow, title, lambda m: MovieAction(MovieOp.REVIEW_PROMPT, m.id))
    if isinstance(found, Reply):
        return found
    return await review_movie(s, who, found.id, body)


def checked_review(text: str) -> str:
    """The review as stored: control characters gone, not empty, at most MAX_REVIEW_LENGTH."""
    body = clean_user_text(text)
    if not body:
        raise InvalidInput("The review is empty: write a few words.")
    if len(body) > MAX_REVIEW_LENGTH:
        raise ReviewTooLong(f"Reviews are at most {MAX_REVIEW_LENGTH} characters; yours has {len(body)}.")
    return body


async def review_movie(
    s: Services, who: Requester, movie_id: int, text: str, *, prompt_chat: str | None = None
) -> Reply:
    """Attach a review (≤ 500 characters) to the user's rating of a movie.

    `prompt_chat`: the chat whose review prompt this answers; the prompt goes
    in the same transaction as the review is saved, so neither happens alone.
    """
    body = checked_review(text)
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        movie = await movie_by_id(uow, movie_id)
        now = s.now()

        async def save(w: UnitOfWork) -> bool:
            if prompt_chat is not None:
                await w.prompts.clear(user.id, prompt_chat)
            return await w.library.review(user.id, movie.id, body, now)

        if not await write(s, uow, save):
            raise InvalidInput(f"Rate it first (/rate {movie.label} 4), then add your review.")
        return await card(s, uow, user, movie, toast="Review saved.", note=f"✍ Review saved for {movie.label}.")


async def review_prompt(s: Services, who: Requester, movie_id: int) -> Reply:
    """Ask for the review text (Telegram ForceReply, Discord modal, console hint)."""
    async with s.uow() as uow:
        user = await user_of(s, uow, who)
        movie = await movie_by_id(uow, movie_id)
        status = await uow.library.status(user.id, movie.id)
    if status.stars is None:
        raise InvalidInput("Rate it first, then add your review.")
    hint = f"Send your review of {movie.label} (up to {MAX_REVIEW_LENGTH} characters), or /cancel."
    return Reply(text=(line(hint),), awaiting=Awaiting.REVIEW, awaiting_movie=movie.id, toast="Write your review")


async def reviews(s: Services, who: Requester, text: str) -> Reply:
    """/reviews <movie>: written reviews with the average rating."""
    async with s.uow() as uow:
        await user_of(s, uow, who)
        found = await resolve(s, uow, text, lambda m: ReviewsPage(m.id, 1))
    if isinstance(found, Reply):
        return found
    return await reviews_page(s, who, found.id, 1)


async def reviews_page(s: Services, who: Requester, movie_id: int, page: int, *, edit: bool = False) -> Reply:
    async with s.uow() as uow:
        await user_of(s, uow, who)
        movie = await movie_by_id(uow, movie_id)
        stats = await uow.library.rating_stats(movie.id)
        result = await uow.library.reviews(movie.id, page, s.page_size)
    return screens.reviews_reply(movie, stats, result, s.now(), edit)
