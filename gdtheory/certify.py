"""Computer-assisted proofs about GD maps, importable as ``gdtheory.certify``.

They live in :mod:`gdtheory.rigorous`: periodic orbits (:mod:`~gdtheory.rigorous.orbits`),
period three implies chaos (:mod:`~gdtheory.rigorous.chaos`), the descent lemma on a box
(:mod:`~gdtheory.rigorous.descent`), stability of balanced minimisers
(:mod:`~gdtheory.rigorous.balance_proofs`), smoothness constants on a box or on all of R^n
(:mod:`~gdtheory.rigorous.smoothness`), all sharing one certificate base and
:func:`recheck` (:mod:`~gdtheory.rigorous.certificate`).
"""

from .rigorous.balance_proofs import BalanceCertificate, certify_balance
from .rigorous.certificate import Certificate, CertificateBundle, recheck
from .rigorous.chaos import ChaosCertificate, certify_period_three_chaos
from .rigorous.descent import DescentCertificate, certify_descent
from .rigorous.orbits import OrbitCertificate, certify_periodic_orbit
from .rigorous.smoothness import SmoothnessCertificate, certify_smoothness

__all__ = [
    "Certificate",
    "CertificateBundle",
    "recheck",
    "OrbitCertificate",
    "certify_periodic_orbit",
    "ChaosCertificate",
    "certify_period_three_chaos",
    "DescentCertificate",
    "certify_descent",
    "BalanceCertificate",
    "certify_balance",
    "SmoothnessCertificate",
    "certify_smoothness",
]

from .core.guard import guard_namespace  # noqa: E402

guard_namespace(globals(), __all__)
