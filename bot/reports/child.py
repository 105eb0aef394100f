"""Work handed to a child process, so that the event loop only waits for its answer.

Drawing a year with matplotlib and writing its spreadsheets spends most of its time in long C calls (Agg's
rasteriser, PNG and zip compression) that keep the interpreter's lock: run in a worker thread, they still made the
event loop wait 30 to 60 ms at a time (benchmarks/bilan.py), long enough to delay every other interaction. In a
process of its own the work takes no time from the loop. Plain values cross, both ways.

Each piece of work gets a child of its own, forked from multiprocessing's fork server, which imports
``bot.reports.bilan`` (and so matplotlib and openpyxl) once in the life of the bot: a bilan pays a fork, not an
interpreter start, and no child outlives its work. The work is named, not imported, so the bot's own process never
loads what only the child uses. The server is started by the first piece of work, from a worker thread: starting
it means waiting for its imports, which the event loop must not do. (As with any multiprocessing child, the
program's main module is imported again in the child unless it was run with ``-m`` as a package's ``__main__``:
``python -m bot`` is; a script run by path must keep its work under ``if __name__ == "__main__"``.)
"""

from __future__ import annotations

import asyncio
import importlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_CHILDREN = multiprocessing.get_context("forkserver")
_CHILDREN.set_forkserver_preload(["bot.reports.bilan"])


async def in_child(module: str, function: str, *args: object) -> Any:
    """``module.function(*args)`` in a child process of its own; ``args`` and the answer cross by pickling."""
    return await asyncio.to_thread(_run_in_child, module, function, args)


def _run_in_child(module: str, function: str, args: tuple[object, ...]) -> Any:
    """In a worker thread: fork one child from the fork server, run the work there, wait for it to end."""
    with ProcessPoolExecutor(max_workers=1, mp_context=_CHILDREN) as pool:
        return pool.submit(_call, module, function, args).result()


def _call(module: str, function: str, args: tuple[object, ...]) -> Any:
    """In the child: the named function, from the module the fork server has already imported."""
    return getattr(importlib.import_module(module), function)(*args)
