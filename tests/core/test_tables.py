"""The framework, every registered claim (quick mode), and the CLI."""

from __future__ import annotations

import pytest

from gdtheory.report.claims import fit_order


def test_fit_order_recovers_known_slopes():
    hs = [0.1, 0.05, 0.025, 0.0125]
    assert fit_order(hs, [3 * h**3 for h in hs]) == pytest.approx(3)
    with pytest.raises(ValueError):
        fit_order([0.1], [1.0])
