"""The ``gdtheory`` console script (and ``python -m gdtheory``): Ctrl-C while the command
line is still importing (SymPy, NumPy, ... take a second or two) ends the program with
one line and exit code 130, like Ctrl-C at any later moment, not with a traceback.

The package ``__init__`` imports nothing heavy (its names load on first use), so this
module is imported in milliseconds and the expensive imports happen inside :func:`main`.
"""

from __future__ import annotations

import sys


def main() -> int:
    """Import the CLI, then run it; an interrupt during either (the command line's own
    lazy imports included) is one line, exit 130."""
    try:
        from .cli import main as cli_main

        return cli_main()
    except KeyboardInterrupt:
        print("gdtheory: interrupted", file=sys.stderr)
        return 130
