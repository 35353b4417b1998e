"""The certificate base shared by every computer-assisted proof, and :func:`recheck`.

A certificate stores exact data only: the objective as text, numbers as exact fractions
(strings), the working precision.  Every kind (periodic orbit, chaos, descent, balance)
shares one shape:

* ``proved`` (bool) and ``reason`` (why not, or a caveat);
* :meth:`Certificate.to_json` / :meth:`Certificate.from_json`, with a format tag
  ``gdtheory-<kind>-certificate/1``;
* :meth:`Certificate.recheck`: the proof is redone from the stored inputs alone, and the
  stored statement (every other field) is compared with the recomputed one.  A
  certificate that asserts anything the recomputation does not reproduce (a flipped
  ``stable``, an edited multiplier enclosure, a changed period) is returned *not proved*,
  with a reason naming the fields that disagree: a certificate proves what it states
  and nothing else.

>>> import math
>>> from gdtheory.certify import certify_periodic_orbit
>>> from gdtheory.objectives import scalar_factorization
>>> a = math.sqrt(1 + 2 / 1.9)
>>> c = certify_periodic_orbit(scalar_factorization(), [[a, a], [-a, -a]], h="19/10", radius=1e-6)
>>> recheck(c.to_json()).proved
True
>>> bad = c.to_json().replace('"stable": false', '"stable": true')
>>> r = recheck(bad)
>>> r.proved, r.reason.split(":")[0]
(False, 'the stored stable disagrees with the recomputation')
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, ClassVar, TypeVar

from ..core import budget
from ..core.objective import Objective
from ..core.scalars import short_repr
from ..errors import GDTheoryError, InvalidInputError

__all__ = ["Certificate", "CertificateBundle", "recheck", "certificate_kinds"]

C = TypeVar("C", bound="Certificate")

_KINDS: dict[str, type[Certificate]] = {}


def _tuples(v: Any) -> Any:
    """JSON lists back to the tuples the dataclasses hold (recursively)."""
    if isinstance(v, list):
        return tuple(_tuples(x) for x in v)
    return v


@dataclasses.dataclass(frozen=True)
class Certificate:
    """Base of every certificate (see the module docstring).

    Subclasses are frozen dataclasses that set ``KIND`` and implement :meth:`reprove`
    (redo the proof from the stored inputs); ``proved`` and ``reason`` are keyword-only
    fields of the base.
    Fields declared with ``compare=False`` (such as timings) are not part of the
    statement.
    """

    KIND: ClassVar[str] = ""

    #: Whether the statement is proved; ``reason`` says why not (or gives a caveat).
    proved: bool = dataclasses.field(kw_only=True)
    reason: str = dataclasses.field(default="", kw_only=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.KIND:
            _KINDS[cls.KIND] = cls

    @classmethod
    def format_tag(cls) -> str:
        return f"gdtheory-{cls.KIND}-certificate/1"

    def to_json(self) -> str:
        """The certificate as JSON (exact data; re-checkable with :func:`recheck`)."""
        d = dataclasses.asdict(self)
        d["format"] = self.format_tag()
        return json.dumps(d, indent=2)

    @classmethod
    def from_data(cls: type[C], d: dict[str, Any]) -> C:
        """The certificate from its JSON data (lists become tuples)."""
        names = {f.name for f in dataclasses.fields(cls)}
        missing = [f.name for f in dataclasses.fields(cls) if f.name not in d and _required(f)]
        if missing:
            raise InvalidInputError(f"malformed {cls.KIND} certificate: missing {missing}")
        unknown = sorted(set(d) - names)
        if unknown:
            raise InvalidInputError(f"malformed {cls.KIND} certificate: unknown fields {unknown}")
        return cls(**{k: _tuples(v) for k, v in d.items()})

    @classmethod
    def from_json(cls: type[C], text: str) -> C:
        d = _load(text)
        if d.get("format") != cls.format_tag():
            raise InvalidInputError(f"not a {cls.format_tag()} certificate")
        d.pop("format")
        return cls.from_data(d)

    def reprove(self: C) -> C:  # pragma: no cover - every kind overrides it
        """Redo the proof from the stored inputs alone."""
        raise NotImplementedError

    def recheck(self: C) -> C:
        """Redo the proof and compare the stored statement with the recomputed one.

        Returns the recomputed certificate; when a stored field differs from the
        recomputation, the result is not proved and its ``reason`` names the fields.
        """
        try:
            again = self.reprove()
        except GDTheoryError:
            raise
        except (TypeError, ValueError, ArithmeticError, KeyError, IndexError) as exc:
            raise InvalidInputError(
                f"malformed {self.KIND} certificate: {type(exc).__name__}: {exc}"
            ) from None
        differ = [
            f.name
            for f in dataclasses.fields(self)
            if f.compare and getattr(self, f.name) != getattr(again, f.name)
        ]
        if not differ:
            return again
        shown = "; ".join(
            f"{n}: stored {short_repr(getattr(self, n), 300)}, "
            f"recomputed {short_repr(getattr(again, n), 300)}"
            for n in differ
        )
        return dataclasses.replace(
            again,
            proved=False,
            reason=f"the stored {', '.join(differ)} disagrees with the recomputation: {shown}",
        )


def _required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


#: Longest certificate text read (characters): the largest the report writes is a few
#: hundred kilobytes.
MAX_TEXT = 50_000_000


def _load(text: str) -> dict[str, Any]:
    if len(text) > MAX_TEXT:
        raise InvalidInputError(
            f"the certificate is {len(text)} characters long; at most {MAX_TEXT} are read"
        )
    try:
        d = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"certificate is not valid JSON: {exc}") from None
    except RecursionError:
        raise InvalidInputError("certificate JSON is nested too deeply") from None
    except ValueError as exc:  # an integer beyond Python's 4300-digit conversion limit
        raise InvalidInputError(f"certificate has a number too large to read: {exc}") from None
    if not isinstance(d, dict):
        raise InvalidInputError("a certificate is a JSON object")
    return d


def certificate_kinds() -> dict[str, type[Certificate]]:
    """The registered kinds of certificate, by ``KIND``."""
    return dict(_KINDS)


def recheck(certificate: Certificate | str) -> Certificate:
    """Redo a certificate's proof from its exact data alone and compare its statement.

    Accepts a certificate of any kind or its JSON (the kind is read from the format
    tag).  ``recheck(c).proved`` is the independent verdict; a tampered input or a
    stored claim the recomputation does not reproduce fails, naming the field.
    """
    if isinstance(certificate, Certificate):
        return certificate.recheck()
    if not isinstance(certificate, str):
        raise InvalidInputError(
            f"recheck takes a certificate or its JSON text, got {type(certificate).__name__}"
        )
    return _from_tagged(_load(certificate)).recheck()


def objective_from_text(text: str, symbols: list[str]) -> Objective:
    """The objective denoted by ``text``, printed and re-parsed until the text is stable."""
    obj = Objective.parse(text, symbols)
    for _ in range(3):
        again = str(obj.expr)
        if again == text:
            break
        text = again
        obj = Objective.parse(text, symbols)
    return obj


@dataclasses.dataclass(frozen=True)
class CertificateBundle(Certificate):
    """Several certificates behind one statement, every part of which is rechecked.

    The statement is not free text: it is generated from the members' kinds and the
    ``requirement``, a tuple of (field, value) pairs that every member must show (for
    the orbits of T6: ``(("minimal_period", True), ("stable", False))``), and
    :meth:`recheck` regenerates it, so a bundle whose statement was edited (to say the
    orbits are STABLE, say) is not proved.  Build one with :meth:`of`.  Proved when every
    member is proved and meets the requirement.

    >>> import math
    >>> from gdtheory.certify import certify_periodic_orbit
    >>> from gdtheory.objectives import scalar_factorization
    >>> a = math.sqrt(1 + 2 / 1.9)
    >>> c = certify_periodic_orbit(scalar_factorization(), [[a, a], [-a, -a]], h="19/10",
    ...                            radius=1e-6)
    >>> b = CertificateBundle.of((c, c), requirement={"stable": False})
    >>> b.statement
    'each of the 2 orbit certificates is proved, with stable = False'
    >>> recheck(b.to_json()).proved
    True
    >>> recheck(b.to_json().replace("stable = False", "stable = True")).proved
    False
    """

    KIND: ClassVar[str] = "bundle"

    statement: str
    members: tuple[Certificate, ...]
    requirement: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.statement, str):
            raise InvalidInputError("a bundle's statement must be text")

    @staticmethod
    def state(members: tuple[Certificate, ...], requirement: tuple[tuple[str, Any], ...]) -> str:
        """The statement a bundle of these members and this requirement proves."""
        kinds = "/".join(sorted({m.KIND for m in members})) or "no"
        need = ", ".join(f"{k} = {v!r}" for k, v in requirement)
        return f"each of the {len(members)} {kinds} certificates is proved" + (
            f", with {need}" if need else ""
        )

    @classmethod
    def of(
        cls, members: Any, requirement: dict[str, Any] | tuple[tuple[str, Any], ...] = ()
    ) -> CertificateBundle:
        """The bundle of ``members`` (certificates) with its generated statement; every
        member must show each field value of ``requirement``."""
        members = tuple(members)
        if not all(isinstance(m, Certificate) for m in members):
            raise InvalidInputError("a bundle's members must be certificates")
        req = tuple(requirement.items() if isinstance(requirement, dict) else requirement)
        return cls._judged(members, _checked_requirement(members, req))

    @classmethod
    def _judged(
        cls, members: tuple[Certificate, ...], req: tuple[tuple[str, Any], ...]
    ) -> CertificateBundle:
        failed = [(i, m.reason or "not proved") for i, m in enumerate(members) if not m.proved] + [
            (i, f"{k} is {getattr(m, k)!r}, not {v!r}")
            for i, m in enumerate(members)
            for k, v in req
            if getattr(m, k, _MISSING) != v
        ]
        reason = f"member {failed[0][0]}: {failed[0][1]}" if failed else ""
        return cls(
            cls.state(members, req),
            members,
            req,
            proved=bool(members) and not failed,
            reason=reason,
        )

    def __str__(self) -> str:
        verdict = "PROVED" if self.proved else "NOT PROVED"
        lines = [f"{verdict}: {self.statement}"]
        if self.reason:
            lines.append(f"  note: {self.reason}")
        return "\n".join(lines)

    def to_json(self) -> str:
        d = {
            "statement": self.statement,
            "members": [json.loads(m.to_json()) for m in self.members],
            "requirement": [list(p) for p in self.requirement],
            "proved": self.proved,
            "reason": self.reason,
            "format": self.format_tag(),
        }
        return json.dumps(d, indent=2)

    @classmethod
    def from_data(cls, d: dict[str, Any]) -> CertificateBundle:
        d = dict(d)
        raw = d.pop("members", None)
        if not isinstance(raw, list) or not all(isinstance(m, dict) for m in raw):
            raise InvalidInputError("malformed bundle certificate: 'members' must be a list")
        if len(raw) > MAX_MEMBERS:
            raise InvalidInputError(
                f"a bundle certificate has {len(raw)} members; at most {MAX_MEMBERS} are read"
            )
        members = tuple(_from_tagged(m) for m in raw)
        return dataclasses.replace(super().from_data({**d, "members": ()}), members=members)

    def reprove(self) -> CertificateBundle:
        """Recheck every member (identical members once; the whole estimated and charged
        against the time budget before the long ones run); proved when all are proved
        and meet the requirement."""
        req = _checked_requirement(self.members, tuple(tuple(p) for p in self.requirement))
        distinct: dict[str, Certificate] = {}
        for m in self.members:
            distinct.setdefault(m.to_json(), m)
        done: dict[str, Certificate] = {}
        total = 0.0
        for key, m in distinct.items():
            est = budget.estimate(m.recheck)
            total += est.seconds if not est.completed else 0.0
            if est.completed:
                done[key] = est.result
        budget.charge(
            f"rechecking the bundle of {len(self.members)} certificates",
            total,
            f"{len(distinct)} distinct members, each estimated from a pilot of its proof",
        )
        for key, m in distinct.items():
            if key not in done:
                done[key] = m.recheck()
        again = tuple(done[m.to_json()] for m in self.members)
        return self._judged(again, req)


#: Most members read from a bundle file.
MAX_MEMBERS = 10_000
_MISSING = object()


def _checked_requirement(
    members: tuple[Certificate, ...], req: tuple[tuple[str, Any], ...]
) -> tuple[tuple[str, Any], ...]:
    """Each (field, value) names a statement field of every member, with a JSON value."""
    out = []
    for pair in req:
        if len(pair) != 2 or not isinstance(pair[0], str):
            raise InvalidInputError(f"a requirement is a (field, value) pair, got {pair!r}")
        name, value = pair
        if not isinstance(value, bool | int | str | type(None)):
            raise InvalidInputError(f"the required value of {name} must be a JSON scalar")
        for m in members:
            fields = {f.name for f in dataclasses.fields(m) if f.compare}
            if name not in fields or name in ("proved", "reason"):
                raise InvalidInputError(
                    f"{name!r} is not a statement field of the {m.KIND} certificate"
                )
        out.append((name, value))
    return tuple(out)


def _from_tagged(d: dict[str, Any]) -> Certificate:
    d = dict(d)
    tag = d.pop("format", None)
    for cls in _KINDS.values():
        if tag == cls.format_tag():
            return cls.from_data(d)
    known = ", ".join(sorted(c.format_tag() for c in _KINDS.values()))
    raise InvalidInputError(f"unknown certificate format {tag!r}; known: {known}")
