"""``python -m loadtest.memory_node``: the pokerrt server, answering SIGUSR1 with a census of its memory.

Same command line as ``python -m pokerrt.realtime.server``. Each SIGUSR1
writes ``census-<n>.json`` into ``$POKERRT_CENSUS_DIR``: the resident set,
glibc's arenas (``malloc_info``), Python's object allocator (pymalloc's
arenas and free blocks), the garbage collector's objects counted by type,
and, when the node runs with ``PYTHONTRACEMALLOC=<frames>``, a tracemalloc
snapshot beside it (``census-<n>.tracemalloc``). SIGUSR2 starts cProfile and
the next SIGUSR2 writes what it saw to ``profile-<n>.pstats`` (where an idle
node's CPU goes). ``loadtest/socket_memory.py``
takes one census before and one after opening idle sockets and divides the
difference by the sockets. Only for measuring: the census stops the node's
event loop while it runs (a second or more with thousands of sockets).
"""

from __future__ import annotations

import cProfile
import ctypes
import ctypes.util
import gc
import json
import os
import re
import signal
import sys
import tempfile
import threading
import tracemalloc
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path
from typing import Any

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_libc.fopen.restype = ctypes.c_void_p
_libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
_libc.fclose.argtypes = [ctypes.c_void_p]
_libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]


def resident_bytes() -> int:
    """VmRSS of this process."""
    match = re.search(r"^VmRSS:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    return int(match.group(1)) * 1024 if match else 0


def glibc_arenas() -> dict[str, Any]:
    """glibc's heaps from ``malloc_info``: per arena the bytes it holds from the system and those free in it."""
    with tempfile.NamedTemporaryFile(suffix=".xml") as out:
        stream = _libc.fopen(out.name.encode(), b"w")
        _libc.malloc_info(0, stream)
        _libc.fclose(stream)
        root = ElementTree.fromstring(Path(out.name).read_text())
    arenas = []
    for heap in root.findall("heap"):
        free = sum(int(t.get("size", 0)) for t in heap.findall("total"))
        system = next((int(s.get("size", 0)) for s in heap.findall("system") if s.get("type") == "current"), 0)
        arenas.append({"nr": int(heap.get("nr", -1)), "system": system, "free": free})
    mmapped = next((int(t.get("size", 0)) for t in root.findall("total") if t.get("type") == "mmap"), 0)
    return {"arenas": arenas, "mmapped": mmapped}


def pymalloc_stats() -> dict[str, int]:
    """Python's small-object allocator, from ``sys._debugmallocstats`` (it writes to fd 2 only)."""
    with tempfile.TemporaryFile() as out:
        sys.stderr.flush()
        saved = os.dup(2)
        try:
            os.dup2(out.fileno(), 2)
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        text = out.read().decode(errors="replace")
    wanted = {
        "arenas_current": r"# arenas allocated current\s*=\s*([\d,]+)",
        "allocated_blocks": r"# bytes in allocated blocks\s*=\s*([\d,]+)",
        "available_blocks": r"# bytes in available blocks\s*=\s*([\d,]+)",
        "unused_pools": r"\d+ unused pools \* \d+ bytes\s*=\s*([\d,]+)",
        "arena_bytes": r"Total\s*=\s*([\d,]+)",
    }
    stats = {}
    for key, pattern in wanted.items():
        match = re.search(pattern, text)
        stats[key] = int(match.group(1).replace(",", "")) if match else 0
    return stats


def object_counts() -> dict[str, int]:
    """The garbage collector's objects by type (``module.qualname``)."""
    counts: Counter[str] = Counter()
    for obj in gc.get_objects():
        kind = type(obj)
        counts[f"{kind.__module__}.{kind.__qualname__}"] += 1
    return dict(counts)


class Census:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.taken = 0

    def take(self, signum: int, frame: Any) -> None:
        self.taken += 1
        base = self.directory / f"census-{self.taken}"
        gc.collect()
        report = {
            "rss": resident_bytes(),
            "threads": threading.active_count(),
            "glibc": glibc_arenas(),
            "pymalloc": pymalloc_stats(),
            "objects": object_counts(),
            "tracemalloc": tracemalloc.is_tracing(),
        }
        if tracemalloc.is_tracing():
            tracemalloc.take_snapshot().dump(f"{base}.tracemalloc")
        # Written last and renamed: the driver waits for the .json.
        Path(f"{base}.tmp").write_text(json.dumps(report))
        os.replace(f"{base}.tmp", f"{base}.json")


class Profile:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.profiler: cProfile.Profile | None = None
        self.taken = 0

    def toggle(self, signum: int, frame: Any) -> None:
        if self.profiler is None:
            self.profiler = cProfile.Profile()
            self.profiler.enable()
            return
        self.profiler.disable()
        self.taken += 1
        self.profiler.dump_stats(str(self.directory / f"profile-{self.taken}.tmp"))
        os.replace(self.directory / f"profile-{self.taken}.tmp", self.directory / f"profile-{self.taken}.pstats")
        self.profiler = None


def main() -> None:
    directory = Path(os.environ["POKERRT_CENSUS_DIR"])
    signal.signal(signal.SIGUSR1, Census(directory).take)
    signal.signal(signal.SIGUSR2, Profile(directory).toggle)
    from pokerrt.realtime import server

    server.main()


if __name__ == "__main__":
    main()
