"""``python -m gdtheory`` behaves exactly like the ``gdtheory`` console script."""

import sys

from .launch import main

if __name__ == "__main__":
    sys.exit(main())
