"""Fine-Mem plugin for verl: HTTP client of ``finemem serve``, the ``finemem`` agent loop, the
``finemem_grpo`` advantage estimator, and the step output that keeps each step's reward through verl.

Importing the package registers the agent loop and the estimator (real verl when importable, else
the stand-in in ``finemem_verl.standin``).
"""

from ._compat import USING_REAL_VERL
from .advantage import ESTIMATOR_NAME, compute_finemem_grpo_advantage, grpo_advantages
from .agent_loop import FineMemAgentLoop
from .client import FineMemClient, FineMemConnectionError, FineMemServerError
from .step_output import FineMemStepOutput

__all__ = [
    "USING_REAL_VERL",
    "ESTIMATOR_NAME",
    "compute_finemem_grpo_advantage",
    "grpo_advantages",
    "FineMemAgentLoop",
    "FineMemClient",
    "FineMemConnectionError",
    "FineMemServerError",
    "FineMemStepOutput",
]


def register_plugin() -> None:
    """Entry point of the ``verl.plugins`` group: importing this module did the registration."""
