"""Upgrading from before Redis Cluster support: the renamed keys that matter are carried over."""

from __future__ import annotations

import json

from tests.conftest import MakeApp
from tests.people import Customer
from tests.test_conversation import RecordingDesk


async def test_an_open_ticket_and_the_faq_history_survive_the_upgrade(make_app: MakeApp) -> None:
    before = make_app()
    before.engine.set_desk(RecordingDesk())
    alice = Customer(before.engine)
    ticket = (await alice.say("I want to talk to a human")).ticket
    assert ticket is not None
    # What the previous version left: its own names for the FAQ's versions and history, and
    # none of the new names for the conversation and its desk thread.
    prefix = before.settings.REDIS_PREFIX
    published = {"version": "abc123", "action": "reload", "who": "slack:U1", "when": 1.0}
    await before.redis.zadd(f"{prefix}:faq:versions", {"abc123": 1.0})
    await before.redis.rpush(f"{prefix}:faq:history", json.dumps(published))
    stored = await before.tickets.get(ticket.id)
    assert stored.desk_ref is not None
    await before.redis.delete(
        before.store.state_name(alice.key), before.tickets.desk_name(stored.desk_ref.key)
    )
    old_state = f"{prefix}:conv:{alice.key.redis_key}"
    await before.redis.hset(old_state, mapping={"ticket": ticket.id, "customer": alice.user_id})

    upgraded = make_app()
    desk = RecordingDesk()
    upgraded.engine.set_desk(desk)
    await upgraded.start(follow=False)

    # Alice's words still go to the agents, and the card's thread still finds her ticket.
    again = Customer(upgraded.engine, key=alice.key)
    assert (await again.say("any news?")).is_empty
    assert desk.customer_messages == [(ticket.id, "any news?")]
    assert await upgraded.redis.get(upgraded.tickets.desk_name(stored.desk_ref.key)) == ticket.id
    history = await upgraded.publisher.versions.history()
    assert [(p.version, p.action) for p in history][-1] == ("abc123", "reload")
    assert "abc123" in await upgraded.publisher.versions.resolve("abc")
    assert not await upgraded.redis.exists(f"{prefix}:faq:versions", f"{prefix}:faq:history")
    # The conversation's customer came along with its mark.
    assert await upgraded.redis.hget(upgraded.store.state_name(alice.key), "customer") == (
        alice.user_id
    )


async def test_erasing_a_person_after_the_upgrade_also_removes_their_old_named_history(
    make_app: MakeApp,
) -> None:
    app = make_app()
    alice = Customer(app.engine)
    await alice.say("how do I reset my password")
    # What the previous version left for the same conversation, to expire with its TTL.
    prefix, old = app.settings.REDIS_PREFIX, alice.key.redis_key
    turn = {"role": "customer", "text": "my card is 4111 1111 1111 1111", "author": alice.user_id}
    await app.redis.rpush(f"{prefix}:hist:{old}", json.dumps(turn))
    await app.redis.hset(f"{prefix}:conv:{old}", "customer", alice.user_id)
    await app.privacy.erase(alice.user_id, alice.key.platform)
    assert not await app.redis.exists(f"{prefix}:hist:{old}", f"{prefix}:conv:{old}")


async def test_a_conversation_whose_old_mark_expired_is_not_tied_to_its_old_ticket_again(
    make_app: MakeApp,
) -> None:
    before = make_app()
    alice = Customer(before.engine)
    ticket = (await alice.say("I want to talk to a human")).ticket
    assert ticket is not None
    prefix = before.settings.REDIS_PREFIX
    await before.redis.zadd(f"{prefix}:faq:versions", {"abc123": 1.0})
    # The old version's mark for this conversation had expired; the new name never existed.
    await before.redis.delete(before.store.state_name(alice.key))

    upgraded = make_app()
    await upgraded.start(follow=False)
    assert await upgraded.redis.hget(upgraded.store.state_name(alice.key), "ticket") is None
