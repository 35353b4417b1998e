"""Rigorous arithmetic: ball enclosures (python-flint arb), certified smoothness constants,
and computer-assisted proofs (periodic orbits, chaos, descent, balance) as recheckable
certificates.
"""

# Import every kind of certificate so that recheck() knows them all, whichever module of
# the rigorous layer is imported first (each kind registers itself with the base).
from . import balance_proofs, chaos, descent, orbits, smoothness  # noqa: E402, F401
