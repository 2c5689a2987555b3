"""scripts/code_metrics.py on a small made-up repository whose figures are known."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "code_metrics.py"
spec = importlib.util.spec_from_file_location("code_metrics", SCRIPT)
code_metrics = sys.modules["code_metrics"] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(code_metrics)

FILES = {
    "facturier/__init__.py": "",
    "facturier/jobs/__init__.py": '"""The jobs."""\n',
    "facturier/jobs/pipeline.py": "# a comment\n\nfrom . import tasks\n\n\ndef fan_out():\n    return tasks\n",
    "facturier/jobs/tasks.py": (
        "def run():\n"
        "    from facturier.jobs.pipeline import fan_out  # a cycle through a function-level import\n"
        "\n"
        "    return fan_out()\n"
    ),
    "facturier/core/money.py": "import decimal\nfrom facturier.jobs import tasks\n\nCENT = decimal.Decimal('0.01')\n",
    "config/settings.py": "DEBUG = False\n",
    "facturier/jobs/tests/__init__.py": "",
    "facturier/jobs/tests/test_pipeline.py": "from facturier.jobs import pipeline\n\n\ndef test():\n    assert 1\n",
    "conftest.py": "import pytest\n",
    "tools/bench/facturier_bench/command.py": "import facturier.jobs.tasks\n",
}


def test_lines_longest_function_and_cycles_of_a_known_repository(tmp_path):
    for name, text in FILES.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    metrics = code_metrics.measure(tmp_path)

    assert (metrics.runtime, metrics.tests, metrics.tooling) == (
        code_metrics.Lines(lines=1 + 3 + 3 + 3 + 1, files=6),
        code_metrics.Lines(lines=3 + 1, files=3),
        code_metrics.Lines(lines=1, files=1),
    )
    assert metrics.longest == code_metrics.Function("facturier.jobs.tasks.run", 4)
    assert metrics.cycles == [["facturier.jobs.pipeline", "facturier.jobs.tasks"]]
    assert code_metrics.report(metrics).splitlines()[-2:] == [
        "import cycles among the runtime modules: 1",
        "  2 modules: facturier.jobs.pipeline, facturier.jobs.tasks",
    ]


LONGEST_FUNCTION = 40  # the house rule the README's "Code figures" state (issue #19)


def test_no_function_of_the_runtime_package_is_longer_than_the_house_rule():
    metrics = code_metrics.measure(SCRIPT.parent.parent)

    assert metrics.longest.lines <= LONGEST_FUNCTION, f"{metrics.longest.name}: split it into named parts"
    assert metrics.cycles == []
