"""The loss landscape near minimisers and along training: Hessian spectra on minimiser
sets and the balancing effect, models with exact Hessian-vector products, sharpness and the
edge of stability.

These work on models (flat parameter vectors with HVPs), not on symbolic
GD maps, and they run GD studies, so they sit above :mod:`gdtheory.dynamics`.
"""
