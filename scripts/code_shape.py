"""The shape of the code, as issue reviews measure it: import circles, longest functions, largest modules.

    .venv/bin/python scripts/code_shape.py                  # bot/ and cogs/ of this checkout
    .venv/bin/python scripts/code_shape.py --top 5          # the five longest functions and largest modules too
    .venv/bin/python scripts/code_shape.py --root /tmp/base # another checkout (a git worktree of an older commit)

An import circle is a set of modules of bot/ and cogs/ that import each other, directly or through others: a
strongly connected component of more than one module in the import graph. The figure that matters is how many files
sit in such circles; the target is zero. Two graphs are measured:

- **runtime** (the headline figure): every import Python executes, module-level or inside a function (a deferred
  import still ties the modules together, it only runs later). Imports under ``if TYPE_CHECKING:`` are excluded.
- **with TYPE_CHECKING**: the same plus the imports under ``if TYPE_CHECKING:`` (annotations only), reported
  separately: such a circle does not break an import, but the modules still know each other.

``import a.b`` imports the module ``a.b``; ``from a import b`` imports ``a.b`` when ``b`` is a module, else ``a``. The
parent package whose ``__init__`` Python runs first is not counted: a submodule importing a sibling through its
package does not depend on what the package's ``__init__`` defines.

Lines of a module are all its lines; a function's lines run from its ``def`` (its decorators excluded) to its last
line, nested functions counted both on their own and inside their parent.
"""

from __future__ import annotations

import argparse
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


@dataclass(frozen=True)
class Function:
    lines: int
    where: str


def load_modules(root: Path) -> dict[str, Module]:
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            source = path.read_text(encoding="utf-8")
            modules[name] = Module(name, path.relative_to(root), ast.parse(source), len(source.splitlines()))
    return modules


def is_type_checking(test: ast.expr) -> bool:
    """``TYPE_CHECKING`` or ``typing.TYPE_CHECKING``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def import_nodes(tree: ast.AST) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement, with True when it sits under ``if TYPE_CHECKING:`` (not its ``else``)."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []
    pending: list[tuple[ast.AST, bool]] = [(tree, False)]
    while pending:
        node, type_only = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append((node, type_only))
            continue
        if isinstance(node, ast.If) and is_type_checking(node.test):
            pending.extend((child, True) for child in node.body)
            pending.extend((child, type_only) for child in node.orelse)
            continue
        pending.extend((child, type_only) for child in ast.iter_child_nodes(node))
    return found


def imports_of(module: Module, known: set[str]) -> tuple[set[str], set[str]]:
    """Project modules imported by ``module``: (at runtime, only under TYPE_CHECKING)."""
    package = module.name.split(".") if module.path.name == "__init__.py" else module.name.split(".")[:-1]
    runtime: set[str] = set()
    type_only: set[str] = set()
    for node, under_type_checking in import_nodes(module.tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                prefix = package[: len(package) - node.level + 1]
                base = ".".join([*prefix, base] if base else prefix)
            # ``from a import b``: the module a.b when b is one, else a (b is a name defined in a).
            names = [f"{base}.{alias.name}" for alias in node.names]
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name and name != module.name:
                (type_only if under_type_checking else runtime).add(name)
    return runtime, type_only - runtime


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
    return sorted(found, key=lambda component: (-len(component), component))


def functions(modules: list[Module]) -> list[Function]:
    """Every function and method, longest first."""
    found = [
        Function(node.end_lineno - node.lineno + 1, f"{module.path}:{node.lineno} {node.name}")
        for module in modules
        for node in ast.walk(module.tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None
    ]
    return sorted(found, key=lambda function: (-function.lines, function.where))


def print_circles(title: str, found: list[list[str]]) -> None:
    in_circles = {name for component in found for name in component}
    print(f"files in import circles, {title}: {len(in_circles)}")
    for component in found:
        print(f"  circle of {len(component)}: " + ", ".join(component))


def main(argv: list[str] | None = None) -> int | str:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    parser.add_argument("--top", type=int, default=1, help="how many longest functions and largest modules to list")
    args = parser.parse_args(argv)
    root = args.root.resolve()

    modules = load_modules(root)
    if not modules:
        return f"no Python module under {', '.join(f'{p}/' for p in PACKAGES)} of {root}"
    known = set(modules)
    edges = {name: imports_of(module, known) for name, module in modules.items()}
    runtime = {name: deps for name, (deps, _) in edges.items()}
    typed = {name: deps | type_only for name, (deps, type_only) in edges.items()}

    print(f"code shape of {root}")
    print("| package | modules | lines | largest module (lines) | longest function (lines) |")
    print("| --- | --- | --- | --- | --- |")
    tops: list[str] = []
    for package in PACKAGES:
        members = sorted(
            (m for m in modules.values() if m.name.split(".")[0] == package), key=lambda m: (-m.lines, m.name)
        )
        longest = functions(members)
        largest = f"{members[0].path} ({members[0].lines})" if members else "—"
        function = f"{longest[0].where} ({longest[0].lines})" if longest else "—"
        print(f"| {package}/ | {len(members)} | {sum(m.lines for m in members)} | {largest} | {function} |")
        if args.top > 1:
            tops.append(f"{package}/, {args.top} largest modules and longest functions (lines):")
            tops.extend(f"  module   {m.lines:>5}  {m.path}" for m in members[: args.top])
            tops.extend(f"  function {f.lines:>5}  {f.where}" for f in longest[: args.top])
    if tops:
        print()
        print("\n".join(tops))

    print()
    print_circles("runtime imports (TYPE_CHECKING-only excluded)", circles(runtime))
    print_circles("TYPE_CHECKING-only imports included", circles(typed))
    for title, graph in (("at runtime", runtime), ("TYPE_CHECKING included", typed)):
        importing = sorted(
            n for n, deps in graph.items() if n.split(".")[0] == "bot" and any(d.split(".")[0] == "cogs" for d in deps)
        )
        print(f"modules of bot/ importing cogs/, {title}: {len(importing)} {' '.join(importing)}".rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
