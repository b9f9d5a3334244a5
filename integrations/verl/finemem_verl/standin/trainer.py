"""Stand-in for the advantage step of verl v0.9.0's V1 trainer, on lists instead of tensors.

- ``PPOTrainer._compute_advantage(batch, metrics)`` (``verl/trainer/ppo/v1/trainer_base.py``) reads
  ``uid``, ``response_mask`` and ``rm_scores`` of the batch's keys from the TransferQueue, takes
  ``token_level_rewards = rm_scores`` (no KL in the reward), and calls
- ``compute_advantage_for_multi_trajectories`` (``verl/trainer/ppo/v1/utils.py``), which hands any
  estimator other than the built-in ``grpo`` to
- ``compute_advantage`` (``verl/trainer/ppo/ray_trainer.py``), which calls a registered estimator with
  ``token_level_rewards``, ``response_mask``, ``config`` (the ``algorithm`` section) and
  ``index = non_tensor_batch["uid"]``; only ``gdpo`` also gets ``non_tensor_batch``.

So an unpatched v0.9.0 gives ``finemem_grpo`` the uid as its group: all steps of all G sessions of one
prompt, Fine-Mem's ``pooled`` grouping. ``group_columns`` reproduces the patch that per-step grouping
needs (README): the trainer also reads those keys of each sample's ``extra_fields`` and passes them
to the estimator as ``non_tensor_batch``.
"""

from __future__ import annotations

from typing import Any, Sequence

from .core_algos import get_adv_estimator_fn


def compute_advantage(data: dict, adv_estimator: str, norm_adv_by_std_in_grpo: bool = True, config: Any = None) -> dict:
    """``compute_advantage``'s branch for registered estimators: ``data`` holds ``batch``
    (``token_level_rewards``, ``response_mask``) and ``non_tensor_batch`` (``uid``, and with the patch
    the group columns); ``norm_adv_by_std_in_grpo`` is not passed on, the estimator reads ``config``."""
    if adv_estimator in ("gae", "grpo"):
        raise NotImplementedError(f"the stand-in reproduces registered estimators only, not {adv_estimator!r}")
    fn = get_adv_estimator_fn(adv_estimator)
    kwargs: dict[str, Any] = {
        "token_level_rewards": data["batch"]["token_level_rewards"],
        "response_mask": data["batch"]["response_mask"],
        "config": config,
    }
    if "uid" in data["non_tensor_batch"]:
        kwargs["index"] = data["non_tensor_batch"]["uid"]
    extra = {key: value for key, value in data["non_tensor_batch"].items() if key != "uid"}
    if extra:  # the patch
        kwargs["non_tensor_batch"] = data["non_tensor_batch"]
    advantages, returns = fn(**kwargs)
    data["batch"]["advantages"] = advantages
    data["batch"]["returns"] = returns
    return data


def compute_advantage_from_queue(
    transfer_queue, keys: Sequence[str], partition_id: str, config: Any, group_columns: Sequence[str] = ()
) -> list[list[float]]:
    """``PPOTrainer._compute_advantage`` for ``keys``: the advantages, one row per key, padded with
    zeros to the longest response."""
    data = transfer_queue.kv_batch_get(keys=list(keys), partition_id=partition_id, select_fields=["uid", "response_mask", "rm_scores", "extra_fields"])
    width = max(len(mask) for mask in data["response_mask"])

    def pad(row):
        return [float(value) for value in row] + [0.0] * (width - len(row))

    non_tensor_batch: dict[str, list] = {"uid": list(data["uid"])}
    for column in group_columns:
        non_tensor_batch[column] = [extra[column] for extra in data["extra_fields"]]
    batch = {
        "token_level_rewards": [pad(row) for row in data["rm_scores"]],
        "response_mask": [pad(row) for row in data["response_mask"]],
    }
    algorithm = config.algorithm
    out = compute_advantage(
        {"batch": batch, "non_tensor_batch": non_tensor_batch},
        adv_estimator=algorithm.adv_estimator,
        norm_adv_by_std_in_grpo=algorithm.get("norm_adv_by_std_in_grpo", True),
        config=algorithm,
    )
    return out["batch"]["advantages"]
