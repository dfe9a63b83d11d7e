"""The live FAQ of this process: an index swapped whole, never replaced by a broken source.

Which FAQ is live is decided elsewhere (bot/knowledge/publishing.py, through the shared version
store); this holds the result and tells what changed between two indexes.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from faq.index import FaqIndex
from faq.loaders import load_faq
from faq.models import FaqEntry
from faq.records import to_records
from faq.semantic import Encoder

BUNDLED_FAQ = Path(__file__).parent / "data"
# Indexes of small FAQs are kept by content and encoders, and shared: a FAQ reloaded unchanged, a
# version rolled back to, or another app in the same process (the CLI's, the tests') gets the
# same index instead of a new build (26 ms for the bundled FAQ). An index is never changed once
# built, so sharing it is safe. A large one is not kept beyond its use: it holds hundreds of MB.
_KEPT_INDEXES = 8
_KEPT_ENTRIES = 5_000
_IndexKey = tuple[tuple[tuple[FaqEntry, str, int], ...], tuple[Encoder, ...]]
_kept: OrderedDict[_IndexKey, FaqIndex] = OrderedDict()
_kept_lock = threading.Lock()


def index_of(entries: Sequence[FaqEntry], encoders: Sequence[Encoder]) -> FaqIndex:
    """The index of `entries` searched with `encoders`, built or kept."""
    if len(entries) > _KEPT_ENTRIES:
        return FaqIndex(entries, encoders)
    # Where an entry was read from is no part of its equality, but the index hands it out.
    key = (tuple((e, e.source, e.line) for e in entries), tuple(encoders))
    with _kept_lock:
        index = _kept.get(key)
        if index is not None:
            _kept.move_to_end(key)
            return index
    index = FaqIndex(entries, encoders)
    with _kept_lock:
        _kept[key] = index
        while len(_kept) > _KEPT_INDEXES:
            _kept.popitem(last=False)
    return index


@dataclass(frozen=True)
class Changes:
    """Entry ids added, removed and changed from one FAQ to the next."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    @classmethod
    def between(cls, old: FaqIndex, new: FaqIndex) -> Changes:
        before, after = old.by_id, new.by_id
        return cls(
            added=tuple(sorted(after.keys() - before.keys())),
            removed=tuple(sorted(before.keys() - after.keys())),
            changed=tuple(sorted(i for i in after.keys() & before.keys() if after[i] != before[i])),
        )


def content_version(entries: Sequence[FaqEntry]) -> str:
    """The version id: a hash of the entries' content, the same in every process."""
    payload = json.dumps(to_records(entries), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


class FaqRepository:
    """Holds the current index; `index` is always a complete, valid FAQ.

    `path` is the configured FAQ source on disk (what a plain reload re-reads), whatever the
    live version came from.
    """

    def __init__(self, path: Path | None = None, encoders: Sequence[Encoder] = ()) -> None:
        self.path = path or BUNDLED_FAQ
        self.encoders = tuple(encoders)
        self._index = index_of(load_faq(self.path), self.encoders)
        self.version = content_version(self._index.entries)

    @property
    def index(self) -> FaqIndex:
        return self._index

    def build(self, entries: Sequence[FaqEntry]) -> FaqIndex:
        """An index of `entries` searched the way this repository's is (same encoders)."""
        return index_of(entries, self.encoders)

    def install(self, index: FaqIndex, version: str) -> None:
        # One reference assignment: a question being answered keeps the index it started with.
        self._index = index
        self.version = version
