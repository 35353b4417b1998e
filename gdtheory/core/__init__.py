"""The core layer: objectives and their parser, the objective library, exact scalars and
validators, the GD map over numeric contexts, outcomes, budget, caches and learning-rate regimes.

Nothing here imports another gdtheory layer.
"""
