"""python -m demo.sample [OUT]: write the hand-made sample world (every source system; default demo/sources)."""
import sys
from pathlib import Path

from demo.sample import build

print(build(Path(sys.argv[1] if len(sys.argv) > 1 else "demo/sources")))
