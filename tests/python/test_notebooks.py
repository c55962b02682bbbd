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
