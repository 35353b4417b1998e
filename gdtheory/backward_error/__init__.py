"""Backward error analysis: modified equations of one-step maps to any order (the
differential ring), generic Runge-Kutta B-series, closed forms on quadratics, series
diagnostics, momentum on its slow manifold, SGD and stochastic modified equations.

Imports :mod:`gdtheory.core` and :mod:`gdtheory.methods`.
"""
