"""The capacity atlas (issue 23): memorization and the VC estimate over cells x depths x designs
x seeds, each row at doubling budgets until converged, run on the study's executors into its
store (`run`), exported with provenance (`table`) into ``v1.json`` beside this file, and quoted
by `rnncap explain`, `rnncap capacity depth` and the study report (`quote`).

Modules are imported by name (``rnncap.capacity.atlas.quote``); this package imports nothing, so
that the records (`grid.AtlasPoint`) load without torch.
"""
