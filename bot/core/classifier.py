"""Logistic models over a message's multilingual sentence embedding (USE, installed with faqbot),
each reading one thing the patterns of `bot.core.intents` cannot list every wording of: whether a
message asks for a person (`bot.core.handoff`), whether it only reacts to the conversation
(`bot.core.reactions`). Each is fitted on the tuning set by a script under `bench/`, which prints
its constants, and is asked only about a message the FAQ has no answer to."""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from faq.semantic import Encoder

# The encoder the models read: its vectors, not another's.
ENCODER = "USE-multilingual-v3"


@dataclass(frozen=True)
class MessageModel:
    bias: float
    # float32, little-endian, one weight per dimension of the encoder's vectors, in base64.
    packed: str = field(repr=False)
    # The probability from which the model reads a message as what it reads.
    bar: float
    weights: NDArray[np.float32] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "weights", np.frombuffer(base64.b64decode(self.packed), dtype="<f4")
        )

    def probability(self, vector: NDArray[np.float32]) -> float:
        return 1.0 / (1.0 + math.exp(-(float(vector @ self.weights) + self.bias)))

    def reads(self, text: str, encoders: Sequence[Encoder]) -> bool:
        """Whether the message reaches the bar; False without the model's encoder (lexical-only
        search), where the patterns decide alone."""
        encoder = next((e for e in encoders if e.name == ENCODER), None)
        if encoder is None or not text.strip():
            return False
        return self.probability(encoder.embed_query(text)) >= self.bar
