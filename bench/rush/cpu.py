"""CPU per process while the rush runs, from /proc (psutil is not installed).

On two cores the load generator competes with the servers, and other people's tests may
run on the same machine: each group of processes (the app and its workers, Meilisearch,
PostgreSQL, Redis, nginx, this load generator) is reported in cores used on average, and
whatever else ran on the machine meanwhile apart from them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
SELF = "load generator (this process)"


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and its reaped children)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    ppid = int(fields[1])
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return ppid, (utime + stime + cutime + cstime) / TICKS


def own_cpu_seconds(pid: int) -> float:
    """CPU seconds of the process itself, without its children."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _machine_busy() -> float:
    """CPU seconds every core spent not idle since boot."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) / TICKS


class CpuMeter:
    """Snapshots of the process trees under named root pids; `report` gives cores used."""

    def __init__(self, roots: dict[str, list[int]]) -> None:
        self.roots = roots

    def _snapshot(self) -> dict[str, float]:
        table = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (found := _stat(int(entry))) is not None:
                table[int(entry)] = found
        children: dict[int, list[int]] = {}
        for pid, (ppid, _cpu) in table.items():
            children.setdefault(ppid, []).append(pid)
        totals = {}
        for name, pids in self.roots.items():
            if name == SELF:  # this process only: the servers it started are metered apart
                totals[name] = sum(own_cpu_seconds(p) for p in pids)
                continue
            seen: set[int] = set()
            stack = [p for p in pids if p in table]
            while stack:
                pid = stack.pop()
                if pid not in seen:
                    seen.add(pid)
                    stack.extend(children.get(pid, []))
            totals[name] = sum(table[p][1] for p in seen)
        totals["machine"] = _machine_busy()
        return totals

    def start(self) -> None:
        self._first, self._at = self._snapshot(), time.monotonic()

    def report(self) -> dict[str, float]:
        last, seconds = self._snapshot(), time.monotonic() - self._at
        used = {name: max(0.0, last.get(name, 0) - self._first.get(name, 0)) for name in last}
        ours = sum(v for k, v in used.items() if k != "machine")
        used["other processes on the machine"] = max(0.0, used.pop("machine") - ours)
        return {name: round(cpu / seconds, 2) for name, cpu in used.items()}  # cores
