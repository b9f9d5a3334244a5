"""Stand-in for ``verl/trainer/ppo/core_algos.py`` (verl v0.9.0): the estimator registry.

Stands in for::

    ADV_ESTIMATOR_REGISTRY: dict[str, Any]
    def register_adv_est(name_or_enum: str | AdvantageEstimator) -> Callable[[fn], fn]
    def get_adv_estimator_fn(name_or_enum) -> fn

It is a stand-in because verl/torch/ray cannot be installed here. Same rules as verl's: registering
another function under a taken name raises ValueError; an unknown name raises ValueError.
"""

from enum import Enum
from typing import Any

ADV_ESTIMATOR_REGISTRY: dict[str, Any] = {}


def register_adv_est(name_or_enum):
    """Stand-in for ``core_algos.register_adv_est(name_or_enum)`` (decorator)."""

    def decorator(fn):
        name = name_or_enum.value if isinstance(name_or_enum, Enum) else name_or_enum
        if name in ADV_ESTIMATOR_REGISTRY and ADV_ESTIMATOR_REGISTRY[name] != fn:
            raise ValueError(f"Adv estimator {name} has already been registered: {ADV_ESTIMATOR_REGISTRY[name]} vs {fn}")
        ADV_ESTIMATOR_REGISTRY[name] = fn
        return fn

    return decorator


def get_adv_estimator_fn(name_or_enum):
    """Stand-in for ``core_algos.get_adv_estimator_fn(name_or_enum)``."""
    name = name_or_enum.value if isinstance(name_or_enum, Enum) else name_or_enum
    if name not in ADV_ESTIMATOR_REGISTRY:
        raise ValueError(f"Unknown advantage estimator: {name}")
    return ADV_ESTIMATOR_REGISTRY[name]
