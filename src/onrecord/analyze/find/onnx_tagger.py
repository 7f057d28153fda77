"""The tagger's LSTM layers run by ONNX Runtime, where it is installed: the same network as the numpy
forward pass (model.py, ``SpanTagger._lstm``), about twice as fast on one core.

The numpy pass is a Python step per token position with small matrix products and element-wise
functions at each step; ONNX Runtime's LSTM operator runs the same recurrence in C++ with fused gates.
On PolNeAR dev's 1,942 chunks (79,650 tokens) the emissions took 3.9-4.0 s with numpy and 1.8 s with
ONNX Runtime in batches of 16 (64: 2.2 s; larger batches lose, since the operator computes every
position of the longest sequence), on one core of this project's machine, the outputs equal to 4e-6.

``models/tagger.onnx`` is written from ``models/tagger.npz`` by ``export`` (``make train`` does it, with
the ``onnx`` package of the ``train`` extra) and records the SHA-256 of the .npz it came from: a file made
from other weights is not used. Without onnxruntime, without the file, or with
``ONRECORD_TAGGER_RUNTIME=numpy`` in the environment, the tagger runs on numpy alone, with the same
results.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

GROUP = 16  # chunks per call, longest first (see above)
OPSET = 17
SHA_KEY = "onrecord_npz_sha256"


def _gates(m: np.ndarray) -> np.ndarray:
    """PyTorch's gate order (input, forget, cell, output) to ONNX's (input, output, forget, cell)."""
    i, f, g, o = np.split(m, 4, axis=0)
    return np.concatenate([i, o, f, g], axis=0)


def export(npz: Path, out: Path) -> None:
    """Write the ONNX form of the tagger in ``npz`` (its LSTM layers and output layer) to ``out``. A file of
    several members (model.py, ``split_members``) gives one graph: member i reads input ``inputs`` (i = 0)
    or ``inputs{i}`` (its own embeddings of the same columns), and ``scores`` is the mean of theirs."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    from onrecord.analyze.find.model import read_npz, split_members  # model.py imports this module

    raw = Path(npz).read_bytes()
    meta, weights = read_npz(raw)
    members = split_members(weights)
    layers, hidden = meta["layers"], members[0]["weight_hh_l0"].shape[1]
    width = members[0]["weight_ih_l0"].shape[1]
    labels = members[0]["out_bias"].shape[0]
    inits, nodes, inputs, outputs = [], [], [], []
    for m, w in enumerate(members):
        p = f"m{m}_" if len(members) > 1 else ""  # the one member's names are those of a file of one
        x = "inputs" if m == 0 else f"inputs{m}"
        inputs.append(helper.make_tensor_value_info(x, TensorProto.FLOAT, ["T", "B", width]))
        for layer in range(layers):
            sfx = [f"l{layer}", f"l{layer}_reverse"]
            arrays = {
                f"{p}W{layer}": np.stack([_gates(w[f"weight_ih_{s}"]) for s in sfx]),
                f"{p}R{layer}": np.stack([_gates(w[f"weight_hh_{s}"]) for s in sfx]),
                f"{p}B{layer}": np.stack([np.concatenate([_gates(w[f"bias_ih_{s}"]), _gates(w[f"bias_hh_{s}"])])
                                          for s in sfx]),
            }
            inits += [numpy_helper.from_array(a.astype(np.float32), n) for n, a in arrays.items()]
            nodes += [
                helper.make_node("LSTM", [x, f"{p}W{layer}", f"{p}R{layer}", f"{p}B{layer}", "lengths"],
                                 [f"{p}Y{layer}"], direction="bidirectional", hidden_size=hidden),
                # (T, 2, B, H) -> (T, B, 2, H) -> (T, B, 2H): forward and backward side by side, as PyTorch's
                helper.make_node("Transpose", [f"{p}Y{layer}"], [f"{p}T{layer}"], perm=[0, 2, 1, 3]),
                helper.make_node("Reshape", [f"{p}T{layer}", "shape"], [f"{p}Z{layer}"]),
            ]
            x = f"{p}Z{layer}"
        if m == 0:  # where a file of one member has always had it (the same bytes as before ensembles)
            inits.append(numpy_helper.from_array(np.array([0, 0, 2 * hidden], dtype=np.int64), "shape"))
        inits += [numpy_helper.from_array(np.ascontiguousarray(w["out_weight"].T), f"{p}out_weight"),
                  numpy_helper.from_array(w["out_bias"], f"{p}out_bias")]
        scores = "scores" if len(members) == 1 else f"{p}scores"
        nodes += [helper.make_node("MatMul", [x, f"{p}out_weight"], [f"{p}product"]),
                  helper.make_node("Add", [f"{p}product", f"{p}out_bias"], [scores])]
        outputs.append(scores)
    if len(members) > 1:
        nodes.append(helper.make_node("Mean", outputs, ["scores"]))
    graph = helper.make_graph(
        nodes, "onrecord_tagger",
        [*inputs, helper.make_tensor_value_info("lengths", TensorProto.INT32, ["B"])],
        [helper.make_tensor_value_info("scores", TensorProto.FLOAT, ["T", "B", labels])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="onrecord")
    helper.set_model_props(model, {SHA_KEY: hashlib.sha256(raw).hexdigest()})
    onnx.checker.check_model(model)
    Path(out).write_bytes(model.SerializeToString())


class Runtime:
    """An ONNX Runtime session over the tagger's ONNX file, made in the process that uses it (a forked
    worker makes its own)."""

    def __init__(self, model: bytes) -> None:
        self.model = model
        self._session = None
        self._pid = None

    @classmethod
    def load(cls, onnx_bytes: bytes, npz_bytes: bytes) -> Runtime | None:
        """The runtime, or None: onnxruntime not installed, turned off, or the file made from other weights."""
        if os.environ.get("ONRECORD_TAGGER_RUNTIME", "").lower() == "numpy":
            return None
        try:
            import onnxruntime  # noqa: F401
        except (ImportError, OSError):  # not installed, or its native library does not load here
            return None
        rt = cls(onnx_bytes)
        try:
            made_from = rt.session().get_modelmeta().custom_metadata_map.get(SHA_KEY)
        except Exception:  # noqa: BLE001 - a damaged file: numpy gives the same results
            return None
        return rt if made_from == hashlib.sha256(npz_bytes).hexdigest() else None

    def session(self):
        if self._session is None or self._pid != os.getpid():
            import onnxruntime as ort

            opts = ort.SessionOptions()
            opts.intra_op_num_threads = 1  # one core per process, as the numpy pass (run/pool.py runs one per core)
            opts.inter_op_num_threads = 1
            opts.log_severity_level = 3
            self._session = ort.InferenceSession(self.model, opts, providers=["CPUExecutionProvider"])
            self._pid = os.getpid()
        return self._session

    def scores(self, inputs: list[list[np.ndarray]]) -> list[np.ndarray]:
        """Each sequence's (T, labels) scores: ``inputs`` holds, per member of the tagger, the (T, width)
        inputs of the same sequences, sorted longest first."""
        lengths = np.array([len(x) for x in inputs[0]], dtype=np.int32)
        feed: dict[str, np.ndarray] = {"lengths": lengths}
        for m, member in enumerate(inputs):
            batch = np.zeros((int(lengths[0]), len(member), member[0].shape[1]), dtype=np.float32)
            for n, x in enumerate(member):
                batch[:len(x), n] = x
            feed["inputs" if m == 0 else f"inputs{m}"] = batch
        out = self.session().run(["scores"], feed)[0]
        return [out[:m, n] for n, m in enumerate(lengths)]
