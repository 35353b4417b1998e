"""The framework, every registered claim (quick mode), and the CLI."""

from __future__ import annotations

import pytest

from gdtheory.report.claims import fit_order


def test_fit_order_recovers_known_slopes():
    hs = [0.1, 0.05, 0.025, 0.0125]
    assert fit_order(hs, [3 * h**3 for h in hs]) == pytest.approx(3)
    with pytest.raises(ValueError):
        fit_order([0.1], [1.0])


def test_format_number_switches_to_scientific_outside_1e_3_to_1e5():
    from gdtheory.core.tables import format_number

    assert format_number(1e-3) == "0.001" and format_number(9.99e-4) == "9.990e-04"
    assert format_number(99990.0) == "9.999e+04" and format_number(1e5) == "1.000e+05"
    assert format_number(-1e-3) == "-0.001" and format_number(0.0) == "0.0"
