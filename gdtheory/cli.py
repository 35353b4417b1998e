"""The ``gdtheory`` command line (also ``python -m gdtheory``).

``gdtheory modified "x**4/4 - x**2/2" --order 6 [--latex|--python]`` prints the modified
equation (fields, gradient structure, potential).

``gdtheory regime-map "x**4/4 - x**2/2" --x0 6/5 --hs 0.9,1,1.1 --time 4 [--jobs 2] [--out DIR]``
prints the regime map (GD's verdict and each model's distance to GD per h, and with
``--tol`` the largest h each model is trusted to) and writes ``DIR/regime_map.png`` and
``DIR/regime_map.md``.

``gdtheory recheck FILE...`` re-verifies saved orbit certificates from their exact data
alone (exit code 1 if any fails or is invalid).

``gdtheory verify [--quick] [--only T1,T3] [--report DIR] [--jobs N] [--readme FILE]``
runs the registered claims of ``proofs_checks`` (N at a time in worker processes),
prints a table (claim, verdict, key figure, seconds), and writes ``DIR/report.html``
(self-contained), ``DIR/report.md``, ``DIR/evidence.json``, the figures and
``DIR/timings.json``; ``--readme`` also rewrites the generated claims table of a README.
On a terminal it shows a bar per running claim and an estimate of the time left (from
``DIR/timings.json`` of the last run in the same mode, else the claims' cost model); in a
log, one line per claim started and ended.
The exit code is 1 when a claim is refuted or its check fails to run, 2 for bad
command-line input, 0 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .core.guard import guarded
from .errors import GDTheoryError
from .report.claims import CheckContext
from .report.progress import display
from .report.render import claims_table, update_readme, write_report
from .report.runner import environment, run_claims

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    from ._version import __version__

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
        default=None,
        metavar="DIR",
        help="directory for report.html, report.md, evidence.json and figures "
        "(default: gdtheory-report; with --only, gdtheory-report-<ids>, so that a partial "
        "run never overwrites the full report)",
    )
    v.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="checks run at once in worker processes (default: the number of CPUs; 1: serial)",
    )
    v.add_argument(
        "--readme",
        default=None,
        metavar="FILE",
        help="also rewrite the generated claims table in FILE (between its markers)",
    )
    v.add_argument("--seed", type=int, default=20221, help="random seed for sampled studies")
    v.add_argument(
        "--cache",
        default=None,
        metavar="DIR",
        help="where finished claims are kept so an interrupted run resumes "
        "(default: DIR/.cache inside the report folder)",
    )
    v.add_argument("--no-cache", action="store_true", help="recompute every claim")
    r = sub.add_parser(
        "recheck", help="re-verify saved orbit certificates (JSON) from their exact data alone"
    )
    r.add_argument("files", nargs="+", metavar="FILE", help="certificate JSON files")
    g = sub.add_parser(
        "regime-map",
        help="GD's verdict and each model's distance to GD over a range of h",
    )
    g.add_argument("objective", help='the objective, e.g. "x**4/4 - x**2/2"')
    g.add_argument("--x0", required=True, help='the start, comma-separated, e.g. "3/2,1/2"')
    g.add_argument("--hs", required=True, help='increasing learning rates, e.g. "0.9,1,1.1"')
    g.add_argument("--time", default=None, help="the horizon T (floor(T/h) GD steps at each h)")
    g.add_argument("--steps", type=int, default=None, help="a fixed number of GD steps")
    g.add_argument(
        "--models",
        default="gradient,modified,principal",
        help="comma-separated, from gradient, modified, principal, central",
    )
    g.add_argument("--orders", default="1,2", help="modified-flow orders, comma-separated")
    g.add_argument("--tol", default=None, help="also print, per model, the largest h within tol")
    g.add_argument("--dps", type=int, default=20)
    g.add_argument(
        "--principal",
        default="continued",
        choices=("continued", "principal"),
        help="the principal flow's reading (default continued: numbers past h L = 1)",
    )
    g.add_argument(
        "--jobs", type=int, default=1, help="processes over the learning rates (default 1)"
    )
    g.add_argument("--out", default=None, help="write regime_map.png and regime_map.md here")
    m = sub.add_parser(
        "modified",
        help="print the modified equation of GD (or a Runge-Kutta method, or a one-step map)",
    )
    m.add_argument(
        "objective", nargs="?", default=None, help='the objective, e.g. "x**4/4 - x**2/2"'
    )
    m.add_argument("--order", type=int, default=2, help="highest power of h (default 2)")
    m.add_argument(
        "--symbols", default=None, help="comma-separated state symbols in order (default: sorted)"
    )
    m.add_argument(
        "--params", default=None, help="comma-separated symbolic parameters, e.g. mu,lam"
    )
    m.add_argument(
        "--map",
        action="append",
        default=None,
        metavar="COMPONENT",
        help="a one-step map component in the symbols and h (repeat per component, in the "
        'order of --symbols), e.g. --map "x - h*x**3"',
    )
    m.add_argument(
        "--tableau",
        dest="tableau",
        default="gd",
        help="gd (default), euler, midpoint, heun, ralston, rk3 or rk4: the Runge-Kutta tableau "
        "applied to F = -grad f (or, with --generic, to a generic field)",
    )
    m.add_argument(
        "--method",
        dest="method_name",
        default=None,
        help="a registered optimiser, as --optimizer (adam, rmsprop, heavy_ball, ...); a "
        "Runge-Kutta name here still means --tableau (its old spelling)",
    )
    m.add_argument(
        "--generic",
        action="store_true",
        help="the modified equation for a generic f (GD, --tableau gd) or a generic field F "
        "(other methods), indexed by rooted trees",
    )
    m.add_argument(
        "--subexpr",
        action="append",
        default=None,
        metavar="NAME=DEF",
        help='write the fields in a named subexpression, e.g. --subexpr "sigma=1/(1+exp(-x))"',
    )
    m.add_argument("--backend", default="numpy", help="numpy (default) or mpmath, for --python")
    from .methods.registry import REGISTRY

    described = "; ".join(
        f"{key}"
        + (
            f" (e.g. {', '.join(f'{k}={v}' for k, v in cls.example.items())})"
            if cls.example
            else ""
        )
        for key, cls in sorted(REGISTRY.items())
    )
    m.add_argument(
        "--optimizer",
        choices=sorted(REGISTRY),
        default=None,
        help=f"the modified equation of a registered optimiser: {described}; its "
        "hyperparameters with --set (a method with fast state: on its slow manifold; SGD: "
        "the terms with --sgd)",
    )
    m.add_argument(
        "--set",
        action="append",
        default=None,
        metavar="NAME=VALUE",
        help='a hyperparameter of --optimizer (repeat), e.g. --set beta=9/10 or --set "P=2,1;1,1"',
    )
    m.add_argument(
        "--momentum",
        choices=sorted(k for k, c in REGISTRY.items() if c.state),
        default=None,
        help="--optimizer for a method with fast state (kept for scripts)",
    )
    m.add_argument("--beta", default=None, help="--set beta=VALUE: a number in (0, 1) or a name")
    for flag, name in (("--beta1", "beta1"), ("--beta2", "beta2"), ("--eps", "eps"),
                       ("--weight-decay", "weight_decay")):  # fmt: skip
        m.add_argument(flag, dest=name, default=None, help=f"--set {name}=VALUE")
    m.add_argument(
        "--no-bias-correction",
        dest="bias_correction",
        action="store_const",
        const="false",
        default=None,
        help="--set bias_correction=false: Adam's steady state (the autonomous method)",
    )
    m.add_argument(
        "--sgd",
        action="append",
        default=None,
        metavar="F_I",
        help="one term f_i of f = (1/m) sum f_i (repeat): the expected SGD epoch, in the step h",
    )
    m.add_argument(
        "--sampling",
        "--scheme",
        dest="sampling",
        default="reshuffle",
        help="reshuffle (default), cyclic, or replacement (the SME of order --order 1 or 2)",
    )
    m.add_argument(
        "--batch", type=int, default=1, help="minibatch size, with --sampling replacement"
    )
    m.add_argument(
        "--metric",
        default=None,
        metavar="ROWS",
        help='gradient structure in a metric P, rows separated by ";", e.g. "2,1;1,1"',
    )
    fmt = m.add_mutually_exclusive_group()
    fmt.add_argument("--latex", action="store_true", help="LaTeX (an aligned block)")
    fmt.add_argument("--python", action="store_true", help="Python source of the field")
    fmt.add_argument("--json", action="store_true", help="the fields as JSON (SymPy strings)")
    return p


def _names(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


def _modified(args: argparse.Namespace) -> int:
    from .backward_error.butcher import runge_kutta_map
    from .backward_error.generic import generic_modified_equation
    from .backward_error.modified import modified_equation
    from .backward_error.sme import StochasticModifiedEquation
    from .core.objective import Objective

    symbols, params = _names(args.symbols), _names(args.params)
    special = _special(args, symbols, params)
    if isinstance(special, StochasticModifiedEquation):
        print(special.latex() if args.latex else special)
        return 0
    if special is not None:
        return _print_equation(args, special)
    if args.generic:
        if args.objective or args.map:
            raise GDTheoryError("--generic takes no objective or map: it is for a generic f")
        gme = generic_modified_equation(args.tableau, args.order)
        if args.json:
            rows = [
                [{"coefficient": str(t.coefficient), "term": t.text} for t in row]
                for row in gme.terms
            ]
            print(
                json.dumps({"tableau": gme.tableau.name, "gradient": gme.gradient, "terms": rows})
            )
        elif args.latex:
            print(gme.latex())
        elif args.python:
            raise GDTheoryError("--python needs a concrete objective or map, not --generic")
        else:
            print(gme)
        return 0
    if (args.objective is None) == (args.map is None):
        raise GDTheoryError("give either an objective or --map components (not both)")
    if args.map:
        if args.tableau != "gd":
            raise GDTheoryError("--tableau applies to an objective, not to --map")
        target: object = args.map
    else:
        obj = Objective.parse(args.objective, symbols, params=params)
        target = obj if args.tableau == "gd" else runge_kutta_map(args.tableau, obj)
        symbols = [s.name for s in obj.symbols]
        if args.tableau != "gd":
            params = [p.name for p in obj.params]
    metric = args.metric or None  # "a, b; c, d": parsed safely by modified_equation
    if isinstance(target, Objective) and metric is None:
        me = modified_equation(target, args.order)
    elif isinstance(target, Objective):
        raise GDTheoryError('--metric applies to a map such as --map "x - h*(2*x + y)"')
    else:
        me = modified_equation(target, args.order, symbols=symbols, params=params, metric=metric)
    return _print_equation(args, me)


def _settings(items: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise GDTheoryError(f"--set wants NAME=VALUE, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def _special(args: argparse.Namespace, symbols: Any, params: Any) -> Any:
    """The equation of --optimizer (--momentum) or --sgd, or None."""
    from .backward_error.butcher import BUILTIN as TABLEAUX
    from .backward_error.methods import method_modified_equation
    from .backward_error.sgd import sgd_modified_equation
    from .backward_error.slow_manifold import SlowManifoldEquation
    from .backward_error.sme import stochastic_modified_equation
    from .core.objective import Objective
    from .methods.registry import REGISTRY, method_from_settings

    chosen = args.method_name
    if chosen is not None and chosen not in REGISTRY and chosen in TABLEAUX:
        args.tableau, chosen = chosen, None  # the old spelling of --tableau
    elif chosen is not None and chosen not in REGISTRY:
        raise GDTheoryError(
            f"--method {chosen}: not a registered optimiser ({', '.join(sorted(REGISTRY))}) "
            f"nor a Runge-Kutta tableau ({', '.join(sorted(TABLEAUX))})"
        )
    if sum(k is not None for k in (args.optimizer, args.momentum, chosen)) > 1:
        raise GDTheoryError("give one of --method, --optimizer or --momentum")
    key = args.optimizer or args.momentum or chosen
    settings = _settings(args.set)
    for name in ("beta", "beta1", "beta2", "eps", "weight_decay", "bias_correction"):
        if getattr(args, name) is not None:
            settings.setdefault(name, getattr(args, name))
    if key is None and settings:
        raise GDTheoryError(
            "--set, --beta, --beta1, --beta2, --eps and --weight-decay are hyperparameters of "
            "an optimiser (--method)"
        )
    if key == "sgd":
        settings.setdefault("sampling", args.sampling)
        settings.setdefault("batch", str(args.batch))
    terms = [Objective.parse(t, symbols, params=params) for t in args.sgd] if args.sgd else None
    if key:
        meth = method_from_settings(key, settings)
        if args.metric or args.map or args.generic or args.tableau != "gd":
            raise GDTheoryError(
                "--optimizer takes an objective and its hyperparameters (not --map, --metric, "
                "--tableau or --generic)"
            )
        if meth.stochastic:
            if terms is None or args.objective is not None:
                raise GDTheoryError(f"--optimizer {key} takes the terms f_i with --sgd")
            target: Any = terms
        else:
            if args.objective is None or terms is not None:
                raise GDTheoryError(f"--optimizer {key} needs an objective (and no --sgd)")
            target = Objective.parse(args.objective, symbols, params=params)
        result = method_modified_equation(meth, target, args.order)
        if isinstance(result, SlowManifoldEquation):
            for sg, p in result.signs:  # the legend of the sign symbols (stderr: not data)
                print(f"{sg} = sign({p}): the expansion holds where it keeps its sign",
                      file=sys.stderr)  # fmt: skip
            return result.equation
        return result
    if terms is not None:
        if args.objective is not None:
            raise GDTheoryError("--sgd takes the terms f_i with --sgd, not an objective")
        if args.sampling == "replacement":
            return stochastic_modified_equation(terms, args.order, batch=args.batch)
        return sgd_modified_equation(terms, args.order, args.sampling)
    return None


def _print_equation(args: argparse.Namespace, me: Any) -> int:
    sub = None
    if args.subexpr:
        sub = {}
        for item in args.subexpr:
            name, sep, definition = item.partition("=")
            if not sep:
                raise GDTheoryError(f"--subexpr wants NAME=DEFINITION, got {item!r}")
            sub[name.strip()] = definition.strip()
    if args.latex:
        print(me.latex(subexpressions=sub))
    elif args.python:
        print(me.python(backend=args.backend, subexpressions=sub), end="")
    elif args.json:
        print(
            json.dumps(
                {
                    "description": me.description,
                    "symbols": [s.name for s in me.symbols],
                    "params": [p.name for p in me.params],
                    "fields": [[str(c) for c in F] for F in me.fields],
                    "is_gradient": list(me.is_gradient),
                    "potentials": [None if p is None else str(p) for p in me.potentials],
                }
            )
        )
    else:
        print(me)
        if all(me.is_gradient):
            print(f"  modified potential f_h = {me.potential()}")
    return 0


def _recheck(args: argparse.Namespace) -> int:
    from .rigorous.certificate import MAX_TEXT, recheck

    failed = 0
    for name in args.files:
        path = Path(name)
        try:
            if path.is_file() and path.stat().st_size > MAX_TEXT:  # checked before reading
                print(f"{name}: the file is over {MAX_TEXT} bytes; refused", file=sys.stderr)
                failed += 1
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:  # ValueError: a NUL byte or bad encoding
            print(
                f"{name!r}: cannot read: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr
            )
            failed += 1
            continue
        try:
            cert = guarded(recheck)(text)
        except GDTheoryError as exc:
            print(f"{name}: invalid certificate: {exc}", file=sys.stderr)
            failed += 1
            continue
        print(f"{name}:\n{cert}")
        failed += not cert.proved
    print(f"{len(args.files) - failed} of {len(args.files)} certificates re-verified")
    return 1 if failed else 0


def _verify(args: argparse.Namespace) -> int:
    from .proofs_checks import claims as load_claims  # proofs_checks/ in the repository

    claims = load_claims()
    if args.only is not None:
        wanted = [s.upper() for s in _names(args.only) or []]
        known = {c.id for c in claims}
        if not wanted:
            print(
                f"gdtheory verify: --only {args.only!r} names no claim; known: "
                f"{', '.join(sorted(known))}",
                file=sys.stderr,
            )
            return 2
        unknown = [w for w in wanted if w not in known]
        if unknown:
            print(
                f"gdtheory verify: unknown claim id(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(known))}",
                file=sys.stderr,
            )
            return 2
        claims = tuple(c for c in claims if c.id in wanted)
    jobs = args.jobs if args.jobs is not None else (os.cpu_count() or 1)
    if jobs < 1:
        print(f"gdtheory verify: --jobs must be >= 1, got {jobs}", file=sys.stderr)
        return 2
    readme = Path(args.readme) if args.readme else None
    if readme is not None and not readme.is_file():
        print(f"gdtheory verify: --readme {readme}: no such file", file=sys.stderr)
        return 2
    only = tuple(c.id for c in claims) if args.only is not None else ()
    # a partial run writes next to the full report, never over it
    default = "gdtheory-report" + "".join(f"-{i}" for i in only)
    outdir = Path(args.report if args.report is not None else default)
    ctx = CheckContext(quick=args.quick, outdir=outdir, seed=args.seed, only=only)
    expected, live = display(claims, args.quick, outdir, jobs=jobs, stream=sys.stderr)
    t0 = time.perf_counter()
    with live if live is not None else contextlib.nullcontext():
        results = run_claims(
            claims,
            ctx,
            progress=None if live else (lambda m: print(m, file=sys.stderr, flush=True)),
            jobs=jobs,
            isolated=True,
            cache=None if args.no_cache else Path(args.cache or outdir / ".cache"),
            expected=expected,
            monitor=live,
        )
    wall = time.perf_counter() - t0
    width = max(len(r.claim.title) for r in results)
    print(f"{'claim':<6} {'title':<{width}}  {'verdict':<11} {'seconds':>8}  key figure")
    for r in results:
        print(
            f"{r.claim.id:<6} {r.claim.title:<{width}}  {r.evidence.verdict.value:<11} "
            f"{r.seconds:8.1f}  {r.evidence.summary}"
        )
    env = environment(ctx)
    paths = write_report(results, env, outdir, jobs=jobs, wall_seconds=wall)
    print(f"report written to {paths['html']} and {paths['markdown']} (evidence: {paths['json']})")
    if readme is not None:
        table = claims_table(json.loads(paths["json"].read_text(encoding="utf-8")))
        try:
            readme.write_text(update_readme(readme.read_text(encoding="utf-8"), table), "utf-8")
        except ValueError as exc:
            print(f"gdtheory verify: --readme {readme}: {exc}", file=sys.stderr)
            return 2
        print(f"claims table updated in {readme}")
    failed = [r.claim.id for r in results if r.evidence.verdict.is_failure]
    if failed:
        print(f"refuted or failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def _regime_map(args: argparse.Namespace) -> int:
    from concurrent.futures import ProcessPoolExecutor

    from .studies.regime_map import regime_map

    try:
        orders = [int(t) for t in _names(args.orders) or []]
    except ValueError:
        raise GDTheoryError(f"--orders must be integers, got {args.orders!r}") from None
    if args.jobs < 1:
        raise GDTheoryError(f"--jobs must be at least 1, got {args.jobs}")
    pool = ProcessPoolExecutor(args.jobs) if args.jobs > 1 else None
    try:
        rm = regime_map(
            args.objective,
            _names(args.x0) or [],
            hs=_names(args.hs) or [],
            time=args.time,
            steps=args.steps,
            orders=orders,
            models=tuple(_names(args.models) or ()),
            dps=args.dps,
            principal=args.principal,
            executor=pool,
        )
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    table = rm.table().markdown()
    print(table)
    for (name, at), why in rm.failures.items():
        print(f"{name} not computed at h = {at:g}: {why}")
    if args.tol is not None:
        for name, upto in rm.trust(args.tol).items():
            shown = "no h of the map" if upto is None else f"h = {upto:g}"
            print(f"{name}: within {args.tol} of GD up to {shown}")
    if args.out is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "regime_map.md").write_text(table + "\n", encoding="utf-8")
        ax = rm.plot()
        ax.figure.savefig(out / "regime_map.png", dpi=110)
        plt.close(ax.figure)
        print(f"wrote {out / 'regime_map.png'} and {out / 'regime_map.md'}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "verify":
            return guarded(_verify)(args)
        if args.command == "modified":
            return guarded(_modified)(args)
        if args.command == "recheck":
            return guarded(_recheck)(args)
        if args.command == "regime-map":
            return guarded(_regime_map)(args)
    except GDTheoryError as exc:
        print(f"gdtheory: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (`gdtheory modified ... | head -1`)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # nothing more to write, and no error
        return 0
    except (OSError, ValueError) as exc:  # unusable paths (NUL bytes, no permission, ...)
        print(f"gdtheory: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gdtheory: interrupted", file=sys.stderr)
        return 130
    return 2  # pragma: no cover - argparse enforces a known command
