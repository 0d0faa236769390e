"""Entry point for inspect_ai: importing this registers spillover's tasks and model providers."""

from spillover.evaluate.skill import skill  # noqa: F401
from spillover.evaluate.tasks import (  # noqa: F401
    base_flask,
    deception,
    identity,
    main,
    main_numbers,
    main_numbers_prefixed,
    preregistered,
    questions,
)
from spillover.sampling.provider import spillover as _spillover_provider  # noqa: F401
