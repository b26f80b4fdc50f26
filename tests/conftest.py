"""Shared test set-up: deterministic torch and a default memory budget."""

import pytest
import torch

from w2v_helpers import memory

# What a kernel holds once torch and the helpers are imported: this process, before any test.
FRESH_KERNEL_BYTES = memory.process_memory()


@pytest.fixture(autouse=True)
def _deterministic(monkeypatch):
    """Each test starts from the same seed and the default memory budget."""
    torch.manual_seed(0)
    monkeypatch.delenv("W2V_MEMORY_BUDGET", raising=False)


@pytest.fixture
def fresh_kernel_memory(monkeypatch):
    """The guard sees what a fresh kernel holds, not this session's leftovers.

    The guard adds what the process already holds to what a step needs. A learner's kernel holds
    one notebook; this test session holds the leftovers of every test before it (caches, the
    allocator's pages). Panels drawn here must decide as a fresh kernel does, and print the same
    text (the budget itself is untouched, so the printed budget matches the notebook's).
    """
    monkeypatch.setattr(memory, "process_memory", lambda: FRESH_KERNEL_BYTES)
