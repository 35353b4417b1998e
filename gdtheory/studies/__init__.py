"""Studies that combine the layers below: regime maps (which continuous model follows GD
at which h), error tables and local errors of modified flows, optimal truncation, weak
errors of stochastic modified equations, multiscale escape and Gibbs statistics, and the
convergence window of matrix factorisation.

Imports every computational layer; only the report, the testing aids and the public
facades sit above it.
"""
