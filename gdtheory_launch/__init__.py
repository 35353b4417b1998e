"""The ``gdtheory`` console script, kept outside the package so that Ctrl-C while the
package is still importing (SymPy, NumPy, ... take a second or two) ends the program with
one line and exit code 130, like Ctrl-C at any later moment, not with a traceback."""

from __future__ import annotations

import sys


def main() -> int:
    """Import the CLI, then run it; an interrupt during either is one line, exit 130."""
    try:
        from gdtheory.cli import main as cli_main
    except KeyboardInterrupt:
        print("gdtheory: interrupted", file=sys.stderr)
        return 130
    return cli_main()
