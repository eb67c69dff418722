"""The public surface is documented: every name a public module exports has type hints
and a numpydoc docstring with an example (classes: a class docstring with an example and
documented public methods)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import skcama

MODULES = ["skcama", "skcama.datasets"] + [
    f"skcama.{info.name}"
    for info in pkgutil.iter_modules(skcama.__path__)
    if not info.name.startswith("_") and info.name != "datasets"
]


def _exported():
    for name in MODULES:
        module = importlib.import_module(name)
        assert hasattr(module, "__all__"), f"{name} has no __all__"
        for attr in module.__all__:
            obj = getattr(module, attr)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield f"{name}.{attr}", obj


def _problems(name: str, obj, method: bool = False) -> list[str]:
    doc = inspect.getdoc(obj) or ""
    if not doc:
        return [f"{name}: no docstring"]
    problems = []
    if not method and "Examples" not in doc:
        problems.append(f"{name}: no Examples section")
    if inspect.isclass(obj):
        for attr, member in vars(obj).items():
            if isinstance(member, (staticmethod, classmethod)):
                member = member.__func__
            if not attr.startswith("_") and inspect.isfunction(member):
                problems += _problems(f"{name}.{attr}", member, method=True)
        return problems
    signature = inspect.signature(obj)
    for parameter in signature.parameters.values():
        if parameter.name in ("self", "cls"):
            continue
        if parameter.annotation is inspect.Parameter.empty:
            problems.append(f"{name}: parameter {parameter.name!r} has no type hint")
    if not method and signature.return_annotation is inspect.Signature.empty:
        problems.append(f"{name}: no return type hint")
    return problems


EXPORTED = dict(_exported())


@pytest.mark.parametrize("name", sorted(EXPORTED))
def test_every_exported_name_is_documented_with_an_example(name):
    assert _problems(name, EXPORTED[name]) == []


def test_the_check_sees_a_missing_example_and_a_missing_type_hint():
    def undocumented(x, y: int):
        """Adds."""
        return x + y

    assert _problems("f", undocumented) == [
        "f: no Examples section",
        "f: parameter 'x' has no type hint",
        "f: no return type hint",
    ]


def test_the_package_loads_its_names_and_submodules_on_first_use():
    # `import skcama` defers torch; its public names and its public submodules are all
    # reachable from it, in a fresh interpreter, as they were when it imported them all
    import subprocess
    import sys

    code = (
        "import sys, skcama\n"
        "assert 'torch' not in sys.modules\n"
        "subs = [m for m in skcama._SUBMODULES]\n"
        "print(all(getattr(skcama, m).__name__ == 'skcama.' + m for m in subs))\n"
        "print(all(getattr(skcama, n) is not None for n in skcama.__all__))\n"
        "print(set(dir(skcama)) == set(skcama.__all__) | set(subs))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["True", "True", "True"]
    public = {info.name for info in pkgutil.iter_modules(skcama.__path__)
              if not info.name.startswith("_")}
    assert public == set(skcama._SUBMODULES)  # a new module is listed there too
