"""Rooted trees: counts, symmetries and densities against independent enumerations."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdtheory.backward_error.trees import (
    bracket,
    cuts,
    density,
    free_trees_of_order,
    graft,
    order,
    paths,
    rootings,
    symmetry,
    tree,
    trees_of_order,
)

# OEIS A000081 (rooted trees) and A000055 (free trees)
ROOTED = [1, 1, 2, 4, 9, 20, 48, 115, 286, 719, 1842]
FREE = [1, 1, 1, 2, 3, 6, 11, 23, 47, 106, 235]


def test_counts_match_oeis() -> None:
    assert [len(trees_of_order(n)) for n in range(1, 12)] == ROOTED
    assert [len(free_trees_of_order(n)) for n in range(1, 12)] == FREE


@pytest.mark.parametrize("n", range(1, 10))
def test_cayley_and_recursive_tree_identities(n: int) -> None:
    """sum n!/sigma(t) = n^(n-1) (labelled rooted trees, Cayley) and
    sum n!/(sigma(t) gamma(t)) = (n-1)! (increasing trees): the symmetry and density of
    every tree are checked through two counts computed without trees."""
    ts = trees_of_order(n)
    assert sum(math.factorial(n) // symmetry(t) for t in ts) == n ** (n - 1)
    assert sum(math.factorial(n) // (symmetry(t) * density(t)) for t in ts) == math.factorial(n - 1)


def test_named_trees() -> None:
    chain3, cherry = tree(tree(tree())), tree(tree(), tree())
    assert bracket(chain3) == "[[•]]" and bracket(cherry) == "[•, •]"
    assert (symmetry(cherry), density(cherry)) == (2, 3)
    assert (symmetry(chain3), density(chain3)) == (1, 6)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 8).flatmap(lambda n: st.sampled_from(trees_of_order(n))))
def test_cuts_are_grafting_read_backwards(t: tuple) -> None:
    """For every edge cut (theta, s) of t: grafting s onto a vertex of theta gives t,
    and the counts satisfy N(theta, s; t) sigma(t) = M(theta, s; t) sigma(theta) sigma(s)
    (N graftings, M cuts), the identity behind the normalised cut formula."""
    c = cuts(t)
    assert len(c) == order(t) - 1
    M = Counter(c)
    for (theta, s), m in M.items():
        N = sum(1 for g in graft(theta, s) if g == t)
        assert N * symmetry(t) == m * symmetry(theta) * symmetry(s)
    assert len(paths(t)) == order(t) and len(rootings(t)) == order(t)


def test_trees_up_to_starts_at_the_single_vertex() -> None:
    from gdtheory.backward_error.trees import trees_of_order, trees_up_to

    ts = trees_up_to(4)
    assert ts[0] == trees_of_order(1)[0] and len(ts) == 1 + 1 + 2 + 4


def test_subtrees_are_the_root_containing_vertex_sets() -> None:
    """A chain of n vertices has n of them, a root with k leaves 2^k; the kept and the
    cut-off parts always add up to the tree."""
    from gdtheory.backward_error.trees import order, subtrees, tree, trees_up_to

    chain = tree(tree(tree(tree())))
    assert len(subtrees(chain)) == 4
    star = tree(tree(), tree(), tree())
    assert len(subtrees(star)) == 8
    for t in trees_up_to(6):
        for u, forest in subtrees(t):
            assert order(u) + sum(order(w) for w in forest) == order(t)
