"""The source of the claims: the blog post the theory follows, cited in full; and what
several claims share (starts, the T9 network with its JAX twin)."""

from __future__ import annotations

from typing import Any

from gdtheory.errors import GDTheoryError
from gdtheory.models.numpy_models import eos_network

#: Authors, title, venue, date and address of the source blog post.
BLOG = (
    'Molei Tao and Yuqing Wang, "Fun facts about large learning rates: how large is large, '
    "and what tricks they can do?\", It's Dynamical (blog), 2022-07-25, "
    "https://itsdynamical.github.io/article/2022/07/25/large-learning-rate.html"
)


def network_and_twin() -> tuple[Any, Any, str]:
    """The T9 tanh network (data seed 0), its JAX twin for third-derivative products, and
    "" - or (network, None, the reason) where JAX is missing."""
    net = eos_network(0)
    try:
        return net, net.to_jax(), ""
    except GDTheoryError as exc:
        return net, None, str(exc)
