"""Conversation state in Redis: history, per-conversation flags, event dedupe, counters, usage.

Every key starts with the configured prefix, so several bots (or a test) can share one server.

A message is one load and one commit (`Store.load`, `UnitOfWork`): what deciding needs is read
in one round trip (one script on a server, a pipeline on a cluster), and the writes it makes are
queued and committed together when it ends. Outside a message (a resolve from the CLI, a
reminder) each write is sent at once.

The same keys serve a single Redis server and a Redis Cluster (REDIS_CLUSTER). A conversation's
keys (history, state, usage, its events' dedupe marks, the desk-thread mapping) carry the hash
tag `{<conversation>}`, so they share one slot and every step that must be atomic about a
conversation stays one step on a cluster too. Writes that span slots (running counters, a
person's index, ticket lists) are idempotent or tolerant follow-ups: on one server they ride in
the same script as the rest; on a cluster they are pipelined after the one-slot scripts
(`send`). See docs/scaling.md.
"""

from __future__ import annotations

import enum
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import KW_ONLY, dataclass, field
from functools import cache, lru_cache
from typing import TypeVar, cast, overload

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.cluster import RedisCluster
from redis.exceptions import WatchError

from bot.core.models import ConversationKey, Turn
from bot.core.state import ConversationState, Counted, StateField, StateValue, state_fields
from bot.state.limits import channel_scope

T = TypeVar("T")
# Per-day counters (what the dashboard charts) outlive its longest view, 30 days, with margin.
_DAY_SECONDS = 24 * 3600
DAILY_TTL_SECONDS = 40 * _DAY_SECONDS
# The field of a day's usage hash that holds one channel's LLM cost: `cost_usd@<channel scope>`.
COST_FIELD = "cost_usd"


def on_cluster(redis: Redis) -> bool:
    """Whether `redis` is a Redis Cluster client (the composition root builds one when
    REDIS_CLUSTER is set): transactions must then stay within one hash slot."""
    return isinstance(redis, RedisCluster)


def tag(key: ConversationKey) -> str:
    """The hash tag of a conversation's keys: a cluster keeps them in one slot."""
    return "{" + key.redis_key + "}"


Write = Callable[[Pipeline], object]
# A queued write and the hash tag all its keys share, or None when they span slots.
Tagged = tuple[str | None, Write]


async def send(redis: Redis, writes: Iterable[Tagged]) -> None:
    """Send queued writes. On one server: one atomic script running them all. On a cluster: one
    atomic script per hash tag (each within a slot), then the writes that span slots, pipelined
    and not atomic (each is an idempotent or tolerant follow-up: counters, indexes, lists)."""
    writes = list(writes)
    if not writes:
        return
    if not on_cluster(redis):
        await _apply(redis, [queue for _, queue in writes])
        return
    for slot in dict.fromkeys(slot for slot, _ in writes if slot is not None):
        await _apply(redis, [queue for same, queue in writes if same == slot], in_slot=True)
    spread = [queue for slot, queue in writes if slot is None]
    if spread:
        async with redis.pipeline(transaction=False) as pipe:
            for queue in spread:
                queue(pipe)
            await pipe.execute()


# Run the commands in ARGV[1], a JSON list of each command's words, in order, in one step. Like
# EXEC, a command that fails does not stop the others; the first failure is then raised.
_APPLY = """
local failed = nil
for _, command in ipairs(cjson.decode(ARGV[1])) do
  local reply = redis.pcall(unpack(command))
  if type(reply) == 'table' and reply.err and not failed then failed = reply.err end
end
if failed then return redis.error_reply(failed) end
return 1
"""
# Commands a script cannot run: writes holding one go in a MULTI instead.
_SCRIPTS = frozenset({"EVAL", "EVALSHA"})
# Lua's unpack stops short of 8,000 values: a longer command goes in a MULTI.
_MAX_SCRIPT_ARGS = 7_000


@cache
def _recording_client() -> Redis:
    """A client that never connects: its pipelines only record commands (built once, not per
    commit)."""
    return Redis()


async def _apply(redis: Redis, writes: list[Write], *, in_slot: bool = False) -> None:
    """Run writes atomically as one script: one command to send and one reply to read, where a
    MULTI sends each command and reads a reply for each (a third of the CPU, measured with a
    message's twenty-odd writes). The writes are recorded on a single-server pipeline that is
    never sent. On one server, writes that hold a script themselves (a script cannot run one) or
    a command too long for Lua's unpack go in a MULTI instead.

    `in_slot`: the writes' keys share one slot of a cluster, and the script runs on its master
    (redis-py's cluster transactions check each queued command's slot on a thread of their own,
    about 5 ms of CPU more per message, bench/cluster.py)."""
    recorder = _recording_client().pipeline(transaction=False)
    for queue in writes:
        queue(recorder)
    commands = [args for args, _ in recorder.command_stack]
    if not commands:
        return
    scripted = any(str(args[0]).upper() in _SCRIPTS for args in commands)
    if in_slot and scripted:
        raise ValueError("a write within a conversation's slot cannot hold a script")
    words = [[_word(arg) for arg in args] for args in commands]
    if scripted or any(len(args) > _MAX_SCRIPT_ARGS or None in args for args in words):
        async with redis.pipeline(transaction=True) as pipe:
            for queue in writes:
                queue(pipe)
            await pipe.execute()
        return
    # On a cluster the first key names the slot; every command here names a key first.
    keys = [commands[0][1]] if in_slot else []
    # One JSON argument, not one per word: redis-py encodes each argument in Python, a fifth of
    # a message's commit.
    packed = json.dumps(words, ensure_ascii=False)
    await redis.eval(_APPLY, len(keys), *keys, packed)


def _word(arg: object) -> str | None:
    """A command's argument as the text Redis receives (redis-py's own encoding of numbers);
    None for anything else (bytes, which JSON cannot carry): the writes then go in a MULTI."""
    if type(arg) is str:  # most of a commit's words, each read once
        return arg
    if isinstance(arg, str):
        return str.__str__(arg)  # an enum's value, not its name
    if isinstance(arg, bool):
        return None  # refused by redis-py, which the MULTI then reports
    if isinstance(arg, int):
        return int.__repr__(arg)
    if isinstance(arg, float):
        return float.__repr__(arg)
    return None


async def update_watched(
    redis: Redis,
    name: str,
    write: Callable[[str | None, Pipeline], T],
    after: Callable[[T, Pipeline], object] | None = None,
) -> T:
    """Read `name`, let `write` queue the new state on the transaction, and commit; start over
    when another process changed `name` in between, so concurrent updates never interleave.

    `write` gets the current value (None when missing) and may raise to refuse the change; its
    writes must stay in `name`'s slot. `after` queues the writes the result implies elsewhere
    (lists, indexes): in the same transaction on one server, pipelined once it committed on a
    cluster."""
    cluster = on_cluster(redis)
    async with redis.pipeline(transaction=True) as pipe:
        while True:
            try:
                await pipe.watch(name)
                raw = await pipe.get(name)
                pipe.multi()  # type: ignore[no-untyped-call]
                result = write(None if raw is None else text(raw), pipe)
                if after is not None and not cluster:
                    after(result, pipe)
                await pipe.execute()
                break
            except WatchError:
                continue
    if after is not None and cluster:
        await send(redis, [(None, lambda later: after(result, later))])
    return result


def text(value: bytes | str) -> str:
    """Redis values as text (clients are built with decode_responses, so this is for typing)."""
    return value.decode() if isinstance(value, bytes) else value


# The member of a person's index (bot/state/user_index.py) that says the bot has met them.
SEEN = "seen"


@dataclass
class LoadedHistory:
    """A conversation's history as loaded, and the turns this message added."""

    stored: list[str]
    added: list[Turn] = field(default_factory=list)


class Turns(Sequence[Turn]):
    """Turns parsed only when read, each once: most extractive answers never look back, and
    those that do look at the last few."""

    def __init__(self, stored: list[str], added: list[Turn], limit: int) -> None:
        # As stored when this message added nothing; capped as the commit will cap it if it did.
        items: list[str | Turn] = [*stored, *added]
        self._items = items[-limit:] if added else items

    def _at(self, position: int) -> Turn:
        item = self._items[position]
        if isinstance(item, Turn):
            return item
        turn = self._items[position] = _turn(item)
        return turn

    @overload
    def __getitem__(self, index: int) -> Turn: ...
    @overload
    def __getitem__(self, index: slice) -> list[Turn]: ...
    def __getitem__(self, index: int | slice) -> Turn | list[Turn]:
        if isinstance(index, slice):
            return [self._at(n) for n in range(*index.indices(len(self._items)))]
        return self._at(index)

    def __len__(self) -> int:
        return len(self._items)


def _turn(stored: bytes | str) -> Turn:
    return Turn(**json.loads(stored))


@dataclass
class UnitOfWork:
    """One message's reads (the conversations it loaded) and its queued writes."""

    states: dict[ConversationKey, dict[str, str]] = field(default_factory=dict)
    histories: dict[ConversationKey, LoadedHistory] = field(default_factory=dict)
    # Whether each (platform, user id) was met before, for the first-contact notice.
    seen: dict[tuple[str, str], bool] = field(default_factory=dict)
    writes: list[Tagged] = field(default_factory=list)
    # Set once the message is decided: a task it started (which inherits the unit with its
    # context) then reads and writes Redis directly instead of queueing on a spent commit.
    closed: bool = False

    async def commit(self, redis: Redis) -> None:
        """One script on one server; on a cluster one script per conversation, then the
        follow-ups."""
        await send(redis, self.writes)


_unit: ContextVar[UnitOfWork | None] = ContextVar("unit_of_work", default=None)


def begin_unit() -> tuple[UnitOfWork, object]:
    """Start queueing this task's writes; `end_unit(token)` stops (the caller commits)."""
    unit = UnitOfWork()
    return unit, _unit.set(unit)


def end_unit(token: object) -> None:
    _unit.reset(token)  # type: ignore[arg-type]


def current_unit() -> UnitOfWork | None:
    """The unit of the message being decided, if any."""
    unit = _unit.get()
    return unit if unit is not None and not unit.closed else None


async def write(
    redis: Redis, queue: Write, *, deferred: bool = True, slot: str | None = None
) -> None:
    """Queue `queue`'s commands on the current message's commit, or send them now outside one
    (or when `deferred` is False: a write about a conversation the message did not load, which
    a later read must see). `slot`: the hash tag all their keys share, None if they span slots
    (see `send`)."""
    unit = current_unit()
    if unit is not None and deferred:
        unit.writes.append((slot, queue))
        return
    await send(redis, [(slot, queue)])


@dataclass(frozen=True)
class Loaded:
    """What one message's decision starts from, read in one round trip."""

    desk_ticket: str | None  # the ticket whose desk thread the message is in
    addressed: bool  # to the bot, in a conversation it is part of, or in a desk thread
    first_delivery: bool  # False for a redelivered or replayed event
    new_customer: bool = False  # this message's writer became the conversation's customer


# The desk ticket whose thread the message is in (or ""), and whether the message concerns the
# bot (that desk thread, or an allowed place where it is addressed or already part of the
# conversation) and, if so, whether this is its first delivery (1, 0; -1: not addressed): the
# event's mark is this handling's token (ARGV[5]), so the same load run again finds its own. One
# step, so that chatter the bot is not part of costs no dedupe key. A first delivery outside a
# desk thread also settles the conversation's customer (`Store.participant`) in its state
# (KEYS[4]): the first to write to the bot there, ARGV[6], kept ARGV[7] seconds; the third value
# says whether this message did (the person's index must then name the conversation). A first
# delivery also returns what deciding reads: the state (KEYS[4], as name, value, ...) and the
# history (KEYS[3]), in the same step. On one server the script also reads whether the writer
# was met before (the person's index, KEYS[5]): read beside the script in a pipeline, as on a
# cluster, where the index lies in another slot, it costs 25-35 µs more CPU per message.
_DELIVERY = """
local seen = 0
if KEYS[5] then seen = redis.call('SISMEMBER', KEYS[5], ARGV[8]) end
local desk = redis.call('GET', KEYS[2]) or ''
local addressed = desk ~= ''
    or (ARGV[1] == '1' and (ARGV[2] == '1' or redis.call('EXISTS', KEYS[3]) == 1))
if not addressed then return {-1, desk, 0, {}, {}, seen} end
if ARGV[4] == '' or redis.call('SET', KEYS[1], ARGV[5], 'NX', 'EX', ARGV[3])
    or redis.call('GET', KEYS[1]) == ARGV[5] then
  local settled = 0
  if desk == '' and redis.call('HSETNX', KEYS[4], 'customer', ARGV[6]) == 1 then
    redis.call('EXPIRE', KEYS[4], ARGV[7])
    settled = 1
  end
  return {1, desk, settled, redis.call('HGETALL', KEYS[4]), redis.call('LRANGE', KEYS[3], 0, -1),
    seen}
end
return {0, desk, 0, {}, {}, seen}
"""


class Forgotten(enum.Enum):
    """What erasing a person did to one conversation."""

    NOTHING = "nothing"
    WHOLE = "whole"  # nobody else wrote there: history, state and usage deleted
    THEIR_WORDS = "their words"  # shared: their turns (and the bot's replies to them) removed


def kept_without(lines: Iterable[tuple[str, str]], user_id: str) -> list[bool]:
    """Which (role, author) lines stay when `user_id` is erased: not theirs, and not the bot's
    replies to them (a reply may repeat what they said)."""
    kept: list[bool] = []
    after_them = False
    for role, author in lines:
        after_them = author == user_id or (after_them and role == "bot")
        kept.append(not after_them)
    return kept


@dataclass
class Store:
    redis: Redis
    prefix: str
    _: KW_ONLY
    history_ttl: int  # seconds a conversation (history and state) is kept after its last change
    max_turns: int
    dedupe_ttl: int
    clock: Callable[[], float] = time.time

    def key(self, *parts: str) -> str:
        return ":".join([self.prefix, *parts])

    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    async def load(
        self,
        key: ConversationKey,
        *,
        desk_name: str,
        seen_name: str,
        user_id: str,
        event_id: str,
        allowed: bool,
        called: bool,
    ) -> Loaded:
        """Read what handling a message needs in one round trip into the current unit of work:
        the desk thread it may be in, whether it is addressed and new, the conversation's state
        and history, and whether its writer was met before. `allowed`: in a place the bot may
        answer; `called`: a DM or a mention."""
        unit = _unit.get()
        cluster = on_cluster(self.redis)
        keys = [
            self.key("dedupe", tag(key), event_id),
            desk_name,
            self._hist(key),
            self.state_name(key),
        ]
        if not cluster:
            keys.append(seen_name)
        arguments: list[str | int] = [
            int(allowed),
            int(called),
            self.dedupe_ttl,
            event_id,
            # This handling's own mark: the client may run the load again after a dropped
            # connection (a cluster failing over), and it must not take itself for a redelivery.
            os.urandom(16).hex(),
            user_id,
            self.history_ttl,
            SEEN,
        ]
        if cluster:
            async with self.redis.pipeline(transaction=False) as pipe:
                # EVAL, not a registered script: in a pipeline, redis-py would first ask whether
                # the script is loaded, a round trip of its own.
                pipe.eval(_DELIVERY, len(keys), *keys, *arguments)
                pipe.sismember(seen_name, SEEN)
                (delivery, desk, settled, state, history, _), seen = await pipe.execute()
        else:
            loaded = await self.redis.eval(_DELIVERY, len(keys), *keys, *arguments)
            delivery, desk, settled, state, history, seen = loaded
        if unit is not None:
            unit.states[key] = {
                text(name): text(value) for name, value in zip(state[::2], state[1::2], strict=True)
            }
            unit.histories[key] = LoadedHistory(history)
            unit.seen[(key.platform, user_id)] = bool(seen)
        return Loaded(
            desk_ticket=text(desk) or None,
            addressed=int(delivery) >= 0,
            first_delivery=int(delivery) == 1,
            new_customer=int(settled) == 1,
        )

    def _hist(self, key: ConversationKey) -> str:
        return self.key("hist", tag(key))

    def _loaded(self, key: ConversationKey) -> UnitOfWork | None:
        """The current unit of work if it loaded this conversation: its reads and writes then go
        through the unit."""
        unit = current_unit()
        return unit if unit is not None and key in unit.states else None

    async def history(self, key: ConversationKey) -> Sequence[Turn]:
        unit = self._loaded(key)
        if unit is not None:
            loaded = unit.histories[key]
            return Turns(loaded.stored, list(loaded.added), self.max_turns)
        raw = await self.redis.lrange(self._hist(key), 0, -1)
        return [_turn(item) for item in raw]

    async def append(self, key: ConversationKey, *turns: tuple[str, str, str]) -> None:
        """Add (role, text, author) turns; see `Turn.author`."""
        name = self._hist(key)
        now = self.clock()
        added = [Turn(role, said, now, author) for role, said, author in turns]

        def queue(pipe: Pipeline) -> None:
            for turn in added:
                pipe.rpush(name, _dump(turn))
            pipe.ltrim(name, -self.max_turns, -1)
            pipe.expire(name, self.history_ttl)

        unit = self._loaded(key)
        if unit is not None:
            unit.histories[key].added.extend(added)
        await write(self.redis, queue, deferred=unit is not None, slot=tag(key))

    def state_name(self, key: ConversationKey) -> str:
        """The Redis hash of a conversation's state, for transactions that watch it."""
        return self.key("conv", tag(key))

    async def state(self, key: ConversationKey) -> ConversationState:
        unit = self._loaded(key)
        if unit is not None:
            return ConversationState.read(unit.states[key])
        raw = await self.redis.hgetall(self.state_name(key))
        return ConversationState.read({text(name): text(value) for name, value in raw.items()})

    async def set_state(
        self, key: ConversationKey, changes: Mapping[StateField, StateValue]
    ) -> None:
        name = self.state_name(key)
        mapping = state_fields(changes)

        def queue(pipe: Pipeline) -> None:
            pipe.hset(name, mapping=mapping)  # type: ignore[arg-type]
            pipe.expire(name, self.history_ttl)

        unit = self._loaded(key)
        if unit is not None:
            unit.states[key].update(mapping)
        await write(self.redis, queue, deferred=unit is not None, slot=tag(key))

    async def clear_state(
        self, key: ConversationKey, *fields: StateField, at_once: bool = False
    ) -> None:
        """`at_once`: repair a flag that a transaction later in this message reads from Redis."""
        name = self.state_name(key)
        unit = self._loaded(key)
        if unit is not None:
            for gone in fields:
                unit.states[key].pop(gone, None)
        deferred = unit is not None and not at_once
        await write(
            self.redis, lambda pipe: pipe.hdel(name, *fields), deferred=deferred, slot=tag(key)
        )

    async def bump_state(self, key: ConversationKey, field: Counted) -> int:
        """Count one more (a miss, a "not helpful") at once: two messages arriving together must
        see 1 and 2, not 1 twice."""
        name = self.state_name(key)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hincrby(name, field, 1)
            pipe.expire(name, self.history_ttl)
            count, _ = await pipe.execute()
        unit = self._loaded(key)
        if unit is not None:
            unit.states[key][field.value] = str(count)
        return int(count)

    async def participant(self, key: ConversationKey, user_id: str) -> str:
        """The role of `user_id` here: "customer" for whoever spoke first, else "other". The first
        speaker is settled in Redis at once (by the load of a conversation's first message, or
        here), so two people starting a thread together cannot both be its customer."""
        unit = self._loaded(key)
        known = unit.states[key].get(StateField.CUSTOMER) if unit is not None else None
        if known is None:
            name = self.state_name(key)
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hsetnx(name, StateField.CUSTOMER, user_id)
                pipe.hget(name, StateField.CUSTOMER)
                pipe.expire(name, self.history_ttl)
                _, first, _ = await pipe.execute()
            known = user_id if first is None else text(first)
            if unit is not None:
                unit.states[key][StateField.CUSTOMER] = known
        return "customer" if known == user_id else "other"

    async def forget_person(self, key: ConversationKey, user_id: str) -> Forgotten:
        """Erase one person from a conversation: all of it when nobody else wrote there, else
        only their turns and the bot's replies to them, so the others' history, state and open
        ticket stay linked."""
        if not on_cluster(self.redis):
            # Names from before cluster support (bot/state/upgrade.py), left to expire after an
            # upgrade: erased whole, whoever else wrote there.
            await self.redis.delete(
                *(self.key(kind, key.redis_key) for kind in ("hist", "conv", "usage"))
            )
        hist, conv = self._hist(key), self.state_name(key)
        async with self.redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(hist, conv)
                    turns = [_turn(item) for item in await pipe.lrange(hist, 0, -1)]
                    first = await pipe.hget(conv, StateField.CUSTOMER)
                    ttl = await pipe.pttl(hist)
                    customer = None if first is None else text(first)
                    people = {turn.author for turn in turns} | {customer or ""}
                    if not people - {"", user_id}:
                        pipe.multi()  # type: ignore[no-untyped-call]
                        pipe.delete(hist, conv, self.usage_name(key))
                        (deleted,) = await pipe.execute()
                        return Forgotten.WHOLE if deleted else Forgotten.NOTHING
                    kept = kept_without(((t.role, t.author) for t in turns), user_id)
                    if all(kept) and customer != user_id:
                        return Forgotten.NOTHING
                    pipe.multi()  # type: ignore[no-untyped-call]
                    if customer == user_id:
                        # Whoever speaks next becomes the conversation's customer.
                        pipe.hdel(conv, StateField.CUSTOMER)
                    # The question last answered may be theirs, in their words.
                    pipe.hdel(conv, StateField.ANSWERED)
                    pipe.delete(hist)
                    remaining = [
                        _dump(turn) for turn, keep in zip(turns, kept, strict=True) if keep
                    ]
                    if remaining:
                        pipe.rpush(hist, *remaining)
                        pipe.pexpire(hist, ttl if ttl > 0 else self.history_ttl * 1000)
                    await pipe.execute()
                    return Forgotten.THEIR_WORDS
                except WatchError:
                    continue

    def day_name(self, at: float) -> str:
        """The hash of one UTC day's counters and LLM cost."""
        return self.key("daily", _utc_date(int(at // _DAY_SECONDS)))

    async def count(self, name: str, amount: int = 1) -> None:
        """Count an event in the running totals and in today's counters, in one queued write."""
        counters, day = self.key("counters"), self.day_name(self.clock())

        def queue(pipe: Pipeline) -> None:
            pipe.hincrby(counters, name, amount)
            pipe.hincrby(day, name, amount)
            pipe.expire(day, DAILY_TTL_SECONDS)

        await write(self.redis, queue)

    async def counters(self) -> dict[str, int]:
        raw = await self.redis.hgetall(self.key("counters"))
        return {text(name): int(value) for name, value in raw.items()}

    async def count_answered(self, entry_ids: Iterable[str]) -> None:
        """One more answer resting on each of these FAQ entries (the most-asked list)."""
        ids = list(entry_ids)
        answered = self.key("answered_entries")
        if ids:
            await write(
                self.redis,
                lambda pipe: [pipe.zincrby(answered, 1, entry_id) for entry_id in ids],
            )

    async def most_answered(self, limit: int) -> list[str]:
        """FAQ entry ids, the most answered first (ids of removed entries included)."""
        raw = await self.redis.zrevrange(self.key("answered_entries"), 0, limit - 1)
        return [text(entry_id) for entry_id in cast("list[str]", raw)]

    async def add_usage(self, key: ConversationKey, usage: Mapping[str, float]) -> None:
        day = self.day_name(self.clock())
        cost = usage.get(COST_FIELD, 0.0)

        def queue(pipe: Pipeline) -> None:
            for scope in (self.key("usage", "total"), self.usage_name(key)):
                for name, value in usage.items():
                    pipe.hincrbyfloat(scope, name, value)
            pipe.expire(self.usage_name(key), self.history_ttl)
            if cost:
                pipe.hincrbyfloat(day, COST_FIELD, cost)
                pipe.hincrbyfloat(day, f"{COST_FIELD}@{channel_scope(key)}", cost)
                pipe.expire(day, DAILY_TTL_SECONDS)

        await write(self.redis, queue)

    async def days(self, count: int, now: float) -> list[tuple[str, dict[str, float]]]:
        """The last `count` UTC days up to `now`'s, oldest first: (date, counters and costs)."""
        starts = [now - n * 24 * 3600 for n in reversed(range(count))]
        async with self.redis.pipeline(transaction=False) as pipe:
            for at in starts:
                pipe.hgetall(self.day_name(at))
            raws = await pipe.execute()
        return [
            (
                time.strftime("%Y-%m-%d", time.gmtime(at)),
                {text(name): float(value) for name, value in raw.items()},
            )
            for at, raw in zip(starts, raws, strict=True)
        ]

    def usage_name(self, key: ConversationKey) -> str:
        return self.key("usage", tag(key))

    async def usage(self, key: ConversationKey | None = None) -> dict[str, float]:
        scope = self.usage_name(key) if key else self.key("usage", "total")
        raw = await self.redis.hgetall(scope)
        return {text(name): float(value) for name, value in raw.items()}


@lru_cache(maxsize=8)
def _utc_date(day: int) -> str:
    """Day `day` since the epoch as YYYY-MM-DD (each message counts twice on today's)."""
    return time.strftime("%Y-%m-%d", time.gmtime(day * _DAY_SECONDS))


def _dump(turn: Turn) -> str:
    return json.dumps(vars(turn))  # asdict copies each value deeply: four times slower
