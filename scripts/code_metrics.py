"""The README's code figures (issue #19), from the source alone (standard library only):

- lines of source of the runtime package (`facturier/` and `config/`, what the wheel ships), tests excluded; of the
  tests (every `tests/` folder, the cross-app `acceptance/` suite and the root conftest.py); of the developer
  tooling outside the package (`tools/`, its tests excluded): lines that are neither blank nor only a comment
  (docstrings count);
- the longest function of the runtime package (from its `def` line to its last line);
- the import cycles among the runtime package's modules: groups of modules that import one another in a circle
  (strongly connected components of the import graph, every import counted, also those inside functions).

usage: python scripts/code_metrics.py [REPOSITORY]   (default: the repository holding this script)
"""

from __future__ import annotations

import ast
import io
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

RUNTIME_PACKAGES = ("facturier", "config")
NOT_CODE = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}


@dataclass(frozen=True)
class Function:
    name: str
    lines: int


@dataclass(frozen=True)
class Lines:
    lines: int = 0
    files: int = 0

    def plus(self, lines: int) -> Lines:
        return Lines(self.lines + lines, self.files + 1)


@dataclass(frozen=True)
class Metrics:
    runtime: Lines
    tests: Lines
    tooling: Lines
    longest: Function
    cycles: list[list[str]]


def kind_of(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts
    if "tests" in parts or parts[0] == "acceptance" or parts == ("conftest.py",):
        return "tests"
    return "tooling" if parts[0] == "tools" else "runtime"


def python_files(root: Path) -> Iterator[Path]:
    for top in (*RUNTIME_PACKAGES, "tools", "acceptance"):
        yield from sorted(path for path in (root / top).rglob("*.py") if ".egg-info" not in str(path))
    if (root / "conftest.py").exists():
        yield root / "conftest.py"


def source_lines(text: str) -> int:
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type not in NOT_CODE:
            lines.update(range(token.start[0], token.end[0] + 1))
    return len(lines)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def functions(tree: ast.AST, module: str) -> Iterator[Function]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield Function(f"{module}.{node.name}", node.end_lineno - node.lineno + 1)


def imported_modules(tree: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The runtime modules `module` imports: `from a.b import c` is module a.b.c when that is a module, else a.b."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package)
            found.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names)
    return {name for name in found if name in known and name != module}


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    anchor = package[: len(package) - node.level + 1]
    return ".".join([*anchor, *([node.module] if node.module else [])])


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative), each sorted, largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components, key=lambda component: (-len(component), component))


def measure(root: Path) -> Metrics:
    counted = {"runtime": Lines(), "tests": Lines(), "tooling": Lines()}
    trees: dict[str, tuple[ast.AST, bool]] = {}
    longest = Function("", 0)
    for path in python_files(root):
        text = path.read_text(encoding="utf-8")
        kind = kind_of(path, root)
        counted[kind] = counted[kind].plus(source_lines(text))
        if kind != "runtime":
            continue
        name = module_name(path, root)
        tree = ast.parse(text)
        trees[name] = (tree, path.name == "__init__.py")
        longest = max([longest, *functions(tree, name)], key=lambda function: function.lines)
    known = set(trees)
    graph = {name: imported_modules(tree, name, is_package, known) for name, (tree, is_package) in trees.items()}
    return Metrics(counted["runtime"], counted["tests"], counted["tooling"], longest, import_cycles(graph))


def report(metrics: Metrics) -> str:
    lines = [
        f"runtime package (facturier/, config/; tests excluded): {metrics.runtime.lines} lines of source"
        f" in {metrics.runtime.files} files",
        f"tests (tests/ folders, acceptance/, conftest.py): {metrics.tests.lines} lines of source"
        f" in {metrics.tests.files} files",
        f"developer tooling outside the package (tools/): {metrics.tooling.lines} lines of source"
        f" in {metrics.tooling.files} files",
        f"longest function: {metrics.longest.name} ({metrics.longest.lines} lines)",
        f"import cycles among the runtime modules: {len(metrics.cycles)}",
    ]
    lines += [f"  {len(cycle)} modules: {', '.join(cycle)}" for cycle in metrics.cycles]
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    root = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent
    print(report(measure(root.resolve())))


if __name__ == "__main__":
    main(sys.argv[1:])
