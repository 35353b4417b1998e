"""One module per claim of the theory (source: :data:`proofs_checks.source.BLOG`); each
defines ``CLAIM``, a
:class:`gdtheory.report.claims.Claim` whose check returns evidence.

``gdtheory verify`` runs every claim listed in :data:`MODULES`.
"""

from __future__ import annotations

from importlib import import_module

from gdtheory.report.claims import Claim

#: The claim modules, in report order.
MODULES = (
    "t1_smooth_convergence",
    "t2_quadratic_regimes",
    "t3_explicit_euler",
    "t4_modified_equations",
    "t5_four_regimes",
    "t6_large_lr_attractors",
    "t7_multiscale_gibbs",
    "t8_balancing",
    "t9_edge_of_stability",
    "t10_momentum_sgd",
    "t11_continuous_models",
    "t12_adaptive_methods",
)


def claims() -> tuple[Claim, ...]:
    """Import every claim module and return their claims, in order."""
    return tuple(import_module(f"{__name__}.{m}").CLAIM for m in MODULES)
