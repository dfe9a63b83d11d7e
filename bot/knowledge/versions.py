"""FAQ versions in Redis, shared by every bot process and the CLI.

Keys, under the configured prefix:
- `faq:version:<id>`: a hash with `info` (who, when, count, changes, source) and `entries` (JSON
  records); the id is the content hash, so the same FAQ is one version however often published;
- `faq:{versions}`: a sorted set of version ids by last publication, to prune old ones;
- `faq:{versions}:history`: a list of publications (reload, rollback, first), newest first
  (both written in one transaction, so they share a cluster slot through the hash tag);
- `faq:live`: the live version's id. Publishing sets it and announces the id on the channel
  `<prefix>:faq:live`, which every process follows.

Entries are serialised, parsed and hashed in a worker thread: for a large FAQ that takes seconds,
which the event loop owes to the customers it is answering meanwhile.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import KW_ONLY, asdict, dataclass, field
from typing import Any, cast

from redis.asyncio import Redis

from bot.state.store import text
from faq.models import FaqEntry, FaqError, FaqLoadError
from faq.records import from_records, to_records
from faq.repository import Changes, content_version


@dataclass(frozen=True)
class VersionInfo:
    id: str
    count: int
    who: str
    when: float
    source: str
    # Against the version that was live when this one was first published.
    changes: Changes = field(default_factory=Changes)
    previous: str | None = None


@dataclass(frozen=True)
class Publication:
    version: str
    action: str  # "first", "reload" or "rollback"
    who: str
    when: float


@dataclass(eq=False)
class FaqVersions:
    redis: Redis
    prefix: str
    _: KW_ONLY
    keep: int

    def _key(self, *parts: str) -> str:
        return ":".join([self.prefix, "faq", *parts])

    @property
    def channel(self) -> str:
        return self._key("live")

    async def live_id(self) -> str | None:
        value = await self.redis.get(self._key("live"))
        return text(value) if value else None

    async def info(self, version: str) -> VersionInfo | None:
        raw = await self.redis.hget(self._key("version", version), "info")
        if not raw:
            return None
        try:
            data: dict[str, Any] = json.loads(text(raw))
            return VersionInfo(**{**data, "changes": Changes(**_tuples(data["changes"]))})
        except (ValueError, TypeError, KeyError, RecursionError):
            return None

    async def entries(self, version: str) -> list[FaqEntry]:
        """The version's entries, checked against its id; FaqLoadError if missing or corrupt."""
        raw = await self.redis.hget(self._key("version", version), "entries")
        if not raw:
            raise FaqLoadError([FaqError(f"stored FAQ version {version}", 0, "no such version")])
        return await asyncio.to_thread(_decode, text(raw), version)

    async def resolve(self, prefix: str) -> list[str]:
        """Stored version ids starting with `prefix` (admins type a few characters)."""
        ids = await self._members(0, -1)
        return [v for v in ids if v.startswith(prefix.lower())]

    async def _members(self, start: int, end: int) -> list[str]:
        """Version ids from oldest to newest publication."""
        values = cast(
            list[str | bytes], await self.redis.zrange(self._key("{versions}"), start, end)
        )
        return [text(v) for v in values]

    async def history(self, limit: int = 20) -> list[Publication]:
        raw = await self.redis.lrange(self._key("{versions}", "history"), 0, limit - 1)
        items = []
        for value in raw:
            try:
                items.append(Publication(**json.loads(text(value))))
            except (ValueError, TypeError, RecursionError):
                continue
        return items

    async def publish(
        self, entries: list[FaqEntry], info: VersionInfo, action: str, *, first: bool = False
    ) -> bool:
        """Store the version, make it live and announce it; False when `first` and one was live.

        A version already stored keeps its original info (who made it, its changes).
        """
        record = self._key("version", info.id)
        payload = await asyncio.to_thread(_encode, entries)
        await self.redis.hsetnx(record, "entries", payload)
        await self.redis.hsetnx(record, "info", json.dumps(asdict(info)))
        if first:
            if not await self.redis.set(self._key("live"), info.id, nx=True):
                return False
        else:
            await self.redis.set(self._key("live"), info.id)
        publication = Publication(info.id, action, info.who, info.when)
        async with self.redis.pipeline(transaction=True) as pipe:
            # The list of versions and the history share the hash tag `{versions}` (a cluster
            # keeps a transaction within one slot); versions' records, written before, do not.
            pipe.zadd(self._key("{versions}"), {info.id: info.when})
            pipe.lpush(self._key("{versions}", "history"), json.dumps(asdict(publication)))
            pipe.ltrim(self._key("{versions}", "history"), 0, self.keep - 1)
            await pipe.execute()
        await self._prune()
        await self.redis.publish(self.channel, info.id)
        return True

    async def _prune(self) -> None:
        """Forget versions beyond the newest `keep`; the history only names those."""
        old = await self._members(0, -self.keep - 1)
        live = await self.live_id()
        doomed = [v for v in old if v != live]
        if doomed:
            # Unlisted first, then deleted: on a cluster the records live in other slots.
            await self.redis.zrem(self._key("{versions}"), *doomed)
            await self.redis.delete(*(self._key("version", v) for v in doomed))


def _encode(entries: list[FaqEntry]) -> str:
    return json.dumps(to_records(entries))


def _decode(raw: str, version: str) -> list[FaqEntry]:
    name = f"stored FAQ version {version}"
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise FaqLoadError([FaqError(name, 0, f"corrupt record: {exc}")]) from None
    except RecursionError:
        raise FaqLoadError([FaqError(name, 0, "corrupt record: nested too deeply")]) from None
    entries = from_records(data, name)
    if content_version(entries) != version:
        raise FaqLoadError([FaqError(name, 0, "corrupt record: content does not match its id")])
    return entries


def _tuples(data: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {key: tuple(values) for key, values in data.items()}
