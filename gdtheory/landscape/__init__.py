"""The loss landscape: Hessian spectra on minimiser sets, conserved quantities and the
balancing effect, balance laws and imbalance bounds, and the sharpness of models along
training (the edge of stability).

Imports :mod:`gdtheory.core`, :mod:`gdtheory.models` and :mod:`gdtheory.backward_error`.
"""
