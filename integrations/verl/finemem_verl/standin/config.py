"""Stand-in for the OmegaConf ``DictConfig`` verl passes around: attribute and ``.get`` access.

verl v0.9.0 reads its configuration both ways (``config.actor_rollout_ref.rollout.n`` and
``config.data.get("apply_chat_template_kwargs", {})``); :func:`make_config` wraps nested mappings so
the stand-in classes and the plugin can do the same without OmegaConf.
"""

from __future__ import annotations

from typing import Any, Mapping


class AttrDict(dict):
    """A dict whose keys are also attributes; a missing attribute raises AttributeError."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as error:
            raise AttributeError(name) from error


def make_config(value: Any) -> Any:
    """Nested mappings become :class:`AttrDict` (lists are walked); other values are kept."""
    if isinstance(value, Mapping):
        return AttrDict({key: make_config(item) for key, item in value.items()})
    if isinstance(value, list):
        return [make_config(item) for item in value]
    return value


def rollout_config(**overrides: Any) -> dict:
    """The ``actor_rollout_ref.rollout`` keys the stand-in reads, with verl's defaults where it has them."""
    base = {
        "n": 1,
        "prompt_length": 16384,
        "response_length": 2048,
        "temperature": 1.0,
        "top_p": 1.0,
        "top_k": -1,
        "calculate_log_probs": True,
        "val_kwargs": {"n": 1, "temperature": 0, "top_p": 1.0, "top_k": -1},
        "agent": {"default_agent_loop": "single_turn_agent", "num_workers": 1},
    }
    base.update(overrides)
    return base
