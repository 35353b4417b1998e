"""The optimiser registry: every method (GD, heavy ball, Nesterov, preconditioned GD, SGD,
and any method a user defines) as one class holding its hyperparameters and one update
formula over any arithmetic; public as :mod:`gdtheory.optimizers`.

Imports only :mod:`gdtheory.core`.
"""

# Import the built-in methods so that the registry knows them all ("gd", "adam", ...),
# whichever module of the layer is imported first (each method registers itself).
from . import adaptive, optimizers  # noqa: E402, F401
