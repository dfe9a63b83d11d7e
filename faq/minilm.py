"""all-MiniLM-L6-v2's forward pass written out on torch, for one CPU thread.

Through sentence-transformers a customer's question (about 12 tokens) cost 9-10 ms of CPU, most
of it the matrix products streaming 42 MB of float32 weights and the rest module dispatch. Here
the six BERT layers run straight on torch, query, key and value as one product, and the products
in bfloat16 where the CPU computes it natively: half the bytes, under 4 ms a question. Residuals,
layer norms and pooling stay in float32, which keeps every vector within 1e-4 cosine of
sentence-transformers' (see bench/embedding.py).

Imported only with the `semantic` extra installed (torch, tokenizers, safetensors).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from numpy.typing import NDArray
from safetensors.torch import load_file
from tokenizers import Tokenizer

HIDDEN = 384
HEADS = 12
LAYERS = 6
# sentence-transformers' max_seq_length for this model: longer texts are cut there too.
MAX_TOKENS = 256
_EPS = 1e-12


def product_dtype() -> torch.dtype:
    """bfloat16 where the CPU computes it natively (AVX512-BF16 or AMX); emulated (on other
    AVX-512 CPUs, or elsewhere) it would be slower than float32."""
    try:
        # Private to torch: a torch without these checks gets float32, exact and slower.
        native = torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    except AttributeError:
        native = False
    return torch.bfloat16 if native else torch.float32


@dataclass(frozen=True)
class _Linear:
    weight: torch.Tensor
    bias: torch.Tensor

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x.to(self.weight.dtype), self.weight, self.bias)


@dataclass(frozen=True)
class _Layer:
    qkv: _Linear
    attention_out: _Linear
    attention_norm: tuple[torch.Tensor, torch.Tensor]
    intermediate: _Linear
    output: _Linear
    output_norm: tuple[torch.Tensor, torch.Tensor]

    def __call__(self, x: torch.Tensor, padding: torch.Tensor | None) -> torch.Tensor:
        batch, tokens, _ = x.shape
        shape = (batch, tokens, 3, HEADS, HIDDEN // HEADS)
        q, k, v = self.qkv(x).view(shape).permute(2, 0, 3, 1, 4)
        attended = F.scaled_dot_product_attention(q, k, v, attn_mask=padding)
        attended = attended.transpose(1, 2).reshape(batch, tokens, HIDDEN)
        x = _norm(x + self.attention_out(attended).float(), self.attention_norm)
        return _norm(x + self.output(F.gelu(self.intermediate(x))).float(), self.output_norm)


class MiniLm:
    """Unit-length float32 embeddings, as sentence-transformers' `encode(...,
    normalize_embeddings=True)` gives them (mean of the last layer's token vectors)."""

    def __init__(self, folder: Path, dtype: torch.dtype) -> None:
        weights = load_file(folder / "model.safetensors")

        def linear(prefix: str) -> _Linear:
            return _Linear(
                weights[f"{prefix}.weight"].to(dtype), weights[f"{prefix}.bias"].to(dtype)
            )

        def norm(prefix: str) -> tuple[torch.Tensor, torch.Tensor]:
            return weights[f"{prefix}.weight"], weights[f"{prefix}.bias"]

        def layer(prefix: str) -> _Layer:
            parts = [
                linear(f"{prefix}.attention.self.{name}") for name in ("query", "key", "value")
            ]
            return _Layer(
                qkv=_Linear(
                    torch.cat([p.weight for p in parts]), torch.cat([p.bias for p in parts])
                ),
                attention_out=linear(f"{prefix}.attention.output.dense"),
                attention_norm=norm(f"{prefix}.attention.output.LayerNorm"),
                intermediate=linear(f"{prefix}.intermediate.dense"),
                output=linear(f"{prefix}.output.dense"),
                output_norm=norm(f"{prefix}.output.LayerNorm"),
            )

        self._words = weights["embeddings.word_embeddings.weight"]
        self._positions = weights["embeddings.position_embeddings.weight"]
        # Every text is one segment: type 0 throughout.
        self._segment = weights["embeddings.token_type_embeddings.weight"][0]
        self._embedding_norm = norm("embeddings.LayerNorm")
        self._layers = [layer(f"encoder.layer.{i}") for i in range(LAYERS)]
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # The file pads and cuts at a fixed 128: pad to the batch's longest text instead.
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()

    def encode(self, texts: Sequence[str], batch_size: int) -> NDArray[np.float32]:
        # Batches of texts of about the same length waste little on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            vectors[chosen] = self._encode_batch([texts[i] for i in chosen])
        return vectors

    def _encode_batch(self, texts: list[str]) -> NDArray[np.float32]:
        encodings = self._tokenizer.encode_batch(texts)
        ids = torch.tensor([e.ids for e in encodings])
        mask = torch.tensor([e.attention_mask for e in encodings], dtype=torch.bool)
        with torch.inference_mode():
            x = self._words[ids] + self._positions[: ids.shape[1]] + self._segment
            x = _norm(x, self._embedding_norm)
            # Unpadded (a single question) attention takes its faster path without a mask.
            padding = None if bool(mask.all()) else mask[:, None, None, :]
            for layer in self._layers:
                x = layer(x, padding)
            weights = mask.unsqueeze(-1).float()
            mean = (x * weights).sum(1) / weights.sum(1)
            return F.normalize(mean, dim=1).numpy()


def _norm(x: torch.Tensor, weight_bias: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    return F.layer_norm(x, (HIDDEN,), *weight_bias, eps=_EPS)
