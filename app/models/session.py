"""A thin ONNX Runtime session: explicit CPU provider, capped threads, no spinning, warmup."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from app.core.errors import DependencyError

log = logging.getLogger(__name__)

PROVIDERS = ["CPUExecutionProvider"]


class OnnxSession:
    """One model session. `run` may be called from one thread at a time per runner; the
    timing counters are guarded so diagnostics can read them from another thread."""

    def __init__(
        self,
        path: Path,
        *,
        name: str = "",
        intra_op_threads: int = 1,
        warmup: bool = True,
        shapes: dict[str, tuple[int, ...]] | None = None,
    ) -> None:
        self.path = path
        self.name = name or path.stem
        opts = ort.SessionOptions()
        # Sessions run side by side next to Qt and the recorder on a 2-core laptop: one
        # intra-op thread each and no busy-wait spinning (spinning burns a core per session).
        opts.intra_op_num_threads = max(1, intra_op_threads)
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.add_session_config_entry("session.inter_op.allow_spinning", "0")
        opts.log_severity_level = 3
        try:
            self._session = ort.InferenceSession(str(path), opts, providers=PROVIDERS)
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise DependencyError(
                f"The model file {path} could not be loaded by ONNX Runtime ({exc})."
            ) from exc
        used = self._session.get_providers()
        if used[:1] != PROVIDERS:
            log.warning("model %s runs on %s instead of %s", self.name, used, PROVIDERS)
        self.input_names = [i.name for i in self._session.get_inputs()]
        self.input_shapes = [list(i.shape) for i in self._session.get_inputs()]
        self.input_types = [i.type for i in self._session.get_inputs()]
        self.output_names = [o.name for o in self._session.get_outputs()]
        # Dynamic dimensions are filled from the manifest's input spec (for warmup).
        for i, name in enumerate(self.input_names):
            if shapes and name in shapes:
                self.input_shapes[i] = list(shapes[name])
        self._lock = threading.Lock()
        self.calls = 0
        self.total_ms = 0.0
        self.last_ms = 0.0
        if warmup:
            self.warmup()

    def warmup(self, runs: int = 2) -> None:
        """Run zeros through the model so the first real frame does not pay allocation cost."""
        feeds: dict[str, np.ndarray] = {}
        for name, shape, typ in zip(
            self.input_names, self.input_shapes, self.input_types, strict=True
        ):
            dims = [d if isinstance(d, int) and d > 0 else 1 for d in shape]
            dtype = np.int64 if "int64" in typ else np.float32
            feeds[name] = np.zeros(dims, dtype=dtype)
            if name == "sr":  # Silero VAD's sample rate input
                feeds[name] = np.array(16000, dtype=np.int64)
        for _ in range(runs):
            self._session.run(None, feeds)

    def run(self, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        t0 = time.perf_counter()
        outs = self._session.run(None, feeds)
        ms = (time.perf_counter() - t0) * 1000.0
        with self._lock:
            self.calls += 1
            self.total_ms += ms
            self.last_ms = ms
        return [np.asarray(o) for o in outs]

    def mean_ms(self) -> float:
        with self._lock:
            return self.total_ms / self.calls if self.calls else 0.0
