"""GPU training: the whole ensemble step (gather, forward, backward, clip, Adam) as a CUDA graph.

An eager ensemble step launches ~1,000 small kernels and is launch-bound (~10 ms whatever M);
replaying a captured graph removes that overhead (measured 1.3-8.6x over eager on an H200, see
docs/performance.md). Recipe (PyTorch's "whole network capture"):

* static buffers: the data stay on the device, and each step copies only its row indices into a
  static index buffer that the captured gather reads; one graph per distinct index shape (the
  last, smaller batch of an epoch gets its own);
* `MemberAdam` keeps its step counter and the per-member learning rates on the device: the
  schedule's new rates are copied in between replays, without capturing again;
* warm-up runs on a side stream before capture; the parameters and Adam state are snapshotted
  before and restored after, so warm-up leaves no trace and training stays exactly the eager
  recipe (`stacked.EnsembleBackend`);
* dropout masks come from each member's CPU generator, which a graph cannot replay, so
  members with dropout train eagerly (`make_backend`);
* re-packing after early stopping changes the parameter tensors, so graphs are dropped and
  captured again for the smaller ensemble.

Numerics are pinned to IEEE fp32: TF32 is switched off for cuBLAS matmuls and for cuDNN
(``torch.backends.cuda.matmul.allow_tf32 = False``, ``torch.backends.cudnn.allow_tf32 =
False``) while the engine trains, so the ensemble's bmm and a cuDNN ``nn.LSTM`` reference compute
in the same precision; the previous flags are restored afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch

from rnncap.engine.backends.ensemble import EnsembleBackend
from rnncap.engine.trainer import Rows, Setup

WARMUP_STEPS = 2


@contextlib.contextmanager
def pinned_fp32() -> Iterator[None]:
    """IEEE fp32 matmuls in cuBLAS and cuDNN for the duration; previous flags restored."""
    before = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = before


class GraphBackend(EnsembleBackend):
    """`EnsembleBackend` whose training step is a replayed CUDA graph."""

    def __init__(self, setup: Setup):
        super().__init__(setup)
        self.graphs: dict[tuple, tuple[torch.cuda.CUDAGraph, torch.Tensor, torch.Tensor]] = {}

    def drop(self, keep: list[int]) -> None:
        super().drop(keep)
        self.graphs.clear()  # the parameter tensors changed: capture again

    def _as_index(self, rows: Rows) -> torch.Tensor:
        if isinstance(rows, slice):
            return torch.arange(rows.start, rows.stop, device=self.device)
        return rows

    def step(self, rows: Rows) -> torch.Tensor:
        index = self._as_index(rows)
        key = tuple(index.shape)
        if key not in self.graphs:
            self.graphs[key] = self._capture(index)
        graph, static_index, static_losses = self.graphs[key]
        static_index.copy_(index)
        graph.replay()
        return static_losses.clone()

    # -- capture ----------------------------------------------------------------------------
    def snapshot(self) -> list[torch.Tensor]:
        """Copies of the parameters and the optimizer state."""
        return [t.detach().clone() for t in self._state()]

    def restore(self, snapshot: list[torch.Tensor]) -> None:
        with torch.no_grad():
            for t, saved in zip(self._state(), snapshot, strict=True):
                t.copy_(saved)

    def _state(self) -> list[torch.Tensor]:
        return [*self.model.parameters(), *self.optimizer.state_tensors()]

    def _capture(self, index: torch.Tensor):
        static_index = index.clone()
        snapshot = self.snapshot()
        side = torch.cuda.Stream(self.device)
        side.wait_stream(torch.cuda.current_stream(self.device))
        with torch.cuda.stream(side):
            for _ in range(WARMUP_STEPS):
                EnsembleBackend.step(self, static_index)
        torch.cuda.current_stream(self.device).wait_stream(side)
        self.restore(snapshot)
        graph = torch.cuda.CUDAGraph()
        self.optimizer.zero_grad()
        with torch.cuda.graph(graph):
            static_losses = EnsembleBackend.step(self, static_index)
        return graph, static_index, static_losses
