"""`make setup` installs this distribution: `facturier bench` finds its command through the entry-point group.

Run in a fresh interpreter that sees the installed distributions and the checkout only: pytest's own path holds
tools/bench, whose build metadata (facturier_bench.egg-info) would make the entry point visible without any install.
"""

from __future__ import annotations

import os
import subprocess
import sys

import facturier
from facturier_bench import command


def test_facturier_bench_is_the_installed_command_with_the_modes_the_readme_documents():
    checkout = os.path.dirname(os.path.dirname(facturier.__file__))
    inherited = [path for path in os.environ.get("PYTHONPATH", "").split(os.pathsep) if path]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([checkout, *inherited])}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    code = "from facturier.cli import tool_command; print(tool_command('bench').value)"
    registered = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True,
                                timeout=60, cwd=checkout)
    result = subprocess.run([sys.executable, "-m", "facturier.cli", "bench", "--help"], env=environment,
                            capture_output=True, text=True, timeout=60, cwd=checkout)

    assert registered.stdout == f"{command.__name__}:Command\n", "facturier-bench is not installed: make setup"
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("usage: facturier bench [-h]")
    assert "{end-to-end,portal,ereporting,continuous}" in result.stdout
