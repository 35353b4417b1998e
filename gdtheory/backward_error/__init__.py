"""Backward error analysis: modified equations of one-step maps to any order (the
differential ring), closed forms on quadratics, series diagnostics, gradient and modified flows.

Imports only :mod:`gdtheory.core`.
"""
