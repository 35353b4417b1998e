"""Dynamics of the GD map: high-precision trajectories, the float64 engine (NumPy and numba),
orbit diagrams and basins, periodic orbits, Lyapunov exponents, invariant densities,
SGD and SME sampling and their exact moments.

Imports :mod:`gdtheory.core`, :mod:`gdtheory.methods` and :mod:`gdtheory.backward_error`.
"""
