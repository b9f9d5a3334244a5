"""Import real verl (v0.9.0) when it is installed, else the stand-in (``finemem_verl.standin``).

Set ``FINEMEM_VERL_FORCE_STANDIN=1`` to use the stand-in even when verl is importable (tests).
"""

import os

USING_REAL_VERL = False

if os.environ.get("FINEMEM_VERL_FORCE_STANDIN", "") not in ("1", "true", "True"):
    try:  # pragma: no cover - verl is not installable in this project
        from verl.experimental.agent_loop.agent_loop import (  # type: ignore
            AgentLoopBase,
            AgentLoopMetrics,
            AgentLoopOutput,
            register,
        )
        from verl.trainer.ppo.core_algos import get_adv_estimator_fn, register_adv_est  # type: ignore

        USING_REAL_VERL = True
    except ImportError:
        pass

if not USING_REAL_VERL:
    from .standin import (  # noqa: F401
        AgentLoopBase,
        AgentLoopMetrics,
        AgentLoopOutput,
        get_adv_estimator_fn,
        register,
        register_adv_est,
    )
