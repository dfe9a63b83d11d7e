"""all-MiniLM-L6-v2's forward pass as an ONNX graph built from its weights, run by ONNX Runtime
on one CPU thread: in float32 for the FAQ's texts, with 8-bit products for customers' texts.

Through sentence-transformers a customer's question (about 12 tokens) cost 9 ms of CPU, most of
it module dispatch around a dozen small matrix products. ONNX Runtime runs the same float32
products in about half of what torch takes for them, so the vectors stay sentence-transformers'
(to 1e-6 cosine, see bench/embedding.py), and the bot never imports torch (1.2 s and 220 MB of a
process). The graph is built at load from the arrays read from the package's file
(faq/onnx_graph.py).

A question is embedded while the customer waits, so its graph multiplies in integers: each
weight matrix rounded to 7 bits per output column, the activations to 8 bits as they come
(ONNX Runtime's dynamic quantisation, one scale for all the activations of a run, so each text
is run alone: its vector does not depend on the texts beside it). That took a question from
4.1-4.8 to 1.5 ms of CPU on an AVX-512 Xeon; its vector is 0.99 cosine from float32's on
average, 0.946 at worst (bench/embedding.py), and the FAQ's texts, embedded once and filed, keep
float32's. Seven bits rather than eight: an 8-bit weight times an 8-bit activation can overflow
the 16-bit sums of CPUs without VNNI, which would give other vectors on other machines. Answers
hardly move (`python -m bench.datasets`, semantic mode): Banking77 top-1 91.9 -> 91.7%, CLINC150
in-scope 84.7 -> 84.8%.

Imported only with the `semantic` extra installed (onnx, onnxruntime, tokenizers, safetensors).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray
from safetensors.numpy import load_file
from tokenizers import Tokenizer

from faq.onnx_graph import ORT_OPS, Graph, Shapes

HIDDEN = 384
HEADS = 12
LAYERS = 6
# sentence-transformers' max_seq_length for this model: longer texts are cut there too.
MAX_TOKENS = 256
_EPS = 1e-12
# Texts per run: ONNX Runtime holds a batch's attention scores whole (texts x heads x tokens x
# tokens), so larger batches only cost memory (791 FAQ texts: 724 MB and 6.0 s of CPU at 64 a
# batch, 282 MB and 3.8 s at 8).
BATCH = 8
# Added to the attention scores of padding tokens: after the softmax they weigh nothing.
_MASKED = -1e9
# Weights rounded to integers in [-63, 63] (see the module's docstring).
_WEIGHT_STEPS = 63

Weights = dict[str, NDArray[np.float32]]
# The token vectors (position added) and what is added to the attention scores of padding.
_INPUTS: Shapes = {"tokens": ["texts", "length", HIDDEN], "padding": ["texts", 1, 1, "length"]}


class MiniLm:
    """Unit-length float32 embeddings, as sentence-transformers' `encode(...,
    normalize_embeddings=True)` gives them (mean of the last layer's token vectors)."""

    def __init__(self, folder: Path) -> None:
        weights = load_file(str(folder / "model.safetensors"))
        self._words = weights["embeddings.word_embeddings.weight"]
        # Every text is one segment: type 0 throughout, added to every position once here.
        self._positions = (
            weights["embeddings.position_embeddings.weight"]
            + weights["embeddings.token_type_embeddings.weight"][0]
        )
        # Kept with the sessions, which read the graphs' arrays in place.
        self._graph = Graph()
        self._session = self._graph.session(_INPUTS, _encoder(self._graph, weights, _linear))
        self._quick_graph = Graph()
        self._quick = self._quick_graph.session(
            _INPUTS, _encoder(self._quick_graph, weights, _quantized_linear)
        )
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        # The file pads and cuts at a fixed 128: pad to the batch's longest text instead.
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """float32 vectors, as sentence-transformers gives them."""
        # Batches of texts of about the same length waste little on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        for start in range(0, len(order), BATCH):
            chosen = order[start : start + BATCH]
            vectors[chosen] = self._encode_batch([texts[i] for i in chosen], self._session)
        return vectors

    def encode_quickly(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Vectors from the 8-bit products: about 3 times cheaper, slightly off float32's. Each
        text alone: the activations' scale is the whole run's."""
        vectors = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        for row, text in enumerate(texts):
            vectors[row] = self._encode_batch([text], self._quick)[0]
        return vectors

    def _encode_batch(self, texts: list[str], session: ort.InferenceSession) -> NDArray[np.float32]:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings])
        mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
        tokens = self._words[ids] + self._positions[: ids.shape[1]]
        padding = ((1.0 - mask) * _MASKED)[:, None, None, :]
        (hidden,) = session.run(None, {"tokens": tokens, "padding": padding})
        mean = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        vectors: NDArray[np.float32] = mean / np.linalg.norm(mean, axis=1, keepdims=True)
        return vectors


Linear = Callable[[Graph, str, str, NDArray[np.float32], NDArray[np.float32]], str]


def _encoder(graph: Graph, weights: Weights, product: Linear) -> str:
    """BERT's six layers over the token embeddings ("tokens"), attention kept off the padding
    ("padding", added to the scores), each weight matrix applied by `product`: the last
    layer's token vectors."""

    def linear(x: str, prefix: str) -> str:
        return product(graph, x, prefix, weights[f"{prefix}.weight"], weights[f"{prefix}.bias"])

    def norm(x: str, prefix: str) -> str:
        scale = graph.weight(f"{prefix}.weight", weights[f"{prefix}.weight"])
        shift = graph.weight(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return graph.op("LayerNormalization", x, scale, shift, axis=-1, epsilon=_EPS)

    heads = graph.constant("heads", [0, 0, 3, HEADS, HIDDEN // HEADS])
    joined = graph.constant("joined", [0, 0, HIDDEN])
    query_key_value = [graph.constant(f"part{i}", i) for i in range(3)]
    x = norm("tokens", "embeddings.LayerNorm")
    for layer in range(LAYERS):
        prefix = f"encoder.layer.{layer}"
        # Query, key and value as one product; the query pre-scaled by 1/sqrt(head size).
        parts = [f"{prefix}.attention.self.{name}" for name in ("query", "key", "value")]
        scale = np.float32(1 / np.sqrt(HIDDEN // HEADS))
        factors = np.array([scale, 1, 1], dtype=np.float32).repeat(HIDDEN)
        qkv = product(
            graph,
            x,
            f"{prefix}.attention.self.qkv",
            np.concatenate([weights[f"{p}.weight"] for p in parts]) * factors[:, None],
            np.concatenate([weights[f"{p}.bias"] for p in parts]) * factors,
        )
        # (texts, length, 3 * hidden) -> (3, texts, heads, length, head size)
        qkv = graph.op("Transpose", graph.op("Reshape", qkv, heads), perm=[2, 0, 3, 1, 4])
        q, k, v = (graph.op("Gather", qkv, part) for part in query_key_value)
        scores = graph.op("MatMul", q, graph.op("Transpose", k, perm=[0, 1, 3, 2]))
        attention = graph.op("Softmax", graph.op("Add", scores, "padding"), axis=-1)
        attended = graph.op("Transpose", graph.op("MatMul", attention, v), perm=[0, 2, 1, 3])
        attended = graph.op("Reshape", attended, joined)
        x = graph.op("Add", x, linear(attended, f"{prefix}.attention.output.dense"))
        x = norm(x, f"{prefix}.attention.output.LayerNorm")
        inner = graph.op("Gelu", linear(x, f"{prefix}.intermediate.dense"))
        x = graph.op("Add", x, linear(inner, f"{prefix}.output.dense"))
        x = norm(x, f"{prefix}.output.LayerNorm")
    return x


def _linear(
    graph: Graph, x: str, prefix: str, weight: NDArray[np.float32], bias: NDArray[np.float32]
) -> str:
    # torch stores (out, in); the product wants (in, out).
    product = graph.op("MatMul", x, graph.weight(f"{prefix}.weight", weight.T))
    return graph.op("Add", product, graph.weight(f"{prefix}.bias", bias))


def _quantized_linear(
    graph: Graph, x: str, prefix: str, weight: NDArray[np.float32], bias: NDArray[np.float32]
) -> str:
    # Symmetric, one scale per output: zero stays exactly zero (and an all-zero row, zero).
    peak = np.abs(weight).max(axis=1)
    scale = np.where(peak > 0, peak / _WEIGHT_STEPS, 1.0)
    steps = np.round(weight / scale[:, None]).astype(np.int8)
    return graph.op(
        "DynamicQuantizeMatMul",
        x,
        graph.weight(f"{prefix}.weight", steps.T),
        graph.weight(f"{prefix}.scale", scale.astype(np.float32)),
        graph.weight(f"{prefix}.zero", np.zeros_like(scale, dtype=np.int8)),
        graph.weight(f"{prefix}.bias", bias),
        domain=ORT_OPS,
    )
