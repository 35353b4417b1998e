"""The package version, importable without the package ``__init__``."""

__version__ = "0.2.0"
