"""The MT backend registry: names -> "module:Class", imported only when a backend is asked for."""

from __future__ import annotations

import subprocess
import sys

import pytest

from subtrans.errors import ModelError
from subtrans.mt.backends import BACKENDS, Backend, get_backend, register_backend


def test_the_registry_imports_no_backend_until_asked():
    code = ("import sys; import subtrans.mt.backends as b; "
            "print([m for m in ('subtrans.mt.backends.hf', 'subtrans.mt.backends.ct2') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert BACKENDS["hf"] == "subtrans.mt.backends.hf:HFBackend" or isinstance(BACKENDS["hf"], type)


def test_an_unknown_backend_is_one_line_naming_the_known_ones():
    with pytest.raises(ModelError) as err:
        get_backend("nope")
    assert "nope" in str(err.value) and "hf" in err.value.hint and "ct2" in err.value.hint


class _Mine(Backend):
    name = "mine"


def test_a_studio_registers_its_own_backend_by_class_or_by_name(monkeypatch):
    monkeypatch.setitem(BACKENDS, "mine", "tests_do_not_have_this_module:Mine")
    with pytest.raises(ModelError, match="cannot be imported"):
        get_backend("mine")
    register_backend("mine", _Mine)
    assert get_backend("mine") is _Mine
    register_backend("mine", f"{__name__}:_Mine")
    assert get_backend("mine") is _Mine and BACKENDS["mine"] is _Mine   # resolved once, then kept
    with pytest.raises(TypeError):
        register_backend("mine", "no colon")
