"""Engine tests need no Django: only the repository and this folder on the path."""

from __future__ import annotations

import sys
from pathlib import Path

for path in (Path(__file__).resolve().parents[2], Path(__file__).resolve().parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
