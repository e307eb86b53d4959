"""Groups (commands addressed to the bot, buttons act for the presser) and inline mode."""

from __future__ import annotations

from bot.services import Requester
from domain.models import Platform
from tests.driver import Driver
from tests.e2e.telegram.fake_bot_api import FakeBotApi
from tests.e2e.telegram.harness import Harness, TgUser

ALICE = Requester(Platform.TELEGRAM, "1001", "Alice Liddell")
BOB = Requester(Platform.TELEGRAM, "2002", "Bob")
GROUP = -100777


async def test_group_commands_addressed_to_the_bot_and_buttons_act_for_the_presser(
    tg: Harness, alice_tg: TgUser, bob_tg: TgUser, fake: FakeBotApi, movie_bot: Driver
) -> None:
    fake.chat(GROUP, "supergroup", "Film club")
    results = await bob_tg.say("/search@moviebot_test_bot matrix", chat_id=GROUP)
    assert "1. The Matrix (1999)" in results.shown
    assert fake.calls_to("sendMessage")[-1].params["reply_parameters"]["message_id"], (
        "answers quote the asker in groups"
    )

    await bob_tg.say("/fav@some_other_bot Heat 1995", chat_id=GROUP)
    await bob_tg.say("what a film", chat_id=GROUP)
    assert fake.last(GROUP).message_id == results.message_id, "commands for other bots and chatter are not ours"

    await alice_tg.press(results, "1. ")
    card = fake.last(GROUP)
    answer = await alice_tg.press(card, "❤ Favorite")
    assert answer["text"] == "❤ Added to your favorites."
    alice_favs, bob_favs = await movie_bot.favorites(ALICE), await movie_bot.favorites(BOB)
    assert "(1)" in str(alice_favs.text[0])
    assert "(0)" in str(bob_favs.text[0])


async def test_inline_mode_lists_personal_cards_and_buttons_on_the_sent_card_work(
    tg: Harness, alice_tg: TgUser, bob_tg: TgUser, fake: FakeBotApi, movie_bot: Driver
) -> None:
    query_id, answer = await alice_tg.inline("matrix")
    assert answer["is_personal"] in (True, "true")
    assert 0 < int(answer["cache_time"]) <= 60
    titles = [r["title"] for r in answer["results"]]
    assert titles[0] == "The Matrix (1999)"
    first = answer["results"][0]
    assert first["type"] == "article"
    assert first["input_message_content"]["parse_mode"] == "HTML"

    sent = fake.choose_inline_result(query_id, first["id"])
    assert sent.shown.startswith("🎬 The Matrix (1999)")
    inline_id = next(k for k, v in fake.inline_messages.items() if v is sent)
    toast = await bob_tg.press(sent, data=sent.button("❤ Favorite")["callback_data"], inline_message_id=inline_id)
    assert toast["text"] == "❤ Added to your favorites."
    assert "❤ favorite" not in fake.inline_messages[inline_id].shown, "the shared card shows public facts only"
    assert sent.button("❤ Favorite") is not None, "and buttons that reveal nothing about the presser"
    assert "(1)" in str((await movie_bot.favorites(BOB)).text[0])
    assert "(0)" in str((await movie_bot.favorites(ALICE)).text[0])


async def test_deep_link_start_opens_the_shared_card(tg: Harness, alice_tg: TgUser, fake: FakeBotApi) -> None:
    card = await alice_tg.say("/movie The Matrix 1999")
    share = card.button("🔗 Share")["url"]
    movie_id = share.rsplit("m_", 1)[1]
    assert share.startswith("https://t.me/share/url?url=https%3A%2F%2Ft.me%2Fmoviebot_test_bot%3Fstart%3Dm_")
    opened = await alice_tg.say(f"/start m_{movie_id}")
    assert opened.message_id != card.message_id
    assert opened.shown.startswith("🎬 The Matrix (1999)")


async def test_personal_screens_asked_for_in_a_group_arrive_privately(
    tg: Harness, alice_tg: TgUser, bob_tg: TgUser, fake: FakeBotApi
) -> None:
    fake.chat(GROUP, "supergroup", "Film club")
    await alice_tg.say("/fav the matrix 1999")  # in private: Alice has started the bot
    await alice_tg.say("/favorites@moviebot_test_bot", chat_id=GROUP)
    assert "📬 Sent to you privately." in fake.last(GROUP).shown
    assert "Your favorites (1)" in fake.last(alice_tg.id).shown
    assert "The Matrix" in fake.last(alice_tg.id).shown
    assert "The Matrix" not in fake.last(GROUP).shown

    fake.blocked.add(bob_tg.id)  # Bob never opened a private chat with the bot
    await bob_tg.say("/profile@moviebot_test_bot", chat_id=GROUP)
    pointer = fake.last(GROUP)
    assert "I can't message you yet" in pointer.shown
    assert "Favorites:" not in pointer.shown


async def test_a_group_card_never_shows_the_pressers_status_and_their_chatter_is_not_a_review(
    tg: Harness, alice_tg: TgUser, bob_tg: TgUser, fake: FakeBotApi, movie_bot: Driver
) -> None:
    fake.chat(GROUP, "supergroup", "Film club")
    card = await alice_tg.say("/movie@moviebot_test_bot The Matrix 1999", chat_id=GROUP)
    assert card.shown.startswith("🎬 The Matrix (1999)")
    answer = await bob_tg.press(card, "❤ Favorite")
    assert answer["text"] == "❤ Added to your favorites."  # the toast: Bob alone sees it
    shown = fake.last(GROUP)
    assert "❤ favorite" not in shown.shown
    assert shown.button("❤ Favorite") is not None
    await bob_tg.press(shown, "⭐ Rate")
    picker = fake.last(GROUP)
    rated = await bob_tg.press(picker, "★★★★")
    assert rated["text"] == "Rated ★★★★☆."
    edited = next(m for m in fake.bot_messages(GROUP) if m.message_id == picker.message_id)
    assert "you rated" not in edited.shown
    assert "★ 4.0/5 from 1 rating" in edited.shown
    await bob_tg.say("anyone up for a film tonight?", chat_id=GROUP)
    reviews = await movie_bot.reviews(BOB, "The Matrix 1999")
    assert "No written reviews yet" in "\n".join(str(line) for line in reviews.text)
    prompt = next(m for m in reversed(fake.bot_messages(GROUP)) if m.shown.startswith("✍ Reply to this message"))
    before = len(fake.bot_messages(GROUP))
    await alice_tg.say("I'd rather not", chat_id=GROUP, reply_to=prompt)  # Alice answering Bob's prompt
    assert len(fake.bot_messages(GROUP)) == before, "not her question: the bot stays quiet in the group"
    await bob_tg.say("Still great.", chat_id=GROUP, reply_to=prompt)
    reviews = await movie_bot.reviews(BOB, "The Matrix 1999")
    assert "Still great." in "\n".join(str(line) for line in reviews.text)
    assert "I'd rather not" not in "\n".join(str(line) for line in reviews.text)
