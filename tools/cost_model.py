"""Write the claims' cost model (``quick_seconds``, ``full_seconds`` in proofs_checks/)
from a report run's ``timings.json``, rounded up to the next half second:

    python tools/cost_model.py docs/report/timings.json          # a full run
    python tools/cost_model.py /tmp/quick-report/timings.json    # a quick run

tests/test_proofs_checks.py checks the full figures against the committed
docs/report/timings.json.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(path: str) -> None:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    field = "quick_seconds" if data["mode"] == "quick" else "full_seconds"
    for claim_id, seconds in data["claims"].items():
        value = max(math.ceil(2 * float(seconds)) / 2, 0.5)
        for module in sorted((ROOT / "proofs_checks").glob("t*.py")):
            text = module.read_text(encoding="utf-8")
            if f'\n    id="{claim_id}",\n' not in text:
                continue
            if re.search(rf"\n    {field}=[0-9.]+,\n", text):
                text = re.sub(rf"\n    {field}=[0-9.]+,\n", f"\n    {field}={value},\n", text)
            else:
                old = "\n    check=check,\n"
                text = text.replace(old, f"{old}    {field}={value},\n", 1)
            module.write_text(text, encoding="utf-8")
            print(f"{claim_id}: {field} = {value} ({module.name})")


if __name__ == "__main__":
    main(sys.argv[1])
