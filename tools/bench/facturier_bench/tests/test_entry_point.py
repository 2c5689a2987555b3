"""`make setup` installs this distribution: `facturier bench` finds its command through the entry-point group."""

from __future__ import annotations

import os
import subprocess
import sys

from facturier.cli import tool_command
from facturier_bench.command import Command


def test_the_bench_command_is_registered_for_the_facturier_command_line():
    entry_point = tool_command("bench")

    assert entry_point is not None, "facturier-bench is not installed: make setup"
    assert entry_point.load() is Command


def test_facturier_bench_answers_with_the_modes_the_readme_documents():
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run([sys.executable, "-m", "facturier.cli", "bench", "--help"], env=environment,
                            capture_output=True, text=True, timeout=60)

    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("usage: facturier bench [-h]")
    assert "{end-to-end,portal,ereporting,continuous}" in result.stdout
