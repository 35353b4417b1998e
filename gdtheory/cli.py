"""The ``gdtheory`` command line (also ``python -m gdtheory``).

``gdtheory modified "x**4/4 - x**2/2" --order 6 [--latex|--python]`` prints the modified
equation (fields, gradient structure, potential).

``gdtheory verify [--quick] [--only T1,T3] [--report DIR]`` runs the registered claims of
``proofs_checks``, prints a table (claim, verdict, key figure), and writes
``DIR/report.md`` and ``DIR/evidence.json``.  The exit code is 1 when a claim is refuted
or its check fails to run, 2 for bad command-line input, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import GDTheoryError
from .verification import CheckContext, environment, evidence_json, markdown_report, run_claims

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(
        prog="gdtheory", description=("Derive, compute and verify the theory of gradient descent.")
    )
    p.add_argument("--version", action="version", version=f"gdtheory {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("verify", help="run the theorem checks and write the report")
    v.add_argument("--quick", action="store_true", help="CI-sized runs (seconds, not minutes)")
    v.add_argument(
        "--only", default=None, metavar="IDS", help="comma-separated claim ids to run, e.g. T1,T3"
    )
    v.add_argument(
        "--report",
        default="gdtheory-report",
        metavar="DIR",
        help="directory for report.md, evidence.json and figures (default: gdtheory-report)",
    )
    v.add_argument("--seed", type=int, default=20221, help="random seed for sampled studies")
    m = sub.add_parser("modified", help="print the modified equation of GD on an objective")
    m.add_argument("objective", help='the objective, e.g. "x**4/4 - x**2/2"')
    m.add_argument("--order", type=int, default=2, help="highest power of h (default 2)")
    m.add_argument(
        "--symbols", default=None, help="comma-separated state symbols in order (default: sorted)"
    )
    fmt = m.add_mutually_exclusive_group()
    fmt.add_argument("--latex", action="store_true", help="LaTeX of the fields and potentials")
    fmt.add_argument("--python", action="store_true", help="Python source of the field")
    return p


def _modified(args: argparse.Namespace) -> int:
    from .modified import modified_equation

    symbols = [s.strip() for s in args.symbols.split(",")] if args.symbols else None
    me = modified_equation(args.objective, args.order, symbols=symbols)
    if args.latex:
        print(me.latex())
    elif args.python:
        print(me.python(), end="")
    else:
        print(me)
        if all(me.is_gradient):
            print(f"  modified potential f_h = {me.potential()}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    import proofs_checks

    claims = proofs_checks.claims()
    if args.only:
        wanted = [s.strip().upper() for s in args.only.split(",") if s.strip()]
        known = {c.id for c in claims}
        unknown = [w for w in wanted if w not in known]
        if unknown:
            print(
                f"gdtheory verify: unknown claim id(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}",
                file=sys.stderr,
            )
            return 2
        claims = tuple(c for c in claims if c.id in wanted)
    outdir = Path(args.report)
    ctx = CheckContext(quick=args.quick, outdir=outdir, seed=args.seed)
    results = run_claims(claims, ctx, progress=lambda m: print(m, file=sys.stderr, flush=True))
    width = max(len(r.claim.title) for r in results)
    print(f"{'claim':<6} {'title':<{width}}  {'verdict':<11} key figure")
    for r in results:
        print(
            f"{r.claim.id:<6} {r.claim.title:<{width}}  {r.evidence.verdict.value:<11} "
            f"{r.evidence.summary}"
        )
    env = environment(ctx)
    outdir.mkdir(parents=True, exist_ok=True)
    (outdir / "report.md").write_text(markdown_report(results, env), encoding="utf-8")
    (outdir / "evidence.json").write_text(evidence_json(results, env), encoding="utf-8")
    print(f"report written to {outdir / 'report.md'} (evidence: {outdir / 'evidence.json'})")
    failed = [r.claim.id for r in results if r.evidence.verdict.is_failure]
    if failed:
        print(f"refuted or failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "verify":
            return _verify(args)
        if args.command == "modified":
            return _modified(args)
    except GDTheoryError as exc:
        print(f"gdtheory: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gdtheory: interrupted", file=sys.stderr)
        return 130
    return 2  # pragma: no cover - argparse enforces a known command
