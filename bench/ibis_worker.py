"""Times Ibis for bench/run.py in a process of its own, on sqlglot's pure-Python modules.

segdsl installs sqlglot's mypyc-compiled build (sqlglot[c]), which rejects what Ibis 12
builds for an interval (a unit given as text: "Expr or None object expected; got str"),
so Ibis users run sqlglot's Python modules and Ibis is timed on them (tests/pure_sqlglot.py
makes the import take them). run.py drives this process block by block over stdin, so
its runs interleave with segdsl's and PRQL's as when all three ran in one process:

    time <attr|mixed> <n>   ->  a JSON list of n run times in seconds
    sql <attr|mixed>        ->  the SQL as a JSON string
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    sys.path[:0] = [str(HERE.parent / "tests"), str(HERE)]
    import pure_sqlglot  # noqa: F401  (first: the sqlglot imported after it is the Python one)
    import run

    fns = {"attr": run.ibis_attr, "mixed": run.ibis_mixed}
    for fn in fns.values():  # first calls: imports
        fn()
    for line in sys.stdin:
        verb, which, *n = line.split()
        answer = run.timed(fns[which], int(n[0])) if verb == "time" else fns[which]()
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
