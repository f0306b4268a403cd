"""Which complexity measure predicts generalization? Jiang et al. (2020)'s ranking method.

One number per trained model for each measure (`model_measures`), the models as `ModelPoint`s
(hyperparameters, gaps, measures), and Kendall's tau, granulated tau and Psi over them.
"""

from __future__ import annotations

from rnncap.measures.records import ModelPoint

__all__ = ["ModelPoint"]
