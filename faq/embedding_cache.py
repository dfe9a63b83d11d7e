"""FAQ texts' embeddings kept on disk, so that a new process (`faqbot ask`, a restarted or added
replica, a golden check) embeds only the texts no process on the machine has embedded before.

One SQLite file, safe for several processes at once. Vectors are filed under their encoder's
*model* (its name and the versions it was loaded from) and a digest of the text, so an upgraded
model never reads an older one's vectors. The cache is an optimisation only: a file that cannot
be opened, read or written is reported once and the encoder embeds as if it were not there.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)

Vectors = NDArray[np.float32]

FILE_NAME = "embeddings.sqlite3"
# SQLite's limit on the parameters of one statement is 32,766 (999 before 3.32).
_CHUNK = 900
_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
  model TEXT NOT NULL, digest BLOB NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (model, digest)
) WITHOUT ROWID
"""


class EmbeddingCache:
    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE_NAME
        self._lock = threading.Lock()
        self._broken = False

    def read(self, model: str, texts: Sequence[str]) -> dict[str, Vectors]:
        """The vectors on file for those of `texts` that have one."""
        digests = {_digest(text): text for text in texts}
        found: dict[str, Vectors] = {}
        keys = list(digests)
        rows: list[tuple[bytes, bytes]] = []
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            rows += self._run(
                f"SELECT digest, vector FROM vectors WHERE model = ? AND digest IN "
                f"({','.join('?' * len(chunk))})",
                [model, *chunk],
            )
        for digest, blob in rows:
            if len(blob) % 4 == 0 and blob:
                found[digests[digest]] = np.frombuffer(blob, dtype=np.float32).copy()
        return found

    def write(self, model: str, vectors: dict[str, Vectors]) -> None:
        rows = [
            (model, _digest(text), np.asarray(vector, dtype=np.float32).tobytes())
            for text, vector in vectors.items()
        ]
        if rows:
            self._run("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows, many=True)

    def _run(
        self, sql: str, parameters: Sequence[object], *, many: bool = False
    ) -> list[tuple[bytes, bytes]]:
        with self._lock:
            if self._broken:
                return []
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                # A connection per call: a reload's thread and the loop's never share one.
                connection = sqlite3.connect(self.path, timeout=10)
                try:
                    with connection:
                        connection.execute(_SCHEMA)
                        if many:
                            connection.executemany(sql, parameters)  # type: ignore[arg-type]
                            return []
                        return connection.execute(sql, parameters).fetchall()
                finally:
                    connection.close()
            except (OSError, sqlite3.Error) as exc:
                self._broken = True
                log.warning(
                    "the embedding cache %s is not usable (%s): FAQ texts are embedded in each "
                    "process instead",
                    self.path,
                    exc,
                )
                return []


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode(), digest_size=16).digest()
