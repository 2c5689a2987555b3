"""Numbers for the benchmark report: percentiles, task timings written by workers, peak memory of processes."""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def p50_p95_ms(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5) * 1000:7.1f} ms   p95 {percentile(values, 0.95) * 1000:7.1f} ms"


@dataclass
class TaskTimings:
    """Every run of one task: its duration and how many documents it handled."""

    runs: list[tuple[float, int]] = field(default_factory=list)

    @property
    def documents(self) -> int:
        return sum(count for _seconds, count in self.runs)

    @property
    def per_document(self) -> list[float]:
        """Each document is given its batch's duration divided by the batch's size."""
        return [seconds / count for seconds, count in self.runs if count for _ in range(count)]


def read_task_timings(directory: Path) -> dict[str, TaskTimings]:
    timings: dict[str, TaskTimings] = defaultdict(TaskTimings)
    for path in directory.glob("*.tsv"):
        for line in path.read_text().splitlines():
            name, seconds, count, _finished_at = line.split("\t")
            timings[name].runs.append((float(seconds), int(count)))
    return timings


def timed(function: Callable, *args) -> tuple[object, float]:
    started = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - started


def rate(durations: list[float]) -> float:
    total = sum(durations)
    return len(durations) / total if total else 0.0


def peak_rss_kib(pid: int) -> int:
    """VmHWM: the highest resident set size the process ever had."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def process_tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending.extend(int(child) for child in children.read_text().split())
            except OSError:
                continue
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (its own, not its children's)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU time used by the whole machine (every core, every process) since boot, idle and iowait excluded."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")
