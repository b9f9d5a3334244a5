import math

import pytest

from finemem_verl import ESTIMATOR_NAME
from finemem_verl._compat import get_adv_estimator_fn
from finemem_verl.advantage import compute_finemem_grpo_advantage, grpo_advantages

EPS = 1e-6


def close(a, b):
    return abs(a - b) <= 1e-12 * (1 + abs(b))


def test_registered():
    assert get_adv_estimator_fn(ESTIMATOR_NAME) is compute_finemem_grpo_advantage


def test_pair_by_hand():
    # [1, 3]: mean 2, unbiased std sqrt(2); A = ±1/(sqrt2+eps)
    a = grpo_advantages([1.0, 3.0], ["g", "g"])
    assert close(a[0], -1 / (math.sqrt(2) + EPS)) and close(a[1], 1 / (math.sqrt(2) + EPS))


def test_pooled_two_rollouts_by_hand():
    # rollout 0 steps r=[0.5, 1.0, 0.0], rollout 1 steps r=[0.5, 0.0]; pooled group of 5
    scores = [0.5, 1.0, 0.0, 0.5, 0.0]
    mean = 2.0 / 5  # 0.4
    var = (0.01 + 0.36 + 0.16 + 0.01 + 0.16) / 4  # 0.175
    std = math.sqrt(var)
    got = grpo_advantages(scores, ["i"] * 5)
    for s, a in zip(scores, got):
        assert close(a, (s - mean) / (std + EPS))


def test_per_step_groups_differ_in_size_and_singleton():
    scores = [0.5, 1.0, 0.0, 0.5, 0.0]
    groups = ["i#1", "i#2", "i#3", "i#1", "i#2"]
    got = grpo_advantages(scores, groups)
    assert got[0] == 0.0 and got[3] == 0.0  # equal rewards → 0
    s2 = math.sqrt(0.5)  # [1, 0]: mean 0.5, unbiased var 0.5
    assert close(got[1], 0.5 / (s2 + EPS)) and close(got[4], -0.5 / (s2 + EPS))
    assert close(got[2], 0.0 / (1 + EPS))  # singleton: mean 0, std 1
    assert close(grpo_advantages([0.7], ["x"])[0], 0.7 / (1 + EPS))


def test_equal_rewards_zero():
    assert grpo_advantages([0.3] * 4, ["g"] * 4) == [0.0] * 4


def test_estimator_lists_with_mask_and_modes():
    rewards = [[0, 0, 0.5], [0, 1.0, 0], [0.25, 0.25, 0], [0, 0, 0.5]]
    mask = [[1, 1, 1], [1, 1, 0], [1, 1, 0], [1, 1, 1]]
    ntb = {
        "finemem_group": ["i", "i", "i", "i"],
        "finemem_group_pooled": ["i", "i", "i", "i"],
        "finemem_group_per_step": ["i#1", "i#2", "i#1", "i#2"],
    }
    adv, ret = compute_finemem_grpo_advantage(rewards, mask, non_tensor_batch=ntb)
    exp = grpo_advantages([0.5, 1.0, 0.5, 0.5], ["i"] * 4)
    assert adv == ret
    assert adv[1] == [exp[1], exp[1], 0.0]
    adv2, _ = compute_finemem_grpo_advantage(rewards, mask, config={"finemem": {"grouping": "per-step"}}, non_tensor_batch=ntb)
    exp2 = grpo_advantages([0.5, 1.0, 0.5, 0.5], ["i#1", "i#2", "i#1", "i#2"])
    assert [r[0] for r in adv2] == exp2 and exp2[0] == 0.0
    # fallback to verl's index (uid) when no finemem column
    adv3, _ = compute_finemem_grpo_advantage(rewards, mask, index=["u"] * 4)
    assert [r[0] for r in adv3] == [r[0] for r in adv]
    with pytest.raises(ValueError):
        compute_finemem_grpo_advantage(rewards, mask, config={"finemem_grouping": "per-step"}, index=["u"] * 4)
    # norm_adv_by_std_in_grpo=False (Dr.GRPO): r - mean
    adv4, _ = compute_finemem_grpo_advantage(rewards, mask, non_tensor_batch=ntb, norm_adv_by_std_in_grpo=False)
    assert close(adv4[1][0], 1.0 - 0.625)


class FakeTensor:
    """Looks like a torch tensor: tolist(), new_tensor()."""

    def __init__(self, data):
        self.data = data

    def tolist(self):
        return [list(r) for r in self.data]

    def new_tensor(self, data):
        return FakeTensor(data)


class FakeArray(list):
    def tolist(self):
        return list(self)


def test_estimator_tensor_like():
    rewards = FakeTensor([[0.0, 2.0], [1.0, 0.0], [0.0, 3.0]])
    mask = FakeTensor([[1, 1], [1, 0], [1, 1]])
    adv, ret = compute_finemem_grpo_advantage(rewards, mask, non_tensor_batch={"finemem_group": FakeArray(["a", "a", "a"])})
    assert isinstance(adv, FakeTensor) and adv is ret
    std = 1.0  # [2,1,3]: mean 2, unbiased var 1
    assert adv.data == [[0.0, 0.0], [-1 / (std + EPS), 0.0], [1 / (std + EPS), 1 / (std + EPS)]]
