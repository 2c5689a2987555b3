"""`facturier bench` end to end at a tiny size, as a developer runs it: every document issued is emailed, and the
end-to-end rate is printed as a ratio to the bare page measured in the same run (the figure issue #19 judges)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

import facturier


def number_after(label: str, output: str) -> float:
    return float(re.search(rf"{re.escape(label)}\s*([\d.]+)", output).group(1))


# The run makes its own SQLite database in /tmp, whatever database the suite runs on: once per make test is enough.
@pytest.mark.database_independent
def test_the_end_to_end_run_prints_its_rate_as_a_ratio_to_the_bare_page():
    checkout = os.path.dirname(os.path.dirname(facturier.__file__))
    environment = {**os.environ, "DATABASE_URL": "", "PYTHONPATH": checkout}
    environment.pop("DJANGO_SETTINGS_MODULE", None)

    result = subprocess.run(
        [sys.executable, "-m", "facturier.cli", "bench", "--orders", "30", "--workers", "0", "--sample", "20"],
        env=environment, capture_output=True, text=True, timeout=120, cwd=checkout,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    output = result.stdout
    issued, emailed = re.search(r"documents issued: (\d+)\s+emails received by SMTP: (\d+)", output).groups()
    assert int(issued) > 0 and int(emailed) > 0
    end_to_end, bare = number_after("end-to-end:", output), number_after("bare page:", output)
    printed = number_after("end-to-end / bare page =", output)
    assert abs(printed - end_to_end / bare) < 0.002  # the printed rates are rounded
