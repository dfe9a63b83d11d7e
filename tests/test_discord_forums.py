"""Support forums on Discord: the real discord.py client against the stand-in's forum channels."""

from __future__ import annotations

import functools

import discord
import pytest

from bot.core.models import ConversationKey
from tests.standins.discord_api import (
    FORUM,
    GENERAL,
    GUILD_ID,
    OTHER_FORUM,
    DiscordStandIn,
    Recorded,
)
from tests.test_discord import RESET, UNANSWERABLE, StartBot, start_bot, texts

__all__ = ["start_bot"]  # the fixture, shared with tests/test_discord.py


@pytest.fixture
def start_forum_bot(start_bot: StartBot) -> StartBot:
    """`start_bot` of tests/test_discord.py, watching FORUM."""
    return functools.partial(start_bot, DISCORD_FORUM_CHANNEL_IDS=FORUM)


def edits(standin: DiscordStandIn, channel_id: str) -> list[Recorded]:
    return standin.sent("PATCH", rf"/channels/{channel_id}")


async def test_a_forum_post_is_answered_without_a_mention_and_tagged_solved_after_helpful(
    discord_standin: DiscordStandIn, start_forum_bot: StartBot
) -> None:
    await start_forum_bot()
    post = await discord_standin.post_in_forum("Alice", "Password", RESET)
    answer = await discord_standin.wait_post(post, "nimbus.example/reset")
    assert answer.body["embeds"][0]["title"] == "Sources"
    assert not discord_standin.tags_of(post)

    # Someone else's thanks does not settle Alice's question.
    await discord_standin.click("Bob", answer.response, "faqbot:feedback:helpful")
    await discord_standin.wait_post(post, "Thanks for the feedback")
    await discord_standin.click("Alice", answer.response, "faqbot:feedback:helpful")
    await discord_standin.wait_for(lambda: discord_standin.tags_of(post), what="the Solved tag")
    assert discord_standin.tags_of(post) == ["Solved"]
    # The forum had no Solved tag: it was made first, then applied after the thanks.
    [made] = edits(discord_standin, FORUM)
    assert [t["name"] for t in made.body["available_tags"]] == ["Solved"]
    thanks = [r for r in discord_standin.posts(post) if "Thanks for the feedback" in texts(r)]
    [tagged] = edits(discord_standin, post)
    assert discord_standin.requests.index(thanks[-1]) < discord_standin.requests.index(tagged)
    assert not discord_standin.archived(post)  # DISCORD_ARCHIVE_SOLVED is off by default


async def test_a_follow_up_in_a_post_continues_the_conversation(
    discord_standin: DiscordStandIn, start_forum_bot: StartBot
) -> None:
    # A channel allow-list that does not name the forum does not silence it.
    await start_forum_bot(DISCORD_ALLOWED_CHANNEL_IDS=GENERAL)
    post = await discord_standin.post_in_forum("Alice", "Password", RESET)
    await discord_standin.wait_post(post, "nimbus.example/reset")
    before = len(discord_standin.requests)
    await discord_standin.say("Alice", "And how do I turn on two-factor authentication?", post)
    await discord_standin.wait_post(post, "Two-factor", after=before)


async def test_an_existing_solved_tag_is_reused_and_the_post_archived_when_asked(
    discord_standin: DiscordStandIn, start_forum_bot: StartBot
) -> None:
    discord_standin.forums[FORUM] = [
        {
            "id": "910000000000000001",
            "name": "Billing",
            "moderated": False,
            "emoji_id": None,
            "emoji_name": None,
        },
        {
            "id": "910000000000000002",
            "name": "solved",
            "moderated": False,
            "emoji_id": None,
            "emoji_name": "✅",
        },
    ]
    await start_forum_bot(DISCORD_ARCHIVE_SOLVED=True)
    post = await discord_standin.post_in_forum("Alice", "Password", RESET)
    answer = await discord_standin.wait_post(post, "nimbus.example/reset")
    await discord_standin.click("Alice", answer.response, "faqbot:feedback:helpful")
    await discord_standin.wait_for(lambda: discord_standin.archived(post), what="the archive")
    assert discord_standin.tags_of(post) == ["solved"]
    assert not edits(discord_standin, FORUM)  # no second Solved tag
    [edit] = edits(discord_standin, post)
    assert edit.body == {"archived": True, "applied_tags": ["910000000000000002"]}


async def test_a_resolved_ticket_tags_its_post_solved(
    discord_standin: DiscordStandIn, start_forum_bot: StartBot
) -> None:
    app, _ = await start_forum_bot()
    post = await discord_standin.post_in_forum("Alice", "Weather", UNANSWERABLE)
    offer = await discord_standin.wait_post(post, "couldn't find")
    await discord_standin.click("Alice", offer.response, "faqbot:human")
    await discord_standin.wait_post(post, "ticket")
    [ticket] = await app.tickets.list()
    assert not discord_standin.tags_of(post)

    await app.engine.resolve(ticket.id, "Agent Ann")
    await discord_standin.wait_post(post, "resolved")
    await discord_standin.wait_for(lambda: discord_standin.tags_of(post), what="the Solved tag")
    assert discord_standin.tags_of(post) == ["Solved"]


async def test_a_post_in_a_forum_not_listed_is_answered_only_when_mentioned(
    discord_standin: DiscordStandIn, start_forum_bot: StartBot
) -> None:
    await start_forum_bot()
    quiet = await discord_standin.post_in_forum("Bob", "Password", RESET, OTHER_FORUM)
    called = await discord_standin.post_in_forum(
        "Alice", "Password", RESET, OTHER_FORUM, mention_bot=True
    )
    answer = await discord_standin.wait_post(called, "nimbus.example/reset")
    assert not discord_standin.posts(quiet)
    # Helpful there thanks the customer; the post is not one the bot watches, so no tag.
    await discord_standin.click("Alice", answer.response, "faqbot:feedback:helpful")
    await discord_standin.wait_post(called, "Thanks for the feedback")
    assert not discord_standin.sent("PATCH", r"/channels/\d+")


async def test_the_stand_in_holds_tags_to_discords_limits(
    discord_standin: DiscordStandIn, start_forum_bot: StartBot
) -> None:
    _, adapter = await start_forum_bot()
    forum = adapter.client.get_channel(int(FORUM))
    post = await discord_standin.post_in_forum("Alice", "Password", RESET)
    await discord_standin.wait_post(post, "nimbus.example/reset")
    assert isinstance(forum, discord.ForumChannel)
    tags = [await forum.create_tag(name=f"tag {n}") for n in range(6)]
    for n in range(6, 20):
        await forum.create_tag(name=f"tag {n}")
    with pytest.raises(discord.HTTPException):
        await forum.create_tag(name="one too many")
    thread = await adapter.client.fetch_channel(int(post))
    assert isinstance(thread, discord.Thread)
    with pytest.raises(discord.HTTPException):
        await thread.edit(applied_tags=tags)  # six tags on one post
    with pytest.raises(discord.HTTPException):
        await thread.edit(applied_tags=[discord.Object(id=123456789012)])  # not the forum's


async def test_a_thread_the_bot_starts_is_named_from_the_question_without_personal_data(
    discord_standin: DiscordStandIn, start_forum_bot: StartBot
) -> None:
    await start_forum_bot()
    question = "I'm alice@example.com @everyone, how do I reset my password? I forgot it"
    message = await discord_standin.say("Alice", question, mention_bot=True)
    await discord_standin.wait_post(message["id"], "nimbus.example/reset")
    [started] = discord_standin.sent("POST", rf"/channels/{GENERAL}/messages/\d+/threads")
    name = started.body["name"]
    assert name.startswith("I'm ") and "reset my password" in name
    assert "alice@example.com" not in name and "@everyone" not in name and len(name) <= 60


async def test_a_posts_title_is_read_with_its_first_message(
    discord_standin: DiscordStandIn, start_forum_bot: StartBot
) -> None:
    app, _ = await start_forum_bot()
    title = "How do I turn on two-factor authentication?"
    post = await discord_standin.post_in_forum("Alice", title, "Is it available on my plan?")
    await discord_standin.wait_post(post, "Two-factor")
    [asked, _] = await app.store.history(ConversationKey("discord", GUILD_ID, post))
    assert asked.text == f"{title}\nIs it available on my plan?"
