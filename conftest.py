"""Root conftest: doctests in gdtheory/ and proofs_checks/ also get the Agg backend and
a clean mpmath precision."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
