"""segdsl: customer segments as code, compiled to SQL for any warehouse."""

from .api import Project, check_project, load_project, project_from_sources
from .diagnostics import Diagnostic, SegdslError

__all__ = ["Diagnostic", "Project", "SegdslError", "check_project", "load_project", "project_from_sources"]
