"""Every notebook in notebooks/ runs top to bottom with nbclient; a failing cell (including a
failing assert in the notebook) fails the test. Notebooks run in a temporary directory so that
the files they write do not land in the repository."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert [p.name for p in NOTEBOOKS] == ["01-quickstart.ipynb", "02-commissioning-policies.ipynb",
                                           "03-inside-the-market.ipynb", "04-sensitivity.ipynb",
                                           "05-calibration.ipynb", "06-the-region.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path, caremarket_pkg, tmp_path, monkeypatch):
    notebook = nbformat.read(path, as_version=4)
    caremarket_package_dir = Path(caremarket_pkg.__file__).resolve().parent.parent
    # The kernel inherits the environment: make the built package importable in it.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(caremarket_package_dir),
                                                                   os.environ.get("PYTHONPATH")])))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the notebooks draw inline
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    figures = sum(1 for cell in notebook.cells if cell.cell_type == "code" for o in cell.get("outputs", [])
                  if "image/png" in o.get("data", {}))
    assert figures >= 1, f"{path.name} shows no figure"


def _private_uses(source: str) -> list[str]:
    """Private names of caremarket a notebook's code reaches: ``from caremarket._x import ...``,
    ``from caremarket import _x``, ``import caremarket._x``, or ``caremarket._x`` (``cm._x``) through
    any name the module is bound to."""
    import ast

    # IPython magics and shell escapes are not Python: left out.
    code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    tree = ast.parse(code)
    aliases, found = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for name in node.names:
                parts = name.name.split(".")
                if parts[0] == "caremarket":
                    found += [name.name for part in parts[1:] if part.startswith("_")][:1]
                    if len(parts) == 1:
                        aliases.add(name.asname or "caremarket")
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "caremarket":
            parts = node.module.split(".")
            if any(p.startswith("_") for p in parts[1:]):
                found.append(node.module)
            found += [f"{node.module}.{n.name}" for n in node.names if n.name.startswith("_") and n.name != "__version__"]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
            if node.attr.startswith("_") and not (node.attr.startswith("__") and node.attr.endswith("__")):
                found.append(f"{node.value.id}.{node.attr}")
    return found


def test_private_uses_are_found():
    assert _private_uses("from caremarket._region import region") == ["caremarket._region"]
    assert _private_uses("import caremarket as cm\ncm._core.FORMAT_VERSION") == ["cm._core"]
    assert _private_uses("from caremarket import _sweeps, open") == ["caremarket._sweeps"]
    assert _private_uses("%matplotlib inline\nimport caremarket\ncaremarket.__version__, caremarket.plot") == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_uses_only_the_public_api(path):
    """The notebooks show what an analyst can rely on: no name of caremarket that starts with "_"."""
    notebook = nbformat.read(path, as_version=4)
    private = [use for cell in notebook.cells if cell.cell_type == "code" for use in _private_uses(cell.source)]
    assert not private, f"{path.name} reaches private names of caremarket: {private}"
