"""Stand-ins for the few verl v0.9.0 classes and functions this plugin uses or is used by.

verl, torch and ray cannot be installed in this project's environment (no package index is
reachable), so the package imports these only when ``import verl`` fails, or when the environment
variable ``FINEMEM_VERL_FORCE_STANDIN=1`` is set (the tests set it). They reproduce the v0.9.0
signatures and the behaviour this plugin relies on (each docstring names the verl file), nothing more;
they are not a port of verl.
"""

from .agent_loop import (
    AgentLoopBase,
    AgentLoopMetrics,
    AgentLoopOutput,
    DictConfigWrap,
    LLMServerClient,
    TokenOutput,
    ToolListWrap,
    _agent_loop_registry,
    register,
)
from .agent_loop_tq import AgentLoopWorkerTQ, TransferQueue
from .config import AttrDict, make_config, rollout_config
from .core_algos import ADV_ESTIMATOR_REGISTRY, get_adv_estimator_fn, register_adv_est
from .trainer import compute_advantage, compute_advantage_from_queue

__all__ = [
    "AgentLoopBase",
    "AgentLoopMetrics",
    "AgentLoopOutput",
    "AgentLoopWorkerTQ",
    "AttrDict",
    "DictConfigWrap",
    "LLMServerClient",
    "TokenOutput",
    "ToolListWrap",
    "TransferQueue",
    "_agent_loop_registry",
    "register",
    "ADV_ESTIMATOR_REGISTRY",
    "get_adv_estimator_fn",
    "register_adv_est",
    "compute_advantage",
    "compute_advantage_from_queue",
    "make_config",
    "rollout_config",
]
