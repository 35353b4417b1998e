r"""Rooted trees: the index set of B-series (Butcher; Hairer, Lubich and Wanner, *Geometric
Numerical Integration*, 2nd ed., 2006, III.1).

A rooted tree is stored canonically as the sorted tuple of its children's canonical
forms: the single vertex ``()`` is written •, the tree with root and children
t_1, ..., t_m is [t_1, ..., t_m].  Two trees are isomorphic iff their canonical forms are
equal, so a tree *is* its canonical form and can index a dictionary.

For a vector field F the elementary differential of a tree is

    F(•) = F,    F([t_1, ..., t_m]) = F^{(m)}(F(t_1), ..., F(t_m)),

and the integers attached to a tree are its order |t| (number of vertices), its symmetry
sigma(t) = prod_i k_i! sigma(s_i)^{k_i} (children s_i with multiplicities k_i) and its
density gamma(t) = |t| prod_i gamma(t_i) (HLW III.1, Definitions 1.1-1.3; the exact flow
is the B-series with coefficients 1/gamma).

Derivatives of B-series act on trees by grafting: the directional derivative of F(t)
along F(s) is the sum over the vertices v of t of F(t o_v s), s grafted onto v.  Read
backwards, the coefficient of a tree collects its *edge cuts* (:func:`cuts`): removing
an edge splits t into the part theta that keeps the root and the branch s cut off.

Free (unrooted) trees index the scalar invariants of a gradient field (tensor networks
of derivatives of f); :func:`free_tree` gives their canonical form and :func:`rootings`
the rooted trees obtained by choosing a root.

>>> t = tree(tree(), tree(tree()))
>>> bracket(t), order(t), symmetry(t), density(t)
('[•, [•]]', 4, 1, 8)
>>> [len(trees_of_order(n)) for n in range(1, 8)]
[1, 1, 2, 4, 9, 20, 48]
"""

from __future__ import annotations

import math
from collections import Counter
from functools import cache

__all__ = [
    "Tree",
    "tree",
    "order",
    "symmetry",
    "density",
    "trees_of_order",
    "trees_up_to",
    "cuts",
    "subtrees",
    "graft",
    "bracket",
    "tree_latex",
    "free_tree",
    "rootings",
    "paths",
    "free_trees_of_order",
]

#: A rooted tree: the sorted tuple of its children (the single vertex is ``()``).
Tree = tuple


def tree(*children: Tree) -> Tree:
    """The canonical tree with the given children (``tree()`` is the single vertex)."""
    return tuple(sorted(children))


@cache
def order(t: Tree) -> int:
    """|t|, the number of vertices."""
    return 1 + sum(order(c) for c in t)


@cache
def symmetry(t: Tree) -> int:
    """sigma(t), the order of the automorphism group of t."""
    out = 1
    for child, k in Counter(t).items():
        out *= math.factorial(k) * symmetry(child) ** k
    return out


@cache
def density(t: Tree) -> int:
    """gamma(t) = |t| prod gamma(children); the exact flow has coefficients 1/gamma."""
    return order(t) * math.prod(density(c) for c in t)


@cache
def trees_of_order(n: int) -> tuple[Tree, ...]:
    """Every rooted tree with n vertices, each once, in a fixed order (sorted by form).

    Built by attaching a leaf to every vertex of every tree of order n - 1 (each tree
    of order n arises so); 1, 1, 2, 4, 9, 20, 48, 115, 286, 719, 1842 for n = 1..11
    (OEIS A000081).
    """
    if n < 1:
        return ()
    if n == 1:
        return ((),)
    found: set[Tree] = set()
    for t in trees_of_order(n - 1):
        found.update(graft(t, ()))
    return tuple(sorted(found, key=_key))


def trees_up_to(n: int) -> tuple[Tree, ...]:
    """Every rooted tree with at most n vertices, by increasing order."""
    return tuple(t for k in range(1, n + 1) for t in trees_of_order(k))


def _key(t: Tree) -> tuple[int, Tree]:
    return (order(t), t)


@cache
def graft(t: Tree, s: Tree) -> tuple[Tree, ...]:
    """The trees t o_v s for every vertex v of t (with repetition): s grafted onto v."""
    out = [tree(*t, s)]
    for i, child in enumerate(t):
        rest = t[:i] + t[i + 1 :]
        out.extend(tree(*rest, g) for g in graft(child, s))
    return tuple(out)


@cache
def cuts(t: Tree) -> tuple[tuple[Tree, Tree], ...]:
    """(theta, s) for every edge of t: theta keeps the root, s is the branch cut off.

    The edge cuts are the grafting read backwards: with coefficients normalised by the
    symmetry (B-series h^|t|/sigma(t) a(t) F(t)), the coefficient of t in the derivative of
    the B-series u along the B-series b is the sum over the edge cuts of u(theta) b(s).
    """
    out: list[tuple[Tree, Tree]] = []
    for i, child in enumerate(t):
        rest = t[:i] + t[i + 1 :]
        out.append((rest, child))
        out.extend((tree(*rest, theta), s) for theta, s in cuts(child))
    return tuple(out)


@cache
def subtrees(t: Tree) -> tuple[tuple[Tree, tuple[Tree, ...]], ...]:
    """(u, forest) for every subtree u of t that contains the root (one entry per set of
    vertices, so with repetition), forest the branches that hang off it, sorted.

    With coefficients normalised by the symmetry, the composition of B-series is a sum
    over these (Hairer, Lubich and Wanner, *Geometric Numerical Integration*, III.1.4,
    Theorem 1.10): for a(empty) = 1, B(b, B(a, x)) = B(a.b, x) with
    (a.b)(t) = b(empty) a(t) + sum over (u, forest) of b(u) prod_{v in forest} a(v).

    >>> subtrees(tree(tree(), tree()))   # [•, •]: the root alone, with either leaf, both
    (((), ((), ())), (((),), ((),)), (((),), ((),)), (((), ()), ()))
    """
    options: list[tuple[Tree, tuple[Tree, ...]]] = [((), ())]  # (kept children, forest)
    for child in t:
        grown = []
        for kept, forest in options:
            grown.append((kept, (*forest, child)))
            grown.extend(((*kept, u), forest + f) for u, f in subtrees(child))
        options = grown
    return tuple((tree(*kept), tuple(sorted(forest))) for kept, forest in options)


def bracket(t: Tree) -> str:
    """Butcher's bracket notation: •, [•], [•, •], [[•]], ..."""
    if not t:
        return "•"
    return "[" + ", ".join(bracket(c) for c in t) + "]"


def tree_latex(t: Tree) -> str:
    r"""LaTeX of the bracket notation (``\bullet``, ``[\bullet]_{}``)."""
    if not t:
        return r"\bullet"
    return "[" + ",".join(tree_latex(c) for c in t) + "]"


# ------------------------------------------------------------------ labelled forms
def _labelled(t: Tree) -> list[list[int]]:
    """Adjacency (children lists) of t with vertex 0 the root, depth-first."""
    kids: list[list[int]] = []

    def visit(s: Tree) -> int:
        me = len(kids)
        kids.append([])
        for c in s:
            kids[me].append(visit(c))
        return me

    visit(t)
    return kids


def _neighbours(t: Tree) -> list[list[int]]:
    kids = _labelled(t)
    nb: list[list[int]] = [list(k) for k in kids]
    for v, ks in enumerate(kids):
        for c in ks:
            nb[c].append(v)
    return nb


def _rooted_at(nb: list[list[int]], root: int, parent: int = -1) -> Tree:
    return tree(*(_rooted_at(nb, c, root) for c in nb[root] if c != parent))


@cache
def rootings(t: Tree) -> tuple[Tree, ...]:
    """The rooted trees obtained by rooting the underlying free tree of t at each of its
    vertices (with repetition, one per vertex)."""
    nb = _neighbours(t)
    return tuple(_rooted_at(nb, v) for v in range(len(nb)))


@cache
def free_tree(t: Tree) -> Tree:
    """The canonical form of the free tree underlying t (its least rooting)."""
    return min(rootings(t), key=_key)


def free_trees_of_order(n: int) -> tuple[Tree, ...]:
    """Every free tree with n vertices, each once, as its canonical rooting."""
    return tuple(sorted({free_tree(t) for t in trees_of_order(n)}, key=_key))


@cache
def paths(t: Tree) -> tuple[tuple[tuple[Tree, ...], ...], ...]:
    """For each vertex v of t, the root-to-v path written as the sequence of the
    off-path branches hanging from each path vertex (the vertex v keeps all its children).

    This is the form of the Jacobian of an elementary differential of a gradient field:
    the term of v is the product, along the path, of the matrices D^{c+2} f[branches],
    and its transpose is the reversed sequence (the derivative tensors are symmetric).
    """
    kids = _labelled(t)
    forms = [_rooted_at([list(k) for k in kids], v, -2) for v in range(len(kids))]
    out = []
    parent = {c: v for v, ks in enumerate(kids) for c in ks}
    for v in range(len(kids)):
        chain = [v]
        while chain[-1] in parent:
            chain.append(parent[chain[-1]])
        chain.reverse()
        seq = []
        for i, p in enumerate(chain):
            nxt = chain[i + 1] if i + 1 < len(chain) else None
            seq.append(tree(*(forms[c] for c in kids[p] if c != nxt)))
        out.append(tuple(seq))
    return tuple(out)
