"""GRPO advantage estimator for Fine-Mem's per-step samples, registered as ``"finemem_grpo"``.

Each chunk step of an episode is one RL sample carrying its own reward r(t) (finalize's
``steps[].rewards.total``). The group of a sample is the string ``non_tensor_batch["finemem_group"]``
that FineMemAgentLoop writes into ``extra_fields``:

- ``pooled``   → ``"<instanceId>"``: every step of every one of the G rollouts of an instance;
- ``per-step`` → ``"<instanceId>#<t>"``: step t across the G rollouts (groups may differ in size).

The loop also writes both keys (``finemem_group_pooled`` / ``finemem_group_per_step``); when the
config names a grouping (``config["finemem_grouping"]`` or ``config["finemem"]["grouping"]``; verl passes
its ``algorithm`` section) that column is used, else ``finemem_group``, else verl's ``index`` (the uid).
verl v0.9.0 passes ``index`` and no ``non_tensor_batch`` to a registered estimator
(``ray_trainer.compute_advantage``), and every output of the G sessions of one prompt shares its uid:
the uid is the pooled group, so pooled grouping needs nothing more. Per-step grouping needs the
column, which only a patched trainer passes; without it the estimator raises rather than pool.

Arithmetic follows verl v0.9.0's ``compute_grpo_outcome_advantage`` (core_algos.py):
score = sum of the row's token rewards; A = (score − mean) / (std + eps), std unbiased (n − 1),
eps = 1e-6; a group of one gets mean 0 and std 1; ``norm_adv_by_std_in_grpo=False`` drops the std.
It is done on Python floats (IEEE float64) over plain lists, so results are exactly reproducible;
a torch tensor input is converted with ``.tolist()`` and the output built with ``.new_tensor``.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence

from ._compat import register_adv_est

ESTIMATOR_NAME = "finemem_grpo"
GROUPINGS = ("pooled", "per-step")

__all__ = ["ESTIMATOR_NAME", "grpo_advantages", "compute_finemem_grpo_advantage", "group_key", "grouping_from_config"]


def group_key(instance_id: str, step: int, grouping: str) -> str:
    """The ``finemem_group`` string of a sample."""
    if grouping == "pooled":
        return str(instance_id)
    if grouping == "per-step":
        return f"{instance_id}#{int(step)}"
    raise ValueError(f"grouping must be one of {GROUPINGS}, got {grouping!r}")


def grpo_advantages(
    scores: Sequence[float], groups: Sequence[Any], epsilon: float = 1e-6, norm_adv_by_std: bool = True
) -> list[float]:
    """Scalar GRPO advantages, one per sample, on float64."""
    if len(scores) != len(groups):
        raise ValueError(f"{len(scores)} scores but {len(groups)} group keys")
    members: dict[Any, list[float]] = {}
    for s, g in zip(scores, groups):
        members.setdefault(g, []).append(float(s))
    stats: dict[Any, tuple[float, float]] = {}
    for g, xs in members.items():
        n = len(xs)
        if n == 1:
            stats[g] = (0.0, 1.0)
            continue
        total = 0.0
        for x in xs:
            total += x
        mean = total / n
        ss = 0.0
        for x in xs:
            ss += (x - mean) * (x - mean)
        stats[g] = (mean, math.sqrt(ss / (n - 1)))
    out = []
    for s, g in zip(scores, groups):
        mean, std = stats[g]
        out.append((float(s) - mean) / (std + epsilon) if norm_adv_by_std else float(s) - mean)
    return out


def _get(cfg: Any, key: str, default=None):
    if cfg is None:
        return default
    if isinstance(cfg, dict):
        return cfg.get(key, default)
    getter = getattr(cfg, "get", None)
    if callable(getter):
        try:
            return getter(key, default)
        except Exception:  # dataclass-like configs whose get() differs
            pass
    return getattr(cfg, key, default)


def grouping_from_config(config: Any) -> Optional[str]:
    g = _get(config, "finemem_grouping")
    if g is None:
        g = _get(_get(config, "finemem"), "grouping")
    if g is not None and g not in GROUPINGS:
        raise ValueError(f"finemem grouping must be one of {GROUPINGS}, got {g!r}")
    return g


def _to_rows(x: Any) -> list[list[float]]:
    rows = x.tolist() if hasattr(x, "tolist") else x
    return [[float(v) for v in (r.tolist() if hasattr(r, "tolist") else r)] for r in rows]


def _column(ntb: Any, key: str):
    if ntb is None:
        return None
    try:
        col = ntb[key] if key in ntb else None
    except TypeError:
        col = None
    if col is None:
        return None
    return [str(v) for v in (col.tolist() if hasattr(col, "tolist") else col)]


def compute_finemem_grpo_advantage(
    token_level_rewards: Any,
    response_mask: Any,
    index: Any = None,
    config: Any = None,
    non_tensor_batch: Any = None,
    epsilon: float = 1e-6,
    norm_adv_by_std_in_grpo: Optional[bool] = None,
    **kwargs: Any,
):
    """verl advantage-estimator signature; returns ``(advantages, returns)`` shaped like the input
    (lists of lists, or tensors through ``token_level_rewards.new_tensor``), advantages broadcast
    over the response mask as verl does (``scores.unsqueeze(-1) * response_mask``)."""
    rewards = _to_rows(token_level_rewards)
    mask = _to_rows(response_mask)
    if len(rewards) != len(mask):
        raise ValueError("token_level_rewards and response_mask have different batch sizes")
    grouping = grouping_from_config(config)
    groups = None
    if grouping is not None:
        groups = _column(non_tensor_batch, "finemem_group_pooled" if grouping == "pooled" else "finemem_group_per_step")
    if groups is None:
        groups = _column(non_tensor_batch, "finemem_group")
    if groups is None:
        if grouping == "per-step":
            raise ValueError("per-step grouping needs non_tensor_batch['finemem_group_per_step'] (or 'finemem_group')")
        if index is None:
            raise ValueError("no group keys: pass non_tensor_batch['finemem_group'] or index")
        groups = [str(v) for v in (index.tolist() if hasattr(index, "tolist") else index)]
    if norm_adv_by_std_in_grpo is None:
        norm_adv_by_std_in_grpo = bool(_get(config, "norm_adv_by_std_in_grpo", True))
    scores = []
    for row in rewards:
        total = 0.0
        for v in row:
            total += v
        scores.append(total)
    adv = grpo_advantages(scores, groups, epsilon=epsilon, norm_adv_by_std=norm_adv_by_std_in_grpo)
    out = [[a * m for m in mrow] for a, mrow in zip(adv, mask)]
    new_tensor = getattr(token_level_rewards, "new_tensor", None)
    if callable(new_tensor):
        t = new_tensor(out)
        return t, t
    return out, out


register_adv_est(ESTIMATOR_NAME)(compute_finemem_grpo_advantage)
