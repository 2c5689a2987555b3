"""`facturier`: the product's command line, a thin wrapper over Django management commands and Celery.

facturier run                 embedded demo (what `make run` starts)
facturier sync [--seller X]   pull orders and issue invoices now
facturier simulator ...       the built-in Octopia simulator
facturier web | worker | beat production processes (gunicorn, Celery worker, Celery beat)
facturier <any manage.py command>
facturier bench ...           developer tooling installed beside the product (tools/bench, `make setup`): any
                              distribution may add a command through the `facturier.commands` entry-point group
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import EntryPoint, entry_points

TOOL_COMMANDS_GROUP = "facturier.commands"
# Commands the README documents that live in a separate distribution of this repository, not in the wheel.
DEVELOPER_TOOLS = {"bench": "tools/bench"}

PROCESS_COMMANDS = {
    "web": lambda args: [
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        os.environ.get("FACTURIER_BIND", "0.0.0.0:8000"),
        "--workers",
        os.environ.get("FACTURIER_WEB_WORKERS", "3"),
        "--access-logfile",
        "-",
        *args,
    ],
    "worker": lambda args: ["celery", "-A", "config", "worker", "--loglevel", "INFO", *args],
    "beat": lambda args: ["celery", "-A", "config", "beat", "--loglevel", "INFO", *args],
}


def _bin(name: str) -> str:
    candidate = os.path.join(os.path.dirname(sys.executable), name)
    return candidate if os.path.exists(candidate) else name


def tool_command(name: str) -> EntryPoint | None:
    """The command a separately installed distribution registers under `name`, if any."""
    return next(iter(entry_points(group=TOOL_COMMANDS_GROUP, name=name)), None)


def run_tool(entry_point: EntryPoint, argv: list[str]) -> None:
    """A tool's command is a Django BaseCommand subclass: run with the product's settings, as manage.py would."""
    import django

    django.setup()
    entry_point.load()().run_from_argv(["facturier", *argv])


def missing_tool_message(name: str) -> str:
    return (
        f"`facturier {name}` is developer tooling, not part of the installed product: install it with"
        f" `make setup` or `.venv/bin/pip install -e {DEVELOPER_TOOLS[name]}` from a checkout of the repository."
    )


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.embedded")
    if argv and argv[0] in PROCESS_COMMANDS:
        command = PROCESS_COMMANDS[argv[0]](argv[1:])
        os.execv(_bin(command[0]), [_bin(command[0]), *command[1:]])
    tool = tool_command(argv[0]) if argv else None
    if tool is not None:
        run_tool(tool, argv)
        return
    if argv and argv[0] in DEVELOPER_TOOLS:
        sys.exit(missing_tool_message(argv[0]))
    if argv and not argv[0].startswith("-"):
        # Django command modules cannot contain dashes: `facturier api-token` runs `api_token`.
        argv[0] = argv[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["facturier", *argv])


if __name__ == "__main__":
    main()
