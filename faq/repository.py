"""The live FAQ: loaded from a path, swapped whole on reload, never replaced by a broken source."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from faq.index import FaqIndex
from faq.loaders import load_faq
from faq.models import FaqEntry, FaqError, FaqLoadError

BUNDLED_FAQ = Path(__file__).parent / "data"


@dataclass(frozen=True)
class ReloadReport:
    """What a reload did: the diff when it succeeded, every error when it did not."""

    ok: bool
    version: str
    entries: int
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    errors: tuple[FaqError, ...] = field(default=())


def content_version(entries: list[FaqEntry] | tuple[FaqEntry, ...]) -> str:
    payload = json.dumps(
        [{k: v for k, v in asdict(e).items() if k not in ("source", "line")} for e in entries],
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


class FaqRepository:
    """Holds the current index; `index` is always a complete, valid FAQ."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or BUNDLED_FAQ
        entries = load_faq(self.path)
        self._index = FaqIndex(entries)
        self.version = content_version(self._index.entries)

    @property
    def index(self) -> FaqIndex:
        return self._index

    def reload(self, path: Path | None = None, *, extra: Sequence[FaqEntry] = ()) -> ReloadReport:
        """`extra` entries (approved agent drafts) join the source's, under ids of their own."""
        source = path or self.path
        try:
            entries = load_faq(source)
        except FaqLoadError as exc:
            return ReloadReport(False, self.version, len(self._index), errors=tuple(exc.errors))
        taken = {entry.id for entry in entries}
        clashes = tuple(
            FaqError(entry.source, entry.line, f"id {entry.id!r} is already a FAQ entry's id")
            for entry in extra
            if entry.id in taken
        )
        if clashes:
            return ReloadReport(False, self.version, len(self._index), errors=clashes)
        entries = [*entries, *extra]
        new_index = FaqIndex(entries)
        old = self._index.by_id
        new = new_index.by_id
        report = ReloadReport(
            ok=True,
            version=content_version(new_index.entries),
            entries=len(new_index),
            added=tuple(sorted(new.keys() - old.keys())),
            removed=tuple(sorted(old.keys() - new.keys())),
            changed=tuple(sorted(i for i in new.keys() & old.keys() if new[i] != old[i])),
        )
        # One reference assignment: a question being answered keeps the index it started with.
        self._index = new_index
        self.path = source
        self.version = report.version
        return report
