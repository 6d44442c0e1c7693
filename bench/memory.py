"""Resident memory of a process holding the board, vs a bare interpreter.

`python -m bench.memory DB NOW` is the probe: it imports what `parkflow board` needs, builds
the state machine, reads every project with `list_projects` (the board's query) and, with the
rows still alive, prints its peak and current resident set size as JSON. The baseline is
`python -c` reading the same numbers with nothing imported.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

_STATUS = "/proc/self/status"

# What the baseline interpreter runs: the same reading code, nothing else imported.
BARE = (
    "import json, resource\n"
    "def rss():\n"
    "    try:\n"
    "        lines = open('/proc/self/status').read().splitlines()\n"
    "        kb = {l.split(':')[0]: int(l.split()[1]) for l in lines"
    " if l.startswith(('VmHWM', 'VmRSS'))}\n"
    "        return kb['VmHWM'], kb['VmRSS']\n"
    "    except OSError:\n"
    "        m = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "        return m, m\n"
    "hwm, now = rss()\n"
    "print(json.dumps({'peak_kb': hwm, 'rss_kb': now}))\n"
)


def rss_kb() -> tuple[int, int]:
    """(peak, current) resident set size in KiB; ru_maxrss where /proc is missing."""
    try:
        with open(_STATUS, encoding="ascii") as status:
            lines = status.read().splitlines()
        kb = {line.split(":")[0]: int(line.split()[1]) for line in lines
              if line.startswith(("VmHWM", "VmRSS"))}
        return kb["VmHWM"], kb["VmRSS"]
    except (OSError, KeyError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        return peak, peak


def probe(db_path: str, now_iso: str) -> dict[str, Any]:
    from datetime import datetime

    from db.engine import make_engine, reading
    from workflow.clock import FixedClock
    from workflow.park import Park
    from workflow.views import list_projects

    imported = rss_kb()
    park = Park.default(clock=FixedClock(datetime.fromisoformat(now_iso)))
    machine = park.machine  # the one lifecycle machine (transitions), built here
    assert machine.can_fire("intake", "visit")
    engine = make_engine(f"sqlite:///{db_path}")
    with reading(engine) as session:
        rows = list_projects(session, park)
    peak, current = rss_kb()
    result = {"rows": len(rows), "peak_kb": peak, "rss_kb": current,
              "after_imports_peak_kb": imported[0]}
    engine.dispose()
    return result


def measure(db_path: Path, now_iso: str, cwd: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(probe, bare interpreter), each in its own fresh process."""
    board = subprocess.run([sys.executable, "-m", "bench.memory", str(db_path), now_iso],
                           capture_output=True, check=True, cwd=Path(__file__).parent.parent)
    bare = subprocess.run([sys.executable, "-c", BARE], capture_output=True, check=True,
                          cwd=cwd)
    return json.loads(board.stdout), json.loads(bare.stdout)


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[1], sys.argv[2])))
