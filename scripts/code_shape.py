"""The shape of the code, as issue reviews measure it: import circles, longest functions, largest modules.

    .venv/bin/python scripts/code_shape.py          # a table for bot/ and cogs/

An import circle is a set of modules that import each other, directly or through others (a strongly connected
component of the import graph, imports inside functions and under TYPE_CHECKING included: they still tie the
modules together). The figure that matters is how many files sit in such circles; the target is zero.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "cogs")


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    tree: ast.Module
    lines: int


def load_modules() -> dict[str, Module]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            source = path.read_text(encoding="utf-8")
            modules[name] = Module(name, path, ast.parse(source), len(source.splitlines()))
    return modules


def imports_of(module: Module, known: set[str]) -> set[str]:
    """Project modules imported by ``module``; ``from a import b`` counts ``a.b`` when that is a module."""
    package = module.name.split(".") if module.path.name == "__init__.py" else module.name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(module.tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                prefix = package[: len(package) - node.level + 1]
                base = ".".join([*prefix, base] if base else prefix)
            names = [base, *(f"{base}.{alias.name}" for alias in node.names)]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module.name:
                found.add(name)
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
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
                    found.append(sorted(component))
    return found


def longest_function(modules: list[Module]) -> tuple[int, str]:
    best = (0, "")
    for module in modules:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                length = node.end_lineno - node.lineno + 1
                best = max(best, (length, f"{module.path.relative_to(ROOT)}:{node.lineno} {node.name}"))
    return best


def main() -> int:
    modules = load_modules()
    graph = {name: imports_of(module, set(modules)) for name, module in modules.items()}
    found = circles(graph)
    print("| package | modules | largest module (lines) | longest function (lines) |")
    print("| --- | --- | --- | --- |")
    for package in PACKAGES:
        members = [m for m in modules.values() if m.name.split(".")[0] == package]
        largest = max(members, key=lambda m: m.lines)
        length, where = longest_function(members)
        print(
            f"| {package}/ | {len(members)} | {largest.path.relative_to(ROOT)} ({largest.lines}) | {where} ({length}) |"
        )
    in_circles = sorted({name for component in found for name in component})
    print(f"\nfiles in import circles: {len(in_circles)}")
    for component in found:
        print("  circle: " + " → ".join(component))
    imports_cogs = sorted(
        n for n, deps in graph.items() if n.startswith("bot") and any(d.startswith("cogs") for d in deps)
    )
    print(f"modules of bot/ importing cogs/: {len(imports_cogs)} {' '.join(imports_cogs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
