r"""How trees are printed: elementary differentials in the notation papers use.

* A generic vector field F: F(•) = F, F([t]) = F'F(t), F([t_1, t_2]) = F''(F(t_1), F(t_2)),
  ... (primes up to three, then F^{(m)}).
* A gradient field F = -g, g = grad f, H = Hessian, D^m f the m-th derivative tensor:
  T(•) = g, T([t]) = H T(t) (chains collapse to powers H^k g), T([t_1, ..., t_m]) =
  D^{m+1}f[T(t_1), ..., T(t_m)] for m >= 2 (arguments in a fixed order: the tensor is
  symmetric, so permuted arguments are one term).
* Matrices (Jacobian terms): the product along a path of D^{c+2}f[branches] (H when
  c = 0).  Scalars (potentials): a free tree rooted at a vertex with m neighbours is
  D^m f[T(t_1), ..., T(t_m)], printed f, g^T v (|g|^2 for v = g), v^T H w, D^m f[...].

>>> from gdtheory.backward_error.trees import tree
>>> t = tree(tree(), tree(tree()))
>>> tensor_text(t)
('D^3f[g, H g]', 'D^{3}f[g, H g]')
>>> field_text(t)[0]
"F''(F, F'F)"
"""

from __future__ import annotations

from .trees import Tree, order

__all__ = ["tensor_text", "field_text", "matrix_text", "scalar_text"]


def _sorted(children: Tree) -> list[Tree]:
    """Children in print order: smaller trees first."""
    return sorted(children, key=lambda c: (order(c), c))


def tensor_text(t: Tree) -> tuple[str, str]:
    """(text, LaTeX) of T(t) for a gradient field, in g, H and D^m f."""
    factors: list[tuple[str, str]] = []
    node = t
    while len(node) == 1:  # a chain of H's
        factors.append(("H", "H"))
        node = node[0]
    if not node:
        tail = ("g", "g")
    else:
        args = [tensor_text(c) for c in _sorted(node)]
        m = len(node) + 1
        tail = (
            f"D^{m}f[{', '.join(a for a, _ in args)}]",
            f"D^{{{m}}}f[{', '.join(b for _, b in args)}]",
        )
    k = len(factors)
    if k == 0:
        return tail
    return (
        ("H " if k == 1 else f"H^{k} ") + tail[0],
        ("H " if k == 1 else f"H^{{{k}}} ") + tail[1],
    )


def _primes(m: int) -> tuple[str, str]:
    if m <= 3:
        return "F" + "'" * m, "F" + "'" * m
    return "F" + "'" * m, f"F^{{({m})}}"


def field_text(t: Tree) -> tuple[str, str]:
    """(text, LaTeX) of the elementary differential F(t) of a generic field."""
    if not t:
        return "F", "F"
    if len(t) == 1:
        inner = field_text(t[0])
        return "F'" + inner[0], "F'" + inner[1]
    args = [field_text(c) for c in _sorted(t)]
    name, tex = _primes(len(t))
    return (
        f"{name}({', '.join(a for a, _ in args)})",
        f"{tex}({', '.join(b for _, b in args)})",
    )


def matrix_text(key: tuple[Tree, ...]) -> str:
    """The matrix product along a path: D^{c+2}f[branches] per path vertex (H for c = 0)."""
    parts: list[str] = []
    run = 0
    for branches in key:
        if not branches:
            run += 1
            continue
        if run:
            parts.append("H" if run == 1 else f"H^{run}")
            run = 0
        args = ", ".join(tensor_text(c)[0] for c in _sorted(branches))
        parts.append(f"D^{len(branches) + 2}f[{args}]")
    if run:
        parts.append("H" if run == 1 else f"H^{run}")
    return " ".join(parts)


def scalar_text(u: Tree) -> str:
    """The scalar S(u) of a free tree u given by a rooting: f, g^T v, v^T H w, D^m f[...]."""
    args = [tensor_text(c)[0] for c in _sorted(u)]
    if not args:
        return "f"
    if len(args) == 1:
        return "|g|^2" if args[0] == "g" else f"g^T {args[0]}"
    if len(args) == 2:
        return f"({args[0]})^T H ({args[1]})" if args != ["g", "g"] else "g^T H g"
    return f"D^{len(args)}f[{', '.join(args)}]"
