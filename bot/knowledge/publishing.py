"""Publishing FAQ versions: reload (validate, regression-check, store, go live), rollback, and
keeping every process on the live version.

A process never serves its own disk once a live version exists in Redis: at start it loads the
live version (or publishes its disk FAQ as the first one), then follows the announcements on the
pub/sub channel. A publication goes live in the publishing process at once and in the others when
they hear of it; on reconnecting after a Redis outage a process catches up with the live pointer,
so a missed announcement only delays it.

Reading, indexing, hashing and comparing a new FAQ happen in a worker thread: a large FAQ takes
seconds of CPU, and the event loop keeps answering customers from the live index meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from redis.exceptions import RedisError

from bot.knowledge.regression import CheckResult, GoldenCheck
from bot.knowledge.sources import Upload
from bot.knowledge.subscription import follow_channel
from bot.knowledge.versions import FaqVersions, VersionInfo
from faq.index import FaqIndex
from faq.loaders import load_bytes, load_faq
from faq.models import FaqEntry, FaqError, FaqLoadError
from faq.records import from_records, to_records
from faq.repository import Changes, FaqRepository, content_version

log = logging.getLogger(__name__)


class ApprovedDrafts(Protocol):
    """Entries agents drafted and an admin approved: they join the next reload, and drafts
    published before stay in every later version (the FAQ files do not hold them)."""

    async def approved_entries(self) -> list[FaqEntry]: ...

    async def published_entries(self) -> list[FaqEntry]: ...

    async def mark_published(self, ids: Sequence[str]) -> None: ...


class PublishListener(Protocol):
    """Told once, in the publishing process only, after a reload or rollback went live."""

    async def faq_published(self, index: FaqIndex) -> None: ...


@dataclass(frozen=True)
class PublishReport:
    ok: bool
    action: str  # "reload" or "rollback"
    version: str  # the live version afterwards
    entries: int
    source: str = ""
    changes: Changes = field(default_factory=Changes)
    # Why it was refused: the source's errors as `file:line: message`, or a sentence.
    errors: tuple[str, ...] = ()
    check: CheckResult | None = None
    forced: bool = False
    unchanged: bool = False
    # A check without publishing (`reload(check_only=True)`): `version`, `entries` and `changes`
    # describe the candidate, `ok` whether publishing it would pass the check.
    checked_only: bool = False


@dataclass(frozen=True)
class _Candidate:
    """A FAQ ready to publish: its index, version id, and what changed against the live one."""

    index: FaqIndex
    version: str
    changes: Changes


class FaqPublisher:
    def __init__(
        self,
        *,
        faq: FaqRepository,
        versions: FaqVersions,
        check: GoldenCheck,
        drafts: ApprovedDrafts | None = None,
        listeners: Sequence[PublishListener] = (),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.faq = faq
        self.clock = clock
        self.versions = versions
        self.check = check
        self.drafts = drafts
        # Kept as given: the composition root adds listeners that need the finished engine.
        self.listeners = listeners
        self._lock = asyncio.Lock()

    # ---- keeping this process on the live version

    async def start(self) -> None:
        """Load the live version, or publish the disk FAQ as the first one when none is live."""
        try:
            if await self.versions.live_id() is None:
                info = self._info(
                    self.faq.version, len(self.faq.index), "startup", f"{self.faq.path}"
                )
                if await self.versions.publish(
                    list(self.faq.index.entries), info, "first", first=True
                ):
                    log.info("published %s as the first FAQ version %s", self.faq.path, info.id)
                    return
            on_disk = self.faq.version
            await self.sync()
            if self.faq.version != on_disk:
                live = await self.versions.info(self.faq.version)
                log.info(
                    "serving the live FAQ version %s (from %s), not FAQ_PATH %s (version %s): "
                    "every bot serves the version live in Redis; `faqbot faq reload` publishes "
                    "FAQ_PATH",
                    self.faq.version,
                    live.source if live else "Redis",
                    self.faq.path,
                    on_disk,
                )
        except RedisError as exc:
            log.warning(
                "FAQ versions unavailable (%s): serving %s until Redis is back",
                type(exc).__name__,
                self.faq.path,
            )

    async def sync(self) -> None:
        """Swap to the live version if this process is on another; a bad record changes nothing."""
        async with self._lock:
            live = await self.versions.live_id()
            if live is None or live == self.faq.version:
                return
            try:
                entries = await self.versions.entries(live)
            except FaqLoadError as exc:
                log.error(
                    "live FAQ version %s cannot be loaded, keeping %s: %s",
                    live,
                    self.faq.version,
                    exc,
                )
                return
            try:
                index = await asyncio.to_thread(self.faq.build, entries)
            except Exception:
                # Raised out of here, it would end the follow loop: this process would never
                # swap again.
                log.exception(
                    "live FAQ version %s cannot be indexed, keeping %s", live, self.faq.version
                )
                return
            self.faq.install(index, live)
            log.info("now serving FAQ version %s (%d entries)", live, len(entries))

    async def follow(self, stop: asyncio.Event) -> None:
        """Follow publications until `stop` is set, reconnecting after Redis errors; on each
        (re)subscription, catch up with whatever was published while not listening."""

        async def sync(_: object = None) -> None:
            await self.sync()

        await follow_channel(
            self.versions.redis,
            self.versions.channel,
            on_subscribed=sync,
            on_message=sync,
            stop=stop,
            what="FAQ version channel",
        )

    # ---- publishing

    async def reload(
        self,
        who: str,
        *,
        path: Path | None = None,
        upload: Upload | None = None,
        force: bool = False,
        check_only: bool = False,
    ) -> PublishReport:
        """Publish the FAQ at `path` (default: the configured one) or an uploaded file.

        Refused, with the reasons, when the source or the approved drafts have errors, or when
        the golden questions route worse (unless `force`); the live FAQ then stays. With
        `check_only`, say what publishing would do and publish nothing.
        """
        source = upload.origin if upload is not None else str(path or self.faq.path)
        async with self._lock:
            try:
                entries = await asyncio.to_thread(self._load, path, upload)
                drafts, kept = await self._drafts()
                candidate = await asyncio.to_thread(self._prepare, entries, drafts, kept)
            except FaqLoadError as exc:
                return self._refused("reload", source, tuple(str(e) for e in exc.errors))
            except RedisError as exc:
                return self._refused("reload", source, (_unavailable(exc),))
            except Exception as exc:
                return self._failed("reload", source, exc)
            new_index, version = candidate.index, candidate.version
            if version == self.faq.version:
                return PublishReport(
                    True, "reload", version, len(new_index), source, unchanged=True
                )
            check = None
            if not force:
                try:
                    # An upload is judged by the golden file next to the configured FAQ.
                    golden_base = path or self.faq.path
                    check = await self.check.run(golden_base, self.faq.index, new_index)
                except FaqLoadError as exc:
                    errors = ("the golden file has errors:", *(str(e) for e in exc.errors))
                    return self._refused("reload", source, errors)
                if not check.passed and not check_only:
                    return replace(self._refused("reload", source, ()), check=check)
            changes = candidate.changes
            if check_only:
                passed = check is None or check.passed
                return PublishReport(
                    passed, "reload", version, len(new_index), source, changes, check=check,
                    checked_only=True,
                )  # fmt: skip
            info = self._info(version, len(new_index), who, source, changes)
            try:
                await self.versions.publish(list(new_index.entries), info, "reload")
            except RedisError as exc:
                return self._refused("reload", source, (_unavailable(exc),))
            self.faq.install(new_index, version)
            log.info("FAQ version %s published by %s from %s", version, who, source)
        if drafts and self.drafts is not None:
            try:
                await self.drafts.mark_published([entry.id for entry in drafts])
            except Exception:
                # The version is live; drafts left approved would only join the next reload again.
                log.exception("could not mark the published drafts")
        await self._tell_listeners(new_index)
        return PublishReport(
            True, "reload", version, len(new_index), source, changes, check=check, forced=force
        )

    async def rollback(self, who: str, version: str | None = None) -> PublishReport:
        """Make a stored version live again; by default the one live before the current one."""
        async with self._lock:
            try:
                target = await self._rollback_target(version)
                if isinstance(target, tuple):
                    return self._refused("rollback", "", target)
                entries = await self.versions.entries(target)
                candidate = await asyncio.to_thread(self._prepare, entries)
                new_index, changes = candidate.index, candidate.changes
                info = self._info(target, len(entries), who, f"rollback to {target}", changes)
                await self.versions.publish(entries, info, "rollback")
            except FaqLoadError as exc:
                return self._refused("rollback", "", tuple(str(e) for e in exc.errors))
            except RedisError as exc:
                return self._refused("rollback", "", (_unavailable(exc),))
            except Exception as exc:
                return self._failed("rollback", "", exc)
            self.faq.install(new_index, target)
            log.info("FAQ rolled back to version %s by %s", target, who)
        await self._tell_listeners(new_index)
        return PublishReport(True, "rollback", target, len(new_index), f"version {target}", changes)

    async def _rollback_target(self, version: str | None) -> str | tuple[str, ...]:
        """The version id to roll back to, or the reasons there is none."""
        live = await self.versions.live_id()
        if version is None:
            history = await self.versions.history(self.versions.keep)
            earlier = next((p.version for p in history if p.version != live), None)
            if earlier is None:
                return ("There is no earlier version to roll back to.",)
            return earlier
        matches = await self.versions.resolve(version)
        if not matches:
            return (f"No stored version starts with {version!r}; `versions` lists them.",)
        if len(matches) > 1:
            return (f"{version!r} matches {len(matches)} versions; give more characters.",)
        if matches[0] == live:
            return (f"Version {live} is already live.",)
        return matches[0]

    def _load(self, path: Path | None, upload: Upload | None) -> list[FaqEntry]:
        if upload is not None:
            return load_bytes(upload.data, upload.name)
        return load_faq(path or self.faq.path)

    def _prepare(
        self,
        entries: list[FaqEntry],
        drafts: Sequence[FaqEntry] = (),
        kept: Sequence[FaqEntry] = (),
    ) -> _Candidate:
        """The new FAQ with the approved (`drafts`) and earlier published (`kept`) drafts, indexed
        and hashed; run in a worker thread. FaqLoadError when the drafts do not fit."""
        # A published draft exported and committed to the FAQ files is theirs now.
        in_files = {entry.id for entry in entries}
        kept = [entry for entry in kept if entry.id not in in_files]
        index = self.faq.build(_with_drafts(entries, [*kept, *drafts]))
        version = content_version(index.entries)
        return _Candidate(index, version, Changes.between(self.faq.index, index))

    async def _drafts(self) -> tuple[list[FaqEntry], list[FaqEntry]]:
        """(approved drafts to publish, drafts already published that stay)."""
        if self.drafts is None:
            return [], []
        return await self.drafts.approved_entries(), await self.drafts.published_entries()

    async def _tell_listeners(self, index: FaqIndex) -> None:
        for listener in self.listeners:
            try:
                await listener.faq_published(index)
            except Exception:
                log.exception("FAQ publish listener %r failed", listener)

    def _refused(self, action: str, source: str, errors: tuple[str, ...]) -> PublishReport:
        return PublishReport(
            False, action, self.faq.version, len(self.faq.index), source, errors=errors
        )

    def _failed(self, action: str, source: str, exc: Exception) -> PublishReport:
        """A FAQ the loaders accept can still fail to load or index (a bug, memory running out on
        a huge one): logged with its traceback, and the admin hears so; the live FAQ stays."""
        log.exception("FAQ %s from %s failed", action, source or "the version store")
        reason = (
            f"The new FAQ could not be read or indexed ({type(exc).__name__}); nothing changed."
        )
        return self._refused(action, source, (reason,))

    def _info(
        self, version: str, count: int, who: str, source: str, changes: Changes | None = None
    ) -> VersionInfo:
        return VersionInfo(
            id=version,
            count=count,
            who=who,
            when=self.clock(),
            source=source,
            changes=changes or Changes(),
            previous=self.faq.version if changes is not None else None,
        )


def _with_drafts(entries: list[FaqEntry], drafts: list[FaqEntry]) -> list[FaqEntry]:
    """The FAQ's entries and the approved drafts, validated like a file; clashing ids refused."""
    if not drafts:
        return entries
    name = "approved drafts"
    checked = from_records(to_records(drafts), name)
    by_id = {entry.id: entry for entry in entries}
    clashes = [
        FaqError(
            name,
            draft.line,
            f"draft {draft.id!r} has the same id as the entry at "
            f"{by_id[draft.id].source}:{by_id[draft.id].line}; change the draft's id or drop it",
        )
        for draft in checked
        if draft.id in by_id
    ]
    if clashes:
        raise FaqLoadError(clashes)
    return entries + checked


def _unavailable(exc: RedisError) -> str:
    return f"The version store (Redis) is unavailable ({type(exc).__name__}); nothing changed."
