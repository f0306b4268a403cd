"""GPU training: the whole ensemble step (gather, forward, backward, clip, Adam) as a CUDA graph.

An eager ensemble step launches ~1,000 small kernels and is launch-bound (~10 ms whatever M);
replaying a captured graph removes that overhead (measured 1.3-8.6x over eager on an H200, see
docs/performance.md). Recipe (PyTorch's "whole network capture"):

* static buffers: the data stay on the device, and each step copies only its row indices into a
  static index buffer that the captured gather reads; one graph per distinct index shape (the
  last, smaller batch of an epoch gets its own);
* ``Adam(capturable=True, foreach=True)`` keeps its step counter on the device;
* warm-up runs on a side stream before capture; the parameters and Adam state are snapshotted
  before and restored after, so warm-up leaves no trace and training stays exactly the eager
  recipe (`trainer.EnsembleTrainer`);
* re-packing after early stopping changes the parameter tensors, so graphs are dropped and
  captured again for the smaller ensemble.

Numerics are pinned to IEEE fp32: TF32 is switched off for cuBLAS matmuls and for cuDNN
(``torch.backends.cuda.matmul.allow_tf32 = False``, ``torch.backends.cudnn.allow_tf32 =
False``) while the engine trains, so the ensemble's bmm and a cuDNN ``nn.LSTM`` reference compute
in the same precision; the previous flags are restored afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

import torch

from rnncap.engine.records import Job
from rnncap.engine.trainer import EnsembleTrainer

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


class GraphEnsembleTrainer(EnsembleTrainer):
    """`EnsembleTrainer` whose training step is a replayed CUDA graph."""

    def __init__(self, jobs: Sequence[Job], device: torch.device):
        super().__init__(jobs, device)
        self.graphs: dict[tuple, tuple[torch.cuda.CUDAGraph, torch.Tensor, torch.Tensor]] = {}

    def _optimizer(self) -> torch.optim.Optimizer:
        s = self.settings
        return torch.optim.Adam(
            self.model.parameters(),
            lr=s.lr,
            weight_decay=s.weight_decay,
            capturable=True,
            foreach=True,
        )

    def _repacked(self) -> None:
        self.graphs.clear()

    def run(self, tick=None):
        with pinned_fp32():
            return super().run(tick)

    def _as_index(self, rows: torch.Tensor | slice) -> torch.Tensor:
        if isinstance(rows, slice):
            return torch.arange(rows.start, rows.stop, device=self.device)
        return rows

    def step(self, rows: torch.Tensor | slice) -> torch.Tensor:
        index = self._as_index(rows)
        key = tuple(index.shape)
        if key not in self.graphs:
            self.graphs[key] = self._capture(index)
        graph, static_index, static_losses = self.graphs[key]
        static_index.copy_(index)
        graph.replay()
        return static_losses.clone()

    # -- capture ----------------------------------------------------------------------------
    def _snapshot(self) -> tuple[list[torch.Tensor], dict]:
        params = [p.detach().clone() for p in self.model.parameters()]
        state = {
            p: {k: v.clone() for k, v in self.optimizer.state[p].items()}
            for p in self.model.parameters()
            if p in self.optimizer.state
        }
        return params, state

    def _restore(self, snapshot: tuple[list[torch.Tensor], dict]) -> None:
        params, state = snapshot
        with torch.no_grad():
            for p, saved in zip(self.model.parameters(), params, strict=True):
                p.copy_(saved)
                for k, v in self.optimizer.state.get(p, {}).items():
                    if p in state:
                        v.copy_(state[p][k])
                    else:
                        v.zero_()  # a fresh Adam state is zeros with step 0

    def _capture(self, index: torch.Tensor):
        static_index = index.clone()
        snapshot = self._snapshot()
        side = torch.cuda.Stream(self.device)
        side.wait_stream(torch.cuda.current_stream(self.device))
        with torch.cuda.stream(side):
            for _ in range(WARMUP_STEPS):
                EnsembleTrainer.step(self, static_index)
        torch.cuda.current_stream(self.device).wait_stream(side)
        self._restore(snapshot)
        graph = torch.cuda.CUDAGraph()
        self.optimizer.zero_grad(set_to_none=True)
        with torch.cuda.graph(graph):
            static_losses = EnsembleTrainer.step(self, static_index)
        return graph, static_index, static_losses
