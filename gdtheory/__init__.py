"""gdtheory: derive, compute and verify the theory of gradient descent.

The public API is re-exported here; modules are named for the mathematics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._lazy import attach
from ._version import __version__ as __version__

__all__ = [
    "__version__",
    "objectives",
    "optimizers",
    "method_modified_equation",
    "map_modified_equation",
    "slow_manifold_equation",
    "manifold_state",
    "transient_modified_equation",
    "modifying_integrator",
    "ModifyingIntegrator",
    "modified_hamiltonian",
    "ModifiedHamiltonian",
    "partitioned_map",
    "partitioned_tableau",
    "PartitionedTableau",
    "pseries_modified_equation",
    "PSeriesModifiedEquation",
    "momentum_bseries",
    "MomentumBSeries",
    "TransientEquation",
    "GDTheoryError",
    "FlowBlowUpError",
    "FlowIntegrationError",
    "InvalidInputError",
    "NoGlobalSmoothnessError",
    "NonFiniteError",
    "NonSmoothError",
    "NotAGradientError",
    "NotRealError",
    "ComplexityError",
    "ParseError",
    "PrecisionError",
    "ShapeError",
    "UnknownSymbolError",
    "UnboundParameterError",
    "FlowSolution",
    "gradient_flow",
    "integrate_flow",
    "Run",
    "run",
    "trajectory",
    "Status",
    "Outcome",
    "AttractorKind",
    "LimitKind",
    "Trajectory",
    "gd",
    "gd_batch",
    "ModifiedEquation",
    "modified_equation",
    "modified_potential",
    "MomentumModifiedEquation",
    "SlowManifoldEquation",
    "sgd_epoch_map",
    "sgd_modified_equation",
    "EpochModifiedEquation",
    "momentum_modified_equation",
    "GenericModifiedEquation",
    "GenericTerm",
    "generic_modified_equation",
    "ButcherTableau",
    "butcher_tableau",
    "runge_kutta_map",
    "ModifiedErrorTable",
    "modified_error_table",
    "modified_flow",
    "QuadraticModifiedEquation",
    "quadratic_modified_equation",
    "SeriesDiagnostics",
    "series_diagnostics",
    "TruncationScan",
    "truncation_scan",
    "Objective",
    "h",
    "Regime",
    "RegimeClassification",
    "lr_regime",
    "SmoothnessConstant",
    "SmoothnessScope",
    "smoothness_constant",
    "Verdict",
    "Density",
    "DensityComparison",
    "InvariantDensity",
    "arcsine_law",
    "compare_density",
    "gibbs_density",
    "invariant_density",
    "Density2D",
    "JointComparison",
    "JointDensity",
    "compare_joint_density",
    "gibbs_density_2d",
    "joint_density",
    "modified_gibbs_potential",
    "noise_model_covariance",
    "LyapunovBatch",
    "LyapunovResult",
    "LyapunovStatus",
    "lyapunov_batch",
    "lyapunov_exponent",
    "OrbitContinuum",
    "OrbitSearch",
    "PeriodicOrbit",
    "orbit_from_point",
    "periodic_orbits",
    "Attractor",
    "BasinMap",
    "OrbitDiagram",
    "basins",
    "detect_periods",
    "iterate_map",
    "orbit_diagram",
    "BalanceBound",
    "ConvergenceWindow",
    "MinimiserSpectrum",
    "balance_bound",
    "balancing",
    "BalanceLaw",
    "DeepScalarBound",
    "OneQuantityBound",
    "balance_law",
    "deep_linear",
    "deep_scalar",
    "deep_scalar_bound",
    "leaky_factorization",
    "one_quantity_bound",
    "ConservedQuadratics",
    "conserved_quadratics",
    "convergence_window",
    "FactorizationModel",
    "ObjectiveModel",
    "TwoLayerTanh",
    "synthetic_regression",
    "SharpnessTrace",
    "sharpness",
    "top_eigenvalues",
    "edge_threshold",
    "manifold_errors",
    "ManifoldErrors",
    "transient_errors",
    "TransientErrors",
    "sharpness_estimate",
    "SharpnessEstimate",
    "track_sharpness",
    "sharpness_sweep",
    "principal_flow",
    "central_flow",
    "regime_map",
    "RegimeMap",
    "CentralFlow",
    "ModelFlow",
    "models",
    "StochasticModifiedEquation",
    "stochastic_modified_equation",
    "method_batch",
    "sgd_samples",
    "sme_samples",
    "sgd_moments",
    "sme_moments",
    "quadratic_expectation",
    "WeakErrorStudy",
    "WeakOrder",
    "weak_order",
    "weak_error_study",
]


def _guard(name: str, value: Any) -> Any:
    """Public functions come guarded (:func:`gdtheory.core.guard.guarded`): an
    unexpected error inside becomes a clear one naming the call."""
    import inspect

    if inspect.isfunction(value):
        from .core.guard import guarded

        return guarded(value)
    return value


#: Every public name is imported on first use (``gdtheory._lazy``); ``leaky_factorisation``
#: is the British spelling, an alias outside __all__ (public names spell "factorization").
__getattr__, __dir__ = attach(__name__, __file__, globals(), _guard)

if TYPE_CHECKING:
    from . import models as models
    from . import objectives as objectives
    from . import optimizers as optimizers
    from .backward_error.butcher import ButcherTableau as ButcherTableau
    from .backward_error.butcher import butcher_tableau as butcher_tableau
    from .backward_error.butcher import runge_kutta_map as runge_kutta_map
    from .backward_error.closed_forms import QuadraticModifiedEquation as QuadraticModifiedEquation
    from .backward_error.closed_forms import (
        quadratic_modified_equation as quadratic_modified_equation,
    )
    from .backward_error.generic import GenericModifiedEquation as GenericModifiedEquation
    from .backward_error.generic import GenericTerm as GenericTerm
    from .backward_error.generic import generic_modified_equation as generic_modified_equation
    from .backward_error.methods import map_modified_equation as map_modified_equation
    from .backward_error.methods import method_modified_equation as method_modified_equation
    from .backward_error.modified import ModifiedEquation as ModifiedEquation
    from .backward_error.modified import modified_equation as modified_equation
    from .backward_error.modified import modified_potential as modified_potential
    from .backward_error.modifying import ModifyingIntegrator as ModifyingIntegrator
    from .backward_error.modifying import modifying_integrator as modifying_integrator
    from .backward_error.momentum import MomentumModifiedEquation as MomentumModifiedEquation
    from .backward_error.momentum import momentum_modified_equation as momentum_modified_equation
    from .backward_error.momentum_trees import MomentumBSeries as MomentumBSeries
    from .backward_error.momentum_trees import momentum_bseries as momentum_bseries
    from .backward_error.partitioned import ModifiedHamiltonian as ModifiedHamiltonian
    from .backward_error.partitioned import modified_hamiltonian as modified_hamiltonian
    from .backward_error.partitioned import partitioned_map as partitioned_map
    from .backward_error.pseries import PartitionedTableau as PartitionedTableau
    from .backward_error.pseries import PSeriesModifiedEquation as PSeriesModifiedEquation
    from .backward_error.pseries import partitioned_tableau as partitioned_tableau
    from .backward_error.pseries import pseries_modified_equation as pseries_modified_equation
    from .backward_error.series import SeriesDiagnostics as SeriesDiagnostics
    from .backward_error.series import series_diagnostics as series_diagnostics
    from .backward_error.sgd import EpochModifiedEquation as EpochModifiedEquation
    from .backward_error.sgd import epoch_map as sgd_epoch_map
    from .backward_error.sgd import sgd_modified_equation as sgd_modified_equation
    from .backward_error.slow_manifold import SlowManifoldEquation as SlowManifoldEquation
    from .backward_error.slow_manifold import manifold_state as manifold_state
    from .backward_error.slow_manifold import slow_manifold_equation as slow_manifold_equation
    from .backward_error.sme import StochasticModifiedEquation as StochasticModifiedEquation
    from .backward_error.sme import stochastic_modified_equation as stochastic_modified_equation
    from .backward_error.transient import TransientEquation as TransientEquation
    from .backward_error.transient import transient_modified_equation as transient_modified_equation
    from .continuous.central_flow import CentralFlow as CentralFlow
    from .continuous.central_flow import central_flow as central_flow
    from .continuous.flows import FlowSolution as FlowSolution
    from .continuous.flows import gradient_flow as gradient_flow
    from .continuous.flows import integrate_flow as integrate_flow
    from .continuous.modified_flows import modified_flow as modified_flow
    from .continuous.principal_flow import ModelFlow as ModelFlow
    from .continuous.principal_flow import principal_flow as principal_flow
    from .core.objective import Objective as Objective
    from .core.objective import h as h
    from .core.outcomes import AttractorKind as AttractorKind
    from .core.outcomes import LimitKind as LimitKind
    from .core.outcomes import Outcome as Outcome
    from .core.regimes import Regime as Regime
    from .core.regimes import RegimeClassification as RegimeClassification
    from .core.regimes import lr_regime as lr_regime
    from .dynamics.densities import Density as Density
    from .dynamics.densities import DensityComparison as DensityComparison
    from .dynamics.densities import InvariantDensity as InvariantDensity
    from .dynamics.densities import arcsine_law as arcsine_law
    from .dynamics.densities import compare_density as compare_density
    from .dynamics.densities import gibbs_density as gibbs_density
    from .dynamics.densities import invariant_density as invariant_density
    from .dynamics.diagrams import Attractor as Attractor
    from .dynamics.diagrams import BasinMap as BasinMap
    from .dynamics.diagrams import OrbitDiagram as OrbitDiagram
    from .dynamics.diagrams import basins as basins
    from .dynamics.diagrams import detect_periods as detect_periods
    from .dynamics.diagrams import orbit_diagram as orbit_diagram
    from .dynamics.joint_density import Density2D as Density2D
    from .dynamics.joint_density import JointComparison as JointComparison
    from .dynamics.joint_density import JointDensity as JointDensity
    from .dynamics.joint_density import compare_joint_density as compare_joint_density
    from .dynamics.joint_density import gibbs_density_2d as gibbs_density_2d
    from .dynamics.joint_density import joint_density as joint_density
    from .dynamics.lyapunov import LyapunovBatch as LyapunovBatch
    from .dynamics.lyapunov import LyapunovResult as LyapunovResult
    from .dynamics.lyapunov import LyapunovStatus as LyapunovStatus
    from .dynamics.lyapunov import lyapunov_batch as lyapunov_batch
    from .dynamics.lyapunov import lyapunov_exponent as lyapunov_exponent
    from .dynamics.moments import quadratic_expectation as quadratic_expectation
    from .dynamics.moments import sgd_moments as sgd_moments
    from .dynamics.moments import sme_moments as sme_moments
    from .dynamics.periodic import OrbitContinuum as OrbitContinuum
    from .dynamics.periodic import OrbitSearch as OrbitSearch
    from .dynamics.periodic import PeriodicOrbit as PeriodicOrbit
    from .dynamics.periodic import orbit_from_point as orbit_from_point
    from .dynamics.periodic import periodic_orbits as periodic_orbits
    from .dynamics.run import Run as Run
    from .dynamics.run import gd_batch as gd_batch
    from .dynamics.run import iterate_map as iterate_map
    from .dynamics.run import method_batch as method_batch
    from .dynamics.run import run as run
    from .dynamics.stochastic import sgd_samples as sgd_samples
    from .dynamics.stochastic import sme_samples as sme_samples
    from .dynamics.trajectories import Status as Status
    from .dynamics.trajectories import Trajectory as Trajectory
    from .dynamics.trajectories import gd as gd
    from .dynamics.trajectories import trajectory as trajectory
    from .errors import ComplexityError as ComplexityError
    from .errors import FlowBlowUpError as FlowBlowUpError
    from .errors import FlowIntegrationError as FlowIntegrationError
    from .errors import GDTheoryError as GDTheoryError
    from .errors import InvalidInputError as InvalidInputError
    from .errors import NoGlobalSmoothnessError as NoGlobalSmoothnessError
    from .errors import NonFiniteError as NonFiniteError
    from .errors import NonSmoothError as NonSmoothError
    from .errors import NotAGradientError as NotAGradientError
    from .errors import NotRealError as NotRealError
    from .errors import ParseError as ParseError
    from .errors import PrecisionError as PrecisionError
    from .errors import ShapeError as ShapeError
    from .errors import UnboundParameterError as UnboundParameterError
    from .errors import UnknownSymbolError as UnknownSymbolError
    from .landscape.balance import BalanceBound as BalanceBound
    from .landscape.balance import MinimiserSpectrum as MinimiserSpectrum
    from .landscape.balance import balance_bound as balance_bound
    from .landscape.balance import balancing as balancing
    from .landscape.balance_laws import BalanceLaw as BalanceLaw
    from .landscape.balance_laws import DeepScalarBound as DeepScalarBound
    from .landscape.balance_laws import OneQuantityBound as OneQuantityBound
    from .landscape.balance_laws import balance_law as balance_law
    from .landscape.balance_laws import deep_linear as deep_linear
    from .landscape.balance_laws import deep_scalar as deep_scalar
    from .landscape.balance_laws import deep_scalar_bound as deep_scalar_bound
    from .landscape.balance_laws import leaky_factorization as leaky_factorisation  # noqa: F401
    from .landscape.balance_laws import leaky_factorization as leaky_factorization
    from .landscape.balance_laws import one_quantity_bound as one_quantity_bound
    from .landscape.invariants import ConservedQuadratics as ConservedQuadratics
    from .landscape.invariants import conserved_quadratics as conserved_quadratics
    from .landscape.sharpness import SharpnessEstimate as SharpnessEstimate
    from .landscape.sharpness import SharpnessTrace as SharpnessTrace
    from .landscape.sharpness import edge_threshold as edge_threshold
    from .landscape.sharpness import sharpness as sharpness
    from .landscape.sharpness import sharpness_estimate as sharpness_estimate
    from .landscape.sharpness import sharpness_sweep as sharpness_sweep
    from .landscape.sharpness import top_eigenvalues as top_eigenvalues
    from .landscape.sharpness import track_sharpness as track_sharpness
    from .models.numpy_models import FactorizationModel as FactorizationModel
    from .models.numpy_models import ObjectiveModel as ObjectiveModel
    from .models.numpy_models import TwoLayerTanh as TwoLayerTanh
    from .models.numpy_models import synthetic_regression as synthetic_regression
    from .report.claims import Verdict as Verdict
    from .rigorous.smoothness import SmoothnessConstant as SmoothnessConstant
    from .rigorous.smoothness import SmoothnessScope as SmoothnessScope
    from .rigorous.smoothness import smoothness_constant as smoothness_constant
    from .studies.convergence_window import ConvergenceWindow as ConvergenceWindow
    from .studies.convergence_window import convergence_window as convergence_window
    from .studies.error_tables import ModifiedErrorTable as ModifiedErrorTable
    from .studies.error_tables import modified_error_table as modified_error_table
    from .studies.manifold_errors import ManifoldErrors as ManifoldErrors
    from .studies.manifold_errors import manifold_errors as manifold_errors
    from .studies.multiscale import modified_gibbs_potential as modified_gibbs_potential
    from .studies.multiscale import noise_model_covariance as noise_model_covariance
    from .studies.optimal_truncation import TruncationScan as TruncationScan
    from .studies.optimal_truncation import truncation_scan as truncation_scan
    from .studies.regime_map import RegimeMap as RegimeMap
    from .studies.regime_map import regime_map as regime_map
    from .studies.transient_errors import TransientErrors as TransientErrors
    from .studies.transient_errors import transient_errors as transient_errors
    from .studies.weak_errors import WeakErrorStudy as WeakErrorStudy
    from .studies.weak_errors import WeakOrder as WeakOrder
    from .studies.weak_errors import weak_error_study as weak_error_study
    from .studies.weak_errors import weak_order as weak_order
