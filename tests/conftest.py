"""Shared test set-up: deterministic torch and a default memory budget."""

import pytest
import torch


@pytest.fixture(autouse=True)
def _deterministic(monkeypatch):
    """Each test starts from the same seed and the default memory budget."""
    torch.manual_seed(0)
    monkeypatch.delenv("W2V_MEMORY_BUDGET", raising=False)
