"""Printing trees in the notation papers use."""

from __future__ import annotations

from gdtheory.backward_error.notation import field_text, matrix_text, scalar_text, tensor_text
from gdtheory.backward_error.trees import tree

DOT = tree()
CHAIN3 = tree(tree(DOT))
CHERRY = tree(DOT, DOT)


def test_gradient_terms() -> None:
    assert tensor_text(DOT) == ("g", "g")
    assert tensor_text(CHAIN3)[0] == "H^2 g" and tensor_text(CHAIN3)[1] == "H^{2} g"
    assert tensor_text(CHERRY)[0] == "D^3f[g, g]"
    assert tensor_text(tree(CHERRY))[0] == "H D^3f[g, g]"
    assert tensor_text(tree(DOT, DOT, DOT, DOT))[1] == "D^{5}f[g, g, g, g]"


def test_field_terms() -> None:
    assert field_text(CHAIN3)[0] == "F'F'F"
    assert field_text(CHERRY)[0] == "F''(F, F)"
    five = tree(DOT, DOT, DOT, DOT, DOT)
    assert field_text(five) == ("F'''''(F, F, F, F, F)", "F^{(5)}(F, F, F, F, F)")


def test_matrices_and_scalars() -> None:
    assert matrix_text(((), (DOT,))) == "H D^3f[g]"
    assert matrix_text(((), (), ())) == "H^3"
    assert scalar_text(DOT) == "f"
    assert scalar_text(tree(DOT)) == "|g|^2"
    assert scalar_text(CHERRY) == "g^T H g"
    assert scalar_text(tree(tree(DOT))) == "g^T H g"
