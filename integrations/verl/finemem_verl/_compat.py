"""Import real verl (v0.9.0) when it is installed, else the stand-in (``finemem_verl.standin``).

Set ``FINEMEM_VERL_FORCE_STANDIN=1`` to use the stand-in even when verl is importable (tests).

Installed verl that fails to import is an error, not a reason to fall back: the stand-in would then
register the agent loop and the estimator where real verl never looks, and training would fail later
with "Unknown advantage estimator".
"""

import importlib.util
import os

FORCED_STANDIN = os.environ.get("FINEMEM_VERL_FORCE_STANDIN", "") in ("1", "true", "True")
USING_REAL_VERL = not FORCED_STANDIN and importlib.util.find_spec("verl") is not None

if USING_REAL_VERL:
    try:
        from verl.experimental.agent_loop.agent_loop import (  # type: ignore
            AgentLoopBase,
            AgentLoopMetrics,
            AgentLoopOutput,
            register,
        )
        from verl.trainer.ppo.core_algos import get_adv_estimator_fn, register_adv_est  # type: ignore
    except ImportError as error:
        raise ImportError(
            f"finemem_verl: verl is installed but its agent-loop or core_algos module did not import ({error}); "
            "finemem_verl needs verl v0.9.0 with its rollout dependencies, "
            "or FINEMEM_VERL_FORCE_STANDIN=1 to run on the stand-in"
        ) from error
else:
    from .standin import (  # noqa: F401
        AgentLoopBase,
        AgentLoopMetrics,
        AgentLoopOutput,
        get_adv_estimator_fn,
        register,
        register_adv_est,
    )
