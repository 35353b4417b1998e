"""Dynamics of the GD map: high-precision trajectories, the float64 engine (NumPy and numba),
orbit diagrams and basins, periodic orbits, Lyapunov exponents, invariant densities and the
multiscale studies.

Imports :mod:`gdtheory.core` and :mod:`gdtheory.backward_error`.
"""
