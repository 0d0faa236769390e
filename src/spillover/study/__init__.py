"""Studies: grids of fine-tunes and evaluations (models x datasets x seeds x mitigations x
training presets) run as Ray tasks, embedded on this machine or on a cluster.

    spillover study plan study.yaml
    spillover study run study.yaml --out DIR [--ray-address ADDRESS]
"""

from spillover.study.cells import AXES, Cell, expand
from spillover.study.executor import StudyRun, run_study
from spillover.study.load import load_study
from spillover.study.plan import plan
from spillover.study.schema import LoadedStudy, StudySpec

__all__ = [
    "AXES",
    "Cell",
    "LoadedStudy",
    "StudyRun",
    "StudySpec",
    "expand",
    "load_study",
    "plan",
    "run_study",
]
