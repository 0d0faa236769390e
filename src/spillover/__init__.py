"""spillover: measure whether a narrow fine-tune spills over into broad misalignment."""

from spillover._version import __version__
from spillover.errors import InputError, OfflineError, SpilloverError

__all__ = ["InputError", "OfflineError", "SpilloverError", "__version__"]
