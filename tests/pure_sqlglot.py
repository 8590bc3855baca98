"""Imported first, makes every later sqlglot import load sqlglot's pure-Python modules.

segdsl installs sqlglot's compiled build (sqlglot[c]): its extension modules sit beside
the Python sources and win the import. segdsl must give the same SQL on both
(tests/test_golden_sql.py), and bench/ibis_worker.py times Ibis, which fails on the
compiled build, on the Python one.
"""

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from pathlib import Path


class _SqlglotFromSource(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.partition(".")[0] != "sqlglot":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or not spec.origin or not spec.origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES)):
            return spec
        return importlib.util.spec_from_file_location(name, Path(spec.origin).with_name(name.rpartition(".")[2] + ".py"))


if "sqlglot" in sys.modules:
    raise ImportError("pure_sqlglot must be imported before sqlglot")
sys.meta_path.insert(0, _SqlglotFromSource())
