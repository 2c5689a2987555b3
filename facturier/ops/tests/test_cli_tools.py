"""Developer tooling lives outside the product's wheel (issue #19): `facturier` finds a tool's command through the
`facturier.commands` entry-point group, says clearly when a documented tool is not installed, and the wheel carries
neither the tooling nor the tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import facturier

ROOT = Path(facturier.__file__).resolve().parent.parent
PROBE = '''
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--name")

    def handle(self, *args, name, **options):
        self.stdout.write(f"probe {name} under {settings.SETTINGS_MODULE}")
'''


def _run(code: str, *, pythonpath: list[Path], flags: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, pythonpath)), "DATABASE_URL": ""}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, *flags, "-c", code], env=environment, capture_output=True, text=True,
                          timeout=60, cwd=ROOT)


def _distribution(folder: Path, command: str, target: str) -> None:
    """A minimal installed distribution (as pip leaves it) registering one tool command."""
    info = folder / "facturier_probe-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: facturier-probe\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[facturier.commands]\n{command} = {target}\n")


def test_a_command_registered_by_another_distribution_runs_with_the_product_settings(tmp_path):
    (tmp_path / "facturier_probe.py").write_text(PROBE)
    _distribution(tmp_path, "probe", "facturier_probe:Command")

    result = _run("from facturier.cli import main; main(['probe', '--name', 'x'])", pythonpath=[ROOT, tmp_path])

    assert (result.returncode, result.stdout, result.stderr) == (0, "probe x under config.settings.embedded\n", "")


def test_bench_without_its_distribution_says_how_to_install_it(tmp_path):
    """The interpreter sees every installed distribution but the bench's (editable or not), as after installing the
    product's wheel alone."""
    view = tmp_path / "site-packages"
    view.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if "facturier_bench" not in entry.name:
            (view / entry.name).symlink_to(entry)
    code = f"import site; site.addsitedir({str(view)!r}); import facturier.cli; facturier.cli.main(['bench'])"

    result = _run(code, pythonpath=[ROOT], flags=("-S",))

    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "`facturier bench` is developer tooling, not part of the installed product: install it with `make setup` or"
        " `.venv/bin/pip install -e tools/bench` from a checkout of the repository.\n"
    )


def test_the_wheel_carries_the_runtime_package_without_tests_nor_tooling(tmp_path):
    # Built from a copy: setuptools reuses its build/ folder, where a file deleted since an earlier build remains.
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for folder in ("facturier", "config"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", source)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path),
         str(source)], check=True, capture_output=True, timeout=300, cwd=tmp_path,
    )
    [wheel] = tmp_path.glob("facturier-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    packages = {name.rsplit("/", 1)[0] for name in names if name.endswith("/__init__.py")}

    assert {name for name in names if "/tests/" in name or "bench" in name or "baseline" in name} == set()
    assert {"facturier/ops", "facturier/simulator", "facturier/pa_simulator", "config/settings"} <= packages
    # documents.validation stays: e-reporting checks every deposit and report with it before it leaves.
    assert {"facturier/documents/validation.py", "facturier/locale/en/LC_MESSAGES/django.mo"} <= set(names)
