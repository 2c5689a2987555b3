"""Numbers for the benchmark report: percentiles, task timings written by workers, peak memory of processes."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def p50_p95_ms(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5) * 1000:7.1f} ms   p95 {percentile(values, 0.95) * 1000:7.1f} ms"


def read_task_timings(directory: Path) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = defaultdict(list)
    for path in directory.glob("*.tsv"):
        for line in path.read_text().splitlines():
            name, _, seconds = line.partition("\t")
            timings[name].append(float(seconds))
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


def mean_ms(values: list[float]) -> float:
    return statistics.fmean(values) * 1000 if values else 0.0
