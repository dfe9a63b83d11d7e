"""FAQ texts' embeddings kept on disk, so that a new process (`faqbot ask`, a restarted or added
replica, a golden check) embeds only the texts no process on the machine has embedded before.

One SQLite file, safe for several processes at once. Vectors are filed under their encoder's
*model* (its name and the versions it was loaded from) and a digest of the text, so an upgraded
model never reads an older one's vectors. A vector no process has read or written for
`KEEP_DAYS` goes, so texts long gone from the FAQ (and old models' vectors) do not pile up. The
cache is an optimisation only: a file that cannot be opened, read or written is reported once and
the encoder embeds as if it were not there.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)

Vectors = NDArray[np.float32]
T = TypeVar("T")

FILE_NAME = "embeddings.sqlite3"
KEEP_DAYS = 30
_DAY = 86400
# SQLite's limit on the parameters of one statement is 32,766 (999 before 3.32).
_CHUNK = 900
_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
  model TEXT NOT NULL, digest BLOB NOT NULL, vector BLOB NOT NULL,
  used INTEGER NOT NULL,  -- the day (since the epoch) a process last read or wrote it
  PRIMARY KEY (model, digest)
);
CREATE INDEX IF NOT EXISTS vectors_used ON vectors (used);
"""


class EmbeddingCache:
    def __init__(self, folder: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = folder / FILE_NAME
        self.clock = clock
        self._lock = threading.Lock()
        self._broken = False

    def read(self, model: str, texts: Sequence[str], size: int) -> dict[str, Vectors]:
        """The vectors on file for those of `texts` that have one of `size` numbers, kept
        another KEEP_DAYS."""
        digests = {_digest(text): text for text in texts}
        keys = list(digests)
        today = self._today()

        def run(db: sqlite3.Connection) -> list[tuple[bytes, bytes]]:
            rows: list[tuple[bytes, bytes]] = []
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                marks = ",".join("?" * len(chunk))
                rows += db.execute(
                    f"SELECT digest, vector FROM vectors WHERE model = ? AND digest IN ({marks})",
                    [model, *chunk],
                ).fetchall()
                db.execute(
                    f"UPDATE vectors SET used = ? WHERE model = ? AND used < ? AND digest IN "
                    f"({marks})",
                    [today, model, today, *chunk],
                )
            return rows

        found: dict[str, Vectors] = {}
        for digest, blob in self._run(run) or []:
            if len(blob) == 4 * size:
                found[digests[digest]] = np.frombuffer(blob, dtype=np.float32).copy()
        return found

    def write(self, model: str, vectors: dict[str, Vectors]) -> None:
        """File `vectors`, and let go of those unused for KEEP_DAYS."""
        today = self._today()
        rows = [
            (model, _digest(text), np.asarray(vector, dtype=np.float32).tobytes(), today)
            for text, vector in vectors.items()
        ]

        def run(db: sqlite3.Connection) -> None:
            db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)", rows)
            db.execute("DELETE FROM vectors WHERE used < ?", [today - KEEP_DAYS])

        if rows:
            self._run(run)

    def _today(self) -> int:
        return int(self.clock() // _DAY)

    def _run(self, work: Callable[[sqlite3.Connection], T]) -> T | None:
        """`work` in one transaction; None when the file cannot be used (reported once)."""
        with self._lock:
            if self._broken:
                return None
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # A connection per call: a reload's thread and the loop's never share one.
                connection = sqlite3.connect(self.path, timeout=10)
                try:
                    with connection:
                        connection.executescript(_SCHEMA)
                        return work(connection)
                finally:
                    connection.close()
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    self._give_up(exc)
                # Other processes kept it busy past the timeout: embedding is slower, not wrong.
                return None
            except (OSError, sqlite3.Error) as exc:
                self._give_up(exc)
                return None

    def _give_up(self, exc: Exception) -> None:
        self._broken = True
        log.warning(
            "the embedding cache %s is not usable (%s): FAQ texts are embedded in each process "
            "instead",
            self.path,
            exc,
        )


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
