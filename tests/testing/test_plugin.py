"""gdtheory.testing: the oracle assertions, the strategies, the plugin, the docs example."""

from __future__ import annotations


def test_the_plugin_fixture_is_registered(gd_oracle):
    f = gd_oracle.objective("x**2/2")
    assert gd_oracle.assert_step(lambda z, h: z - h * z, f, [0.5], h=0.25).passed
    assert gd_oracle.trajectory(f, [1], h="1/2", steps=3)[-1, 0] == 0.125
    assert set(vars(gd_oracle.strategies)) >= {"quadratics", "factorization_instances"}
