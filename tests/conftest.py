"""Shared test set-up: deterministic torch and a default memory budget."""

import pytest
import torch

from w2v_helpers.memory import DEFAULT_BUDGET, process_memory


@pytest.fixture(autouse=True)
def _deterministic(monkeypatch):
    """Each test starts from the same seed and the default memory budget."""
    torch.manual_seed(0)
    monkeypatch.delenv("W2V_MEMORY_BUDGET", raising=False)


@pytest.fixture
def fresh_kernel_budget(monkeypatch):
    """The default budget on top of what this process holds now.

    The guard counts what the process already holds. A learner's kernel holds one notebook;
    this test session holds the leftovers of every test before it (caches, the allocator's
    pages). A panel's defaults must render as they would in a fresh kernel.
    """
    monkeypatch.setenv("W2V_MEMORY_BUDGET", str(process_memory() + DEFAULT_BUDGET))
