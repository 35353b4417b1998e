"""Continuous models of GD: gradient and modified flows integrated at high precision, the
principal flow (complex past h lambda = 1) and the central flow at the edge of stability
with its semidefinite complementarity problem.

Imports :mod:`gdtheory.core`, :mod:`gdtheory.models`, :mod:`gdtheory.backward_error` and
:mod:`gdtheory.landscape` (the sharpness of a model).
"""
