"""environment.yml (conda users) must offer every dependency pyproject.toml declares."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]

# PyPI name -> conda-forge name, where they differ
CONDA_NAMES = {
    "duckdb": "python-duckdb",
    "matplotlib": "matplotlib-base",
}
# conda entries that are not arkit dependencies but the environment itself
CONDA_ONLY = {"python", "pip"}


def _normalise(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _lower_bound(specifier: SpecifierSet) -> Version | None:
    bounds = [Version(s.version) for s in specifier if s.operator in (">=", "==", "~=", ">")]
    return max(bounds, default=None)


def _conda_requirements(environment: dict) -> tuple[dict[str, Requirement], list[str]]:
    conda: dict[str, Requirement] = {}
    pip: list[str] = []
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):
            pip.extend(entry.get("pip", []))
            continue
        # conda allows "name >=1.0" and "name>=1.0"; packaging reads both once spaces go
        requirement = Requirement(entry.replace(" ", ""))
        conda[_normalise(requirement.name)] = requirement
    return conda, pip


def mismatches(dependencies: list[str], environment: dict) -> list[str]:
    """Problems between pyproject dependencies and a parsed environment.yml, one per line."""
    conda, _ = _conda_requirements(environment)
    problems = []
    expected = set(CONDA_ONLY)
    for text in dependencies:
        requirement = Requirement(text)
        pypi = _normalise(requirement.name)
        name = CONDA_NAMES.get(pypi, pypi)
        expected.add(name)
        if name not in conda:
            problems.append(f"{requirement.name}: missing from environment.yml (conda name {name})")
            continue
        wanted, offered = _lower_bound(requirement.specifier), _lower_bound(conda[name].specifier)
        if wanted is not None and (offered is None or offered < wanted):
            problems.append(
                f"{name}: environment.yml allows {offered or 'any'}, arkit needs >={wanted}"
            )
    problems += [
        f"{name}: in environment.yml but not in pyproject.toml" for name in conda.keys() - expected
    ]
    return problems


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def test_environment_matches_pyproject(pyproject, environment):
    assert environment["name"] == "arkit"
    assert environment["channels"] == ["conda-forge"]
    assert mismatches(pyproject["project"]["dependencies"], environment) == []


def test_environment_python_matches_requires_python(pyproject, environment):
    conda, _ = _conda_requirements(environment)
    required = SpecifierSet(pyproject["project"]["requires-python"])
    assert _lower_bound(conda["python"].specifier) == _lower_bound(required)


def test_environment_installs_arkit_editable_with_dev_extra(pyproject, environment):
    _, pip = _conda_requirements(environment)
    assert "-e .[dev]" in pip
    assert "dev" in pyproject["project"]["optional-dependencies"]


def test_mismatches_catches_a_new_or_raised_dependency(pyproject, environment):
    dependencies = [*pyproject["project"]["dependencies"], "statsmodels>=0.14"]
    assert mismatches(dependencies, environment) == [
        "statsmodels: missing from environment.yml (conda name statsmodels)"
    ]
    raised = [d if not d.startswith("duckdb") else "duckdb>=99" for d in dependencies[:-1]]
    assert mismatches(raised, environment) == [
        "python-duckdb: environment.yml allows 1.1, arkit needs >=99"
    ]
    fewer = [d for d in pyproject["project"]["dependencies"] if not d.startswith("rich")]
    assert mismatches(fewer, environment) == ["rich: in environment.yml but not in pyproject.toml"]
