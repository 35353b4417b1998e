"""The package version, importable without the package ``__init__``."""

__version__ = "0.1.0"
