"""A sentence encoder's forward pass as an ONNX graph, built from its weights at load and run
by ONNX Runtime on one CPU thread (faq/minilm.py, faq/use_graph.py).

Built here rather than exported: the weights stay the numpy arrays the encoder's package ships,
which the session reads in place. Imported only with the `semantic` extra installed (onnx,
onnxruntime).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import onnx
import onnxruntime as ort
from numpy.typing import NDArray
from onnx import TensorProto, helper, numpy_helper

# Operator set 20: the first with Gelu (opset 17 brought LayerNormalization).
_OPSET = 20
# ONNX Runtime's own operators, DynamicQuantizeMatMul among them.
ORT_OPS = "com.microsoft"
# A graph's float32 inputs: name and shape, a name for a size that varies.
Shapes = Mapping[str, Sequence[str | int]]


class Graph:
    """Nodes and weights of an ONNX graph in the making; each method returns its output's name."""

    def __init__(self) -> None:
        self._nodes: list[onnx.NodeProto] = []
        self._constants: list[onnx.TensorProto] = []
        self._weights: dict[str, NDArray[np.generic]] = {}

    def weight(self, name: str, array: NDArray[np.float32] | NDArray[np.int8]) -> str:
        """A float32 or int8 array the session reads from memory where it is (not copied into
        the graph's bytes)."""
        kept = np.ascontiguousarray(array)
        self._weights[name] = kept
        stored = TensorProto(
            name=name, data_type=helper.np_dtype_to_tensor_dtype(kept.dtype), dims=kept.shape
        )
        stored.data_location = TensorProto.EXTERNAL
        stored.external_data.add(key="location", value="memory")
        self._constants.append(stored)
        return name

    def constant(self, name: str, values: int | list[int]) -> str:
        self._constants.append(numpy_helper.from_array(np.array(values, dtype=np.int64), name))
        return name

    def op(
        self, kind: str, *inputs: str, domain: str = "", **attributes: int | float | list[int]
    ) -> str:
        output = f"{kind}{len(self._nodes)}"
        node = helper.make_node(kind, list(inputs), [output], domain=domain)
        node.attribute.extend(helper.make_attribute(k, v) for k, v in attributes.items())
        self._nodes.append(node)
        return output

    def session(self, inputs: Shapes, output: str) -> ort.InferenceSession:
        """A session computing `output` from `inputs`."""
        graph = helper.make_graph(
            self._nodes,
            "encoder",
            [
                helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))
                for name, shape in inputs.items()
            ],
            [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)],
            self._constants,
        )
        model = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", _OPSET), helper.make_opsetid(ORT_OPS, 1)],
        )
        options = ort.SessionOptions()
        # One thread: a question is a few tokens, so more threads only add synchronisation, and
        # on 2 shared cores their spin-waiting made encoding many times slower.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        # Errors only: unused-initializer notices are not the operator's business.
        options.log_severity_level = 3
        values = {name: ort.OrtValue.ortvalue_from_numpy(a) for name, a in self._weights.items()}
        options.add_external_initializers(list(values), list(values.values()))
        session = ort.InferenceSession(
            model.SerializeToString(),
            options,
            providers=["CPUExecutionProvider"],
            # Its fused residual-and-norm kernel cost 7% more than the two nodes it replaces, on
            # a dozen tokens (bench/embedding.py).
            disabled_optimizers=["SkipLayerNormFusion"],
        )
        # The session reads the arrays in place: they must live as long as it does.
        self._values = values
        return session
