import os
from pathlib import Path

from hypothesis import settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "shop"

# CI runs are reproducible: the same examples every time, no example database.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def twin_chains(depth: int) -> str:
    """Segments a0.. and b0.. that say the same thing level by level, each level using the
    one below twice: as trees they double per level, and compared field by field so does
    the time (lint's hardest input)."""
    return "".join(
        f"segment {c}0: age > 1\n" + "".join(
            f"segment {c}{i}: (in segment {c}{i - 1} and age > {i}) or (in segment {c}{i - 1} and country = \"{i}\")\n"
            for i in range(1, depth))
        for c in "ab")


def at_warehouse_time(project, names: str | list[str], dialect: str, as_of, shape: str | None = None) -> str:
    """The SQL a segment (or, with `shape`, several) compiles to without an as-of, which
    reads the warehouse's clock, with that clock stopped at `as_of`. With an as-of given,
    windows of hours and days start at a literal the compiler works out; scheduled runs
    use the warehouse's own time arithmetic, which this puts under the same tests."""
    from segdsl import compile as compiler, dialects, render

    fl = dialects.flavor(dialect)
    now, moment = fl.now(), fl.timestamp(as_of)
    tree = (compiler.compile_segment(project.program, names, dialect, None) if shape is None
            else compiler.compile_many(project.program, names, dialect, None, shape))
    tree = tree.transform(lambda node: moment.copy() if node == now else node, copy=False)
    assert not any(node == now for node in tree.walk()), "the warehouse's clock is still read"
    return render.render(tree, dialect)
