"""The optimiser registry: every method (GD, heavy ball, Nesterov, preconditioned GD, SGD,
and any method a user defines) as one class holding its hyperparameters and one update
formula over any arithmetic; public as :mod:`gdtheory.optimizers`.

Imports only :mod:`gdtheory.core`.
"""
