"""Exact and high-precision handling of the scalars users pass (h, L, tolerances).

A learning rate such as ``h = 19/10`` must be honoured *exactly*: the float ``1.9`` is
``1.899999999999999911182158029987...`` and over hundreds of chaotic GD steps that
difference is visible.  This module turns what a user types into an exact SymPy number
when the input is exact (int, :class:`fractions.Fraction`, decimal or fraction strings,
SymPy rationals) and keeps the exact binary value of floats, so that conversion to an
mpmath number at any working precision is correctly rounded.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any, Union

import mpmath
import numpy as np
import sympy as sp

from ..errors import (
    ComplexityError,
    GDTheoryError,
    InvalidInputError,
    NotRealError,
    PrecisionError,
    ShapeError,
)
from .parsing import MAX_BITS, check_decimal_exponent, parse_expression, rational_bits

__all__ = [
    "RealLike",
    "exact_real",
    "to_mpf",
    "positive_real",
    "check_dps",
    "check_box",
    "MIN_DPS",
    "MAX_DPS",
    "real_array",
    "short_repr",
    "point_coordinates",
    "exact_floats",
    "is_float_input",
    "simplest_fraction",
    "float_or_exact",
]

#: Smallest working precision (decimal digits) accepted by the high-precision engines.
MIN_DPS = 15
#: Largest working precision accepted; beyond it a single step takes seconds.
MAX_DPS = 10_000

#: What a user may pass for a real scalar such as h or L.
RealLike = Union[int, float, Fraction, str, sp.Basic, mpmath.mpf]  # noqa: UP007 (runtime alias)


def exact_floats(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every SymPy Float replaced by the exact rational value of its binary
    number (an update formula written with 0.5 or 0.9 enters the exact theory as the
    number the float arithmetic uses).

    >>> x = sp.Symbol("x")
    >>> exact_floats(sp.Float(0.5) * x + sp.Float(0.1))
    x/2 + 3602879701896397/36028797018963968
    """
    return expr.xreplace({t: sp.Rational(t) for t in expr.atoms(sp.Float)})


def is_float_input(value: object) -> bool:
    """Whether ``value`` is a binary floating-point number (a Python or NumPy float, a SymPy
    Float): an input whose decimal or fractional meaning the caller may have lost."""
    return isinstance(value, float | np.floating | sp.Float)


def _simplest_between(lo: Fraction, hi: Fraction) -> Fraction:
    """The fraction with the smallest denominator in [lo, hi], 0 <= lo <= hi (the
    continued-fraction walk of the Stern-Brocot tree)."""
    whole = math.floor(lo)
    if whole == lo or whole + 1 <= hi:
        return Fraction(whole if whole == lo else whole + 1)
    return whole + 1 / _simplest_between(1 / (hi - whole), 1 / (lo - whole))


def simplest_fraction(value: float) -> Fraction:
    """The fraction with the smallest denominator whose nearest double is ``value``: the
    exact number a float most plausibly stands for (0.1 -> 1/10, 0.25 -> 1/4, the double
    nearest 1/6 -> 1/6, 1e-8 -> 1/100000000).  For a float that stands for an irrational
    number (the double nearest sqrt(2)/2) it is a fraction with a large denominator.

    >>> simplest_fraction(1 / 6), simplest_fraction(0.9), simplest_fraction(-2.5)
    (Fraction(1, 6), Fraction(9, 10), Fraction(-5, 2))
    """
    v = float(value)
    if not math.isfinite(v):
        raise InvalidInputError(f"{v!r} is not a finite number")
    if v < 0:
        return -simplest_fraction(-v)
    if v == 0:
        return Fraction(0)
    exact = Fraction(v)
    lo = (Fraction(math.nextafter(v, -math.inf)) + exact) / 2
    up = math.nextafter(v, math.inf)
    hi = (Fraction(up) + exact) / 2 if math.isfinite(up) else exact  # the largest double
    for shrink in (Fraction(0), Fraction(1, 2**30)):  # a midpoint rounds to even: shrink once
        q = _simplest_between(lo + (hi - lo) * shrink, hi - (hi - lo) * shrink)
        if float(q) == v:
            return q
    return exact


def float_or_exact(value: Any, name: str = "value") -> sp.Expr:
    """A method's hyperparameter as an exact number: a float is read as the simplest
    fraction whose nearest double it is (:func:`simplest_fraction`: 0.9 -> 9/10, 1e-8 ->
    1/10^8), so that beta1=0.9 and "9/10" are the same method; anything else as by
    :func:`exact_real`.

    >>> float_or_exact(0.999, "beta2"), float_or_exact("1e-8", "eps")
    (999/1000, 1/100000000)
    """
    if is_float_input(value) and math.isfinite(float(value)):
        q = simplest_fraction(float(value))
        return sp.Rational(q.numerator, q.denominator)
    return exact_real(value, name)


def exact_real(value: RealLike, name: str = "value") -> sp.Expr:
    """Return ``value`` as a finite real SymPy number, exact whenever the input is.

    Accepted: ``int``, ``Fraction``, ``str`` (``"19/10"``, ``"1.9"``, ``"1e-3"``, all
    read exactly as decimals/fractions; a constant expression such as ``"sqrt(2)/2"`` is
    parsed safely, never evaluated as code), SymPy numbers (``Rational``, ``Float``, ``pi``,
    ``sqrt(2)`` ...), ``mpmath.mpf`` and floats (their exact binary value).

    Examples
    --------
    >>> exact_real("19/10")
    19/10
    >>> exact_real("1.9")
    19/10
    >>> exact_real(0.5)
    1/2
    >>> exact_real("nan", "h")
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: h must be a finite real number, got 'nan'
    """

    def bad() -> InvalidInputError:  # built only when raised: repr costs more than the rest
        return InvalidInputError(f"{name} must be a finite real number, got {short_repr(value)}")

    if _is_nonreal(value):
        raise NotRealError(f"{name} must be real, got the complex value {short_repr(value)}")
    if isinstance(value, bool):
        raise bad()
    if isinstance(value, str):
        text = value.strip()
        if len(text) > 5000:
            raise ComplexityError(f"{name} is a string of {len(text)} characters; at most 5000")
        for piece in text.split("/"):
            check_decimal_exponent(piece, name)
        try:
            if "/" in text:
                num, den = text.split("/")
                ratio = Fraction(num.strip()) / Fraction(den.strip())  # ZeroDivisionError
                result: sp.Expr = sp.Rational(ratio.numerator, ratio.denominator)
            else:
                result = sp.Rational(Fraction(text))
        except ZeroDivisionError:
            raise bad() from None
        except (ValueError, TypeError):
            result = _constant_text(text, name, bad)
        return _sized(result, name)
    if isinstance(value, Fraction):
        return _sized(sp.Rational(value.numerator, value.denominator), name)
    if isinstance(value, numbers.Integral):
        return _sized(sp.Integer(int(value)), name)
    if isinstance(value, mpmath.mpf):
        if not mpmath.isfinite(value):
            raise bad()
        sign, man, exp, _ = value._mpf_  # man_exp drops the sign
        return (-1) ** sign * sp.Integer(man) * sp.Integer(2) ** exp
    if isinstance(value, sp.Basic):
        if not (value.is_number and value.is_real is not False) or not value.is_finite:
            raise bad()
        if value.is_real is None:
            raise bad()
        return _sized(value, name)
    if isinstance(value, numbers.Real):  # float, numpy floats
        v = float(value)
        if not math.isfinite(v):
            raise bad()
        return sp.Rational(Fraction(v))
    raise bad()


def _constant_text(text: str, name: str, bad: Callable[[], InvalidInputError]) -> sp.Expr:
    """A constant expression such as ``"sqrt(2)/2"`` or ``"1 - 1/e"``, parsed safely
    (:func:`~gdtheory.core.parsing.parse_expression`, no names but ``pi`` and ``E``): a
    finite real number, else ``bad``."""
    try:
        value, _ = parse_expression(text, [])
    except GDTheoryError:
        raise bad() from None
    if not value.is_number or value.is_finite is False or value.has(sp.zoo, sp.nan, sp.oo):
        raise bad()
    if value.is_extended_real is False:
        raise NotRealError(f"{name} must be real, got the complex value {short_repr(text)}")
    if value.is_extended_real is None:
        raise bad()
    return value


def _sized(value: sp.Expr, name: str) -> sp.Expr:
    """Refuse an exact rational beyond :data:`~gdtheory.core.parsing.MAX_BITS` bits (about
    4000 digits: beyond it even printing the number fails)."""
    if value.is_Rational:
        bits = rational_bits(value)
        if bits > MAX_BITS:
            raise ComplexityError(
                f"{name} is an exact number of about {int(bits * 0.30103)} digits; at most "
                f"{int(MAX_BITS * 0.30103)} are accepted"
            )
    return value


def short_repr(value: object, limit: int = 60) -> str:
    """repr of a value cut to ``limit`` characters (a 10**5-digit integer is not printed,
    and not converted to a decimal string at all: Python refuses above 4300 digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        return f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_nonreal(value: object) -> bool:
    """True for a complex number with a nonzero imaginary part (Python, NumPy, mpmath,
    SymPy), which no real-valued input may be."""
    if isinstance(value, complex | np.complexfloating):
        return complex(value).imag != 0
    if isinstance(value, mpmath.mpc):
        return value.imag != 0
    if isinstance(value, sp.Basic) and getattr(value, "is_number", False):
        return value.is_extended_real is False
    return False


def real_array(value: Any, name: str) -> np.ndarray:
    """``value`` as a float64 array; a complex entry is a :class:`NotRealError` (NumPy
    would silently drop its imaginary part), anything else not numeric an
    :class:`InvalidInputError` naming ``name``.

    >>> real_array([1, 2.5], "x0s")
    array([1. , 2.5])
    >>> real_array([1 + 2j], "hs")
    Traceback (most recent call last):
    ...
    gdtheory.errors.NotRealError: hs has the complex entry (1+2j): inputs must be real
    """
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError, OverflowError, RecursionError):
        raise InvalidInputError(f"{name} must be an array of real numbers") from None
    if arr.dtype.kind == "c" or arr.dtype == object:
        flat = arr.reshape(-1)
        for v in flat[: 10**6] if arr.dtype == object else flat[np.imag(flat) != 0][:1]:
            if _is_nonreal(v):
                shown = complex(v) if isinstance(v, np.complexfloating) else v
                raise NotRealError(
                    f"{name} has the complex entry {short_repr(shown)}: inputs must be real"
                )
        if arr.dtype.kind == "c":
            arr = arr.real
    try:
        return np.asarray(arr, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise InvalidInputError(
            f"{name} must be an array of real numbers (each finite and representable as a float64)"
        ) from None


def point_coordinates(x0: Any, n: int, name: str = "x0") -> list[Any]:
    """The ``n`` coordinates of a point as given (a scalar is a 1-D point), or an
    InvalidInputError naming the count; the values are validated by their user.

    >>> point_coordinates([1, "1/2"], 2)
    [1, '1/2']
    """
    values = list(x0) if isinstance(x0, Sequence) and not isinstance(x0, str) else [x0]
    if len(values) != n:
        raise InvalidInputError(f"{name} must have {n} coordinates, got {short_repr(x0)}")
    return values


def positive_real(value: RealLike, name: str = "h") -> sp.Expr:
    """:func:`exact_real` that also requires ``value > 0``.

    >>> positive_real(0, "h")
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: h must be > 0, got 0
    """
    v = exact_real(value, name)
    if not bool(v > 0):
        raise InvalidInputError(f"{name} must be > 0, got {value!r}")
    return v


def finite_float(value: RealLike, name: str, *, positive: bool = False) -> float:
    """:func:`exact_real` rounded to a finite float (a huge exact value is refused, not
    turned into inf); with ``positive`` also requires ``value > 0``.

    >>> finite_float("1/4", "T")
    0.25
    >>> finite_float(10**400, "T")
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: T is too large for a float: 1000...
    """
    v = positive_real(value, name) if positive else exact_real(value, name)
    f = float(v)
    if not math.isfinite(f):
        raise InvalidInputError(f"{name} is too large for a float: {str(v)[:4]}...")
    if positive and f <= 0:
        raise InvalidInputError(f"{name} must be > 0 as a float, got {value!r}")
    return f


def to_mpf(value: RealLike, name: str = "value") -> mpmath.mpf:
    """Convert to an mpmath number, correctly rounded at the *current* mpmath precision.

    >>> with mpmath.workdps(30):
    ...     print(to_mpf("1/3"))
    0.333333333333333333333333333333
    """
    v = exact_real(value, name)
    if v.is_Rational:
        return mpmath.mpf(int(v.p)) / int(v.q)
    return mpmath.mpf(sp.N(v, mpmath.mp.dps + 10))


def check_dps(dps: object, *, minimum: int = MIN_DPS) -> int:
    """Validate a working precision in decimal digits.

    >>> check_dps(5)
    Traceback (most recent call last):
    ...
    gdtheory.errors.PrecisionError: dps=5 is too low: ... (pass dps >= 15)
    """
    if isinstance(dps, bool) or not isinstance(dps, numbers.Integral):
        raise PrecisionError(f"dps must be an integer number of decimal digits, got {dps!r}")
    d = int(dps)
    if d < minimum:
        raise PrecisionError(
            f"dps={d} is too low: at least {minimum} decimal digits are needed "
            f"(pass dps >= {minimum})"
        )
    if d > MAX_DPS:
        raise PrecisionError(
            f"dps={d} is too high: at most {MAX_DPS} digits are supported "
            "(each step would take seconds); lower dps"
        )
    return d


def check_box(box: object, n: int, name: str = "box") -> list[tuple[sp.Rational, sp.Rational]]:
    """Validate ``n`` (low, high) pairs with finite exact ends and low < high.

    >>> check_box([(0, "1/2"), (-1, 1)], 2)
    [(0, 1/2), (-1, 1)]
    >>> check_box([(1, 0)], 1)
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: box side 0 is [1, 0]: need low < high
    """
    if isinstance(box, str | bytes) or not hasattr(box, "__iter__"):
        raise ShapeError(f"{name} must be a sequence of {n} (low, high) pairs, got {box!r}")
    try:
        pairs = [tuple(pair) for pair in box]
    except TypeError:
        raise ShapeError(f"{name} must be a sequence of {n} (low, high) pairs") from None
    if len(pairs) != n or any(len(pr) != 2 for pr in pairs):
        raise ShapeError(
            f"{name} must hold one (low, high) pair per coordinate of the dimension {n} "
            f"state, got {box!r}"
        )
    out = []
    for i, (a, b) in enumerate(pairs):
        lo, hi = exact_real(a, f"{name} side {i} low"), exact_real(b, f"{name} side {i} high")
        if not bool(lo < hi):
            raise InvalidInputError(f"{name} side {i} is [{lo}, {hi}]: need low < high")
        out.append((lo, hi))
    return out


def float_box(box: object, n: int, name: str = "box") -> tuple[tuple[float, float], ...]:
    """:func:`check_box` rounded to floats; an exact side too large for a float is refused
    (rather than becoming inf), as is one that rounds to low == high.

    >>> float_box([(0, "1/2"), (-1, 1)], 2)
    ((0.0, 0.5), (-1.0, 1.0))
    """
    out = []
    for i, (lo, hi) in enumerate(check_box(box, n, name)):
        a, b = float(lo), float(hi)
        if not (math.isfinite(a) and math.isfinite(b) and a < b):
            raise InvalidInputError(f"{name} side {i} is not a finite float interval: [{lo}, {hi}]")
        out.append((a, b))
    return tuple(out)


def check_count(value: object, name: str, minimum: int = 0, maximum: int | None = None) -> int:
    """A non-negative (or >= minimum, and <= maximum if given) integer, else
    InvalidInputError naming ``name``.

    >>> check_count(9, "order", 0, 8)
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: order must be an integer in 0..8, got 9
    """
    ok = not isinstance(value, bool) and isinstance(value, int | np.integer) and value >= minimum
    if maximum is not None and not (ok and value <= maximum):  # type: ignore[operator]
        raise InvalidInputError(f"{name} must be an integer in {minimum}..{maximum}, got {value!r}")
    if not ok:
        raise InvalidInputError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)  # type: ignore[call-overload]


def exact_rates(hs: Any, name: str = "hs") -> list[sp.Expr]:
    """A non-empty sequence of learning rates, each exact and > 0 (:func:`positive_real`).

    >>> exact_rates(["1/10", 0.5])
    [1/10, 1/2]
    """
    if isinstance(hs, str | bytes) or not hasattr(hs, "__iter__"):
        raise InvalidInputError(
            f"{name} must be a sequence of learning rates, got {short_repr(hs)}"
        )
    out = [positive_real(v, f"{name}[i]") for v in hs]
    if not out:
        raise InvalidInputError(f"{name} is empty")
    return out


def check_orders(orders: Any, name: str = "orders", *, increasing: bool = False) -> list[int]:
    """A non-empty sequence of non-negative integers (strictly increasing if asked).

    >>> check_orders(range(3))
    [0, 1, 2]
    >>> check_orders("ab")
    Traceback (most recent call last):
    ...
    gdtheory.errors.InvalidInputError: orders must be a sequence of non-negative integers, got 'ab'
    """
    bad = InvalidInputError(
        f"{name} must be a sequence of non-negative integers, got {short_repr(orders)}"
    )
    if isinstance(orders, str | bytes) or not hasattr(orders, "__iter__"):
        raise bad
    try:
        values = list(orders)
    except TypeError:
        raise bad from None
    if not values or any(
        isinstance(p, bool) or not isinstance(p, int | np.integer) or p < 0 for p in values
    ):
        raise bad
    out = [int(p) for p in values]
    if increasing and out != sorted(set(out)):
        raise InvalidInputError(f"{name} must be strictly increasing, got {short_repr(orders)}")
    return out


def sorted_times(times: Any, name: str = "times", *, empty: bool = False) -> list[sp.Expr]:
    """A sequence of exact times >= 0 in increasing order (the output times of a flow;
    non-empty unless ``empty``), else an InvalidInputError naming the problem.

    >>> sorted_times([0, "1/2", 2])
    [0, 1/2, 2]
    """
    if isinstance(times, str | bytes) or not hasattr(times, "__iter__"):
        raise InvalidInputError(f"{name} must be a sequence of times, got {short_repr(times)}")
    ts = [exact_real(t, f"{name}[i]") for t in times]
    if not ts and not empty:
        raise InvalidInputError(f"{name} is empty")
    if any(t < 0 for t in ts) or any(b < a for a, b in zip(ts, ts[1:], strict=False)):
        raise InvalidInputError(f"{name} must be non-negative and sorted")
    return ts


def learning_rates(hs: Any, name: str = "hs") -> np.ndarray:
    """Validate an array of learning rates: finite and > 0 (float64)."""
    H = real_array(hs, name)
    if H.size == 0 or not np.all(np.isfinite(H)) or np.any(H <= 0):
        raise InvalidInputError(f"every learning rate in {name} must be finite and > 0")
    return H
