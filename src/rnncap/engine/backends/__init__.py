"""The engine's training backends, one file each, all run by `rnncap.engine.trainer.run_members`:

- `ensemble`: every member in one `EnsembleRecurrent` (`rnncap.engine.ensemble_module`), stepped
  together (CPU and eager GPU);
- `loop`: one fused torch module per member, stepped in lockstep (CPU, wide LSTM layers);
- `cuda_graph`: the ensemble's whole step captured as a CUDA graph (GPU).

`rnncap.engine.strategy` picks one per group of members; `rnncap.engine.api.train` builds it.
"""
