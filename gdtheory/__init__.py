"""gdtheory: derive, compute and verify the theory of gradient descent.

The public API is re-exported here; modules are named for the mathematics.
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import objectives as objectives
from .balance import BalanceBound as BalanceBound
from .balance import ConvergenceWindow as ConvergenceWindow
from .balance import MinimiserSpectrum as MinimiserSpectrum
from .balance import balance_bound as balance_bound
from .balance import balancing as balancing
from .balance import convergence_window as convergence_window
from .closed_forms import QuadraticModifiedEquation as QuadraticModifiedEquation
from .closed_forms import quadratic_modified_equation as quadratic_modified_equation
from .densities import Density as Density
from .densities import DensityComparison as DensityComparison
from .densities import InvariantDensity as InvariantDensity
from .densities import arcsine_law as arcsine_law
from .densities import compare_density as compare_density
from .densities import gibbs_density as gibbs_density
from .densities import invariant_density as invariant_density
from .errors import GDTheoryError as GDTheoryError
from .errors import InvalidInputError as InvalidInputError
from .errors import NoGlobalSmoothnessError as NoGlobalSmoothnessError
from .errors import NonSmoothError as NonSmoothError
from .errors import NotAGradientError as NotAGradientError
from .errors import ParseError as ParseError
from .errors import PrecisionError as PrecisionError
from .errors import ShapeError as ShapeError
from .errors import UnknownSymbolError as UnknownSymbolError
from .flows import FlowSolution as FlowSolution
from .flows import gradient_flow as gradient_flow
from .flows import integrate_flow as integrate_flow
from .gd import BatchTrajectory as BatchTrajectory
from .gd import Status as Status
from .gd import Trajectory as Trajectory
from .gd import gd as gd
from .gd import gd_batch as gd_batch
from .joint_density import Density2D as Density2D
from .joint_density import JointComparison as JointComparison
from .joint_density import JointDensity as JointDensity
from .joint_density import compare_joint_density as compare_joint_density
from .joint_density import gibbs_density_2d as gibbs_density_2d
from .joint_density import joint_density as joint_density
from .lyapunov import LyapunovBatch as LyapunovBatch
from .lyapunov import LyapunovResult as LyapunovResult
from .lyapunov import LyapunovStatus as LyapunovStatus
from .lyapunov import lyapunov_batch as lyapunov_batch
from .lyapunov import lyapunov_exponent as lyapunov_exponent
from .models import FactorizationModel as FactorizationModel
from .models import ObjectiveModel as ObjectiveModel
from .models import TwoLayerTanh as TwoLayerTanh
from .models import synthetic_regression as synthetic_regression
from .modified import ModifiedEquation as ModifiedEquation
from .modified import modified_equation as modified_equation
from .modified import modified_potential as modified_potential
from .modified_flows import ModifiedErrorTable as ModifiedErrorTable
from .modified_flows import modified_error_table as modified_error_table
from .modified_flows import modified_flow as modified_flow
from .multiscale import modified_gibbs_potential as modified_gibbs_potential
from .multiscale import noise_model_covariance as noise_model_covariance
from .objective import Objective as Objective
from .objective import h as h
from .periodic import OrbitContinuum as OrbitContinuum
from .periodic import OrbitSearch as OrbitSearch
from .periodic import PeriodicOrbit as PeriodicOrbit
from .periodic import orbit_from_point as orbit_from_point
from .periodic import periodic_orbits as periodic_orbits
from .regimes import Regime as Regime
from .regimes import RegimeClassification as RegimeClassification
from .regimes import lr_regime as lr_regime
from .series import SeriesDiagnostics as SeriesDiagnostics
from .series import series_diagnostics as series_diagnostics
from .sharpness import SharpnessTrace as SharpnessTrace
from .sharpness import sharpness as sharpness
from .sharpness import track_sharpness as track_sharpness
from .smoothness import SmoothnessConstant as SmoothnessConstant
from .smoothness import SmoothnessScope as SmoothnessScope
from .smoothness import smoothness_constant as smoothness_constant
from .sweeps import Attractor as Attractor
from .sweeps import BasinMap as BasinMap
from .sweeps import MapRun as MapRun
from .sweeps import OrbitDiagram as OrbitDiagram
from .sweeps import basins as basins
from .sweeps import detect_periods as detect_periods
from .sweeps import iterate_map as iterate_map
from .sweeps import orbit_diagram as orbit_diagram
from .verification import Verdict as Verdict

__all__ = [
    "__version__",
    "objectives",
    "GDTheoryError",
    "InvalidInputError",
    "NoGlobalSmoothnessError",
    "NonSmoothError",
    "NotAGradientError",
    "ParseError",
    "PrecisionError",
    "ShapeError",
    "UnknownSymbolError",
    "FlowSolution",
    "gradient_flow",
    "integrate_flow",
    "BatchTrajectory",
    "Status",
    "Trajectory",
    "gd",
    "gd_batch",
    "ModifiedEquation",
    "modified_equation",
    "modified_potential",
    "ModifiedErrorTable",
    "modified_error_table",
    "modified_flow",
    "QuadraticModifiedEquation",
    "quadratic_modified_equation",
    "SeriesDiagnostics",
    "series_diagnostics",
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
    "MapRun",
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
    "convergence_window",
    "FactorizationModel",
    "ObjectiveModel",
    "TwoLayerTanh",
    "synthetic_regression",
    "SharpnessTrace",
    "sharpness",
    "track_sharpness",
]
