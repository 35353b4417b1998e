"""Rigorous arithmetic: ball enclosures (python-flint arb), certified smoothness constants,
and computer-assisted proofs (periodic orbits, chaos, descent, balance) as recheckable
certificates.
"""
