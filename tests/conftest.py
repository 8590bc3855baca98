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
