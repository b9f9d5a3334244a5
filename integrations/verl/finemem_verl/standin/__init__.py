"""Stand-ins for the few verl v0.9.0 classes and functions this plugin uses.

verl, torch and ray cannot be installed in this project's environment (no package index is
reachable), so the package imports these only when ``import verl`` fails, or when the environment
variable ``FINEMEM_VERL_FORCE_STANDIN=1`` is set (the tests set it). They reproduce signatures and
the behaviour this plugin relies on, nothing more; they are not a port of verl.
"""

from .agent_loop import (
    AgentLoopBase,
    AgentLoopManager,
    AgentLoopMetrics,
    AgentLoopOutput,
    AgentLoopWorker,
    AsyncLLMServerManager,
    DictConfigWrap,
    TokenOutput,
    _agent_loop_registry,
    register,
)
from .core_algos import ADV_ESTIMATOR_REGISTRY, get_adv_estimator_fn, register_adv_est

__all__ = [
    "AgentLoopBase",
    "AgentLoopManager",
    "AgentLoopMetrics",
    "AgentLoopOutput",
    "AgentLoopWorker",
    "AsyncLLMServerManager",
    "DictConfigWrap",
    "TokenOutput",
    "_agent_loop_registry",
    "register",
    "ADV_ESTIMATOR_REGISTRY",
    "get_adv_estimator_fn",
    "register_adv_est",
]
