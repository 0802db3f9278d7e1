"""Report parameters: layered YAML and command-line values, validated before any kernel starts.

Layers, later wins:

1. the defaults in the notebook's parameters cell;
2. ``params/default.yaml`` (common parameters: ledger, as_of, company, ...);
3. ``params/<report>.yaml``;
4. ``--params FILE``: top-level keys apply to every report that has them, a
   ``<report>:`` section applies to that report only;
5. ``-p key=value`` (or ``-p report.key=value``), values read as YAML scalars.

A key that no selected report has is an error listing the valid keys, so a typo
never silently leaves a default in place.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator

from arkit.errors import ParamsError, ReportError
from arkit.report._notebook import NotebookParam, parameters_cell, parse_parameters, read_notebook
from arkit.report._registry import Report

__all__ = [
    "COMMON_PARAMS",
    "CommonParams",
    "AgingParams",
    "DataQualityParams",
    "notebook_parameters",
    "load_yaml",
    "parse_assignment",
    "build_params",
]

COMMON_PARAMS = (
    "ledger",
    "as_of",
    "reporting_currency",
    "company",
    "language",
    "audience",
    "output_dir",
)


class CommonParams(BaseModel):
    """Parameters every report notebook has (defaults in ``params/default.yaml``)."""

    model_config = ConfigDict(extra="forbid")

    ledger: str
    as_of: str
    reporting_currency: str
    company: str
    language: Literal["en", "zh"]
    audience: str
    output_dir: str

    @field_validator("as_of")
    @classmethod
    def _iso_date(cls, value: str) -> str:
        if value:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError("not a date (use YYYY-MM-DD, or empty for today)") from None
        return value

    @field_validator("reporting_currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        if value and not (len(value) == 3 and value.isalpha() and value.isupper()):
            raise ValueError("use a 3-letter ISO currency code such as CNY, or empty for none")
        return value


class AgingParams(CommonParams):
    """Parameters of the aging report (``notebooks/aging.py``)."""

    basis: Literal["due_date", "invoice_date"]
    bucket_edges: str
    history_months: int = Field(ge=1, le=120)
    top_n: int = Field(ge=1)
    drilldown_customers: int = Field(ge=0)
    dso_months: int = Field(ge=1, le=24)
    cei_months: int = Field(ge=1, le=12)
    countback_months: int = Field(ge=1, le=60)
    at_risk_days: int = Field(ge=1)

    @field_validator("bucket_edges")
    @classmethod
    def _increasing_edges(cls, value: str) -> str:
        try:
            edges = [int(part) for part in value.split(",")]
        except ValueError:
            raise ValueError("edges must be whole numbers of days separated by commas") from None
        if any(edge <= 0 for edge in edges):
            raise ValueError("edges must be positive")
        if any(b <= a for a, b in zip(edges, edges[1:], strict=False)):
            raise ValueError("edges must be strictly increasing")
        return value


class DataQualityParams(CommonParams):
    """Parameters of the data quality report (``notebooks/data_quality.py``)."""

    max_rejects_shown: int = Field(ge=1)


# report name -> model with the value rules beyond the types stated in the notebook
class _Loader(yaml.SafeLoader):
    """YAML loader that keeps dates as text: parameters carry dates as ISO strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

_MODELS: dict[str, type[CommonParams]] = {
    "aging": AgingParams,
    "data_quality": DataQualityParams,
}


def notebook_parameters(report: Report) -> list[NotebookParam]:
    """The parameters declared in a report notebook's parameters cell."""
    if report.notebook is None:
        raise ReportError(f"report {report.name!r}: notebook not found")
    nb = read_notebook(report.notebook)
    return parse_parameters(parameters_cell(nb, str(report.notebook)), str(report.notebook))


def load_yaml(path: str | Path, *, required: bool = True) -> dict[str, Any]:
    """Read a YAML mapping; a missing optional file is an empty mapping."""
    path = Path(path)
    if not path.is_file():
        if required:
            raise ParamsError(f"{path}: parameters file not found")
        return {}
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ParamsError(
            f"{path}{where}: not valid YAML ({getattr(exc, 'problem', exc)})"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParamsError(f"{path}: expected a mapping of parameter: value")
    return data


def parse_assignment(text: str) -> tuple[str | None, str, Any]:
    """Parse ``-p [report.]key=value``; the value is read as a YAML scalar.

    >>> parse_assignment("top_n=15"), parse_assignment("aging.basis=invoice_date")
    ((None, 'top_n', 15), ('aging', 'basis', 'invoice_date'))
    >>> parse_assignment("company="), parse_assignment("as_of=2026-11-30")
    ((None, 'company', ''), (None, 'as_of', '2026-11-30'))
    """
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ParamsError(f"-p {text!r}: expected key=value")
    report, _, name = key.rpartition(".")
    try:
        value = yaml.load(raw, Loader=_Loader) if raw.strip() else ""
    except yaml.YAMLError:
        raise ParamsError(f"-p {text!r}: value is not a YAML scalar") from None
    if isinstance(value, dict | list):
        raise ParamsError(f"-p {text!r}: value must be a scalar")
    return report or None, name, value


def _coerce(value: Any, type_: type) -> Any:
    # `-p company=3` or `bucket_edges: 30` reach us as numbers; a str parameter wants text.
    if type_ is str:
        if value is None:
            return ""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
    return value


def _model_for(report: Report, declared: list[NotebookParam]) -> type[BaseModel]:
    base = _MODELS.get(report.name, CommonParams)
    names = {p.name for p in declared}
    missing = [name for name in base.model_fields if name not in names]
    if missing:
        raise ReportError(
            f"{report.notebook}: parameters cell lacks {', '.join(missing)} "
            "(every report has the common parameters)"
        )
    extra = {p.name: (p.type, ...) for p in declared if p.name not in base.model_fields}
    return create_model(f"{report.name}_params", __base__=base, **extra)


def _first_error(report: Report, exc: ValidationError, values: dict[str, Any]) -> ParamsError:
    err = exc.errors()[0]
    key = str(err["loc"][0]) if err["loc"] else "?"
    msg = err["msg"].removeprefix("Value error, ")
    shown = json.dumps(values.get(key), default=str, ensure_ascii=False)
    return ParamsError(f"params: {key} {shown}: {msg} (report {report.name})")


def _apply(
    values: dict[str, Any], layer: dict[str, Any], valid: set[str], report: Report, source: str
) -> None:
    for key, value in layer.items():
        if key not in valid:
            raise ParamsError(
                f"params: unknown key {key!r} for report {report.name} in {source}; "
                f"valid keys: {', '.join(sorted(valid))}"
            )
        values[key] = value


def build_params(
    reports: list[Report],
    *,
    params_folder: str | Path,
    params_file: str | Path | None = None,
    assignments: list[str] = (),
    fixed: dict[str, Any] | None = None,
    known_reports: Iterable[str] = (),
) -> dict[str, dict[str, Any]]:
    """Layer and validate the parameters of each report.

    Parameters
    ----------
    reports : list of Report
        The reports to run (their notebooks must exist).
    params_folder : str or Path
        Folder with ``default.yaml`` and ``<report>.yaml``.
    params_file : str or Path, optional
        The ``--params FILE``.
    assignments : list of str
        The ``-p key=value`` texts.
    fixed : dict, optional
        Values set by the runner itself (ledger, as_of, audience, output_dir); they
        win over every layer.
    known_reports : iterable of str
        Every report name, so that a ``--params`` section for a report outside this
        run is accepted rather than taken for a misspelt one.

    Returns
    -------
    dict
        Report name -> validated parameter values (plain scalars).

    Raises
    ------
    ParamsError
        On an unknown key or an invalid value, naming the key and the report.
    """
    folder = Path(params_folder)
    names = {r.name for r in reports}
    defaults = load_yaml(folder / "default.yaml", required=False)
    user = load_yaml(params_file) if params_file else {}
    # A mapping in --params is a section for one report; sections for reports that are not
    # in this run are fine (one file can serve several runs), unknown report names are not.
    sections = {k for k, v in user.items() if isinstance(v, dict)}
    strangers = sorted(sections - names - set(known_reports))
    if strangers:
        raise ParamsError(
            f"{params_file}: section {strangers[0]!r} is not a report; "
            f"reports: {', '.join(sorted(names | set(known_reports)))}"
        )
    shared_file = {k: v for k, v in user.items() if k not in sections}
    parsed = [parse_assignment(a) for a in assignments]
    for target, key, _ in parsed:
        if target is not None and target not in names:
            raise ParamsError(
                f"-p {target}.{key}: report {target!r} is not in this run "
                f"({', '.join(sorted(names))})"
            )
    shared_cli = {key: value for target, key, value in parsed if target is None}

    declared = {r.name: notebook_parameters(r) for r in reports}
    valid_any = set().union(*({p.name for p in d} for d in declared.values()))
    for source, layer in (("default.yaml", defaults), (str(params_file), shared_file)):
        for key in layer:
            if key not in valid_any:
                raise ParamsError(
                    f"params: unknown key {key!r} in {source}; "
                    f"valid keys: {', '.join(sorted(valid_any))}"
                )
    for key in shared_cli:
        if key not in valid_any:
            raise ParamsError(
                f"params: unknown key {key!r} in -p; valid keys: {', '.join(sorted(valid_any))}"
            )

    result = {}
    for report in reports:
        params = declared[report.name]
        model = _model_for(report, params)  # first: it reports missing common parameters
        valid = {p.name for p in params}
        values = {p.name: p.default for p in params}
        values.update({k: v for k, v in defaults.items() if k in valid})
        own = load_yaml(folder / f"{report.name}.yaml", required=False)
        _apply(values, own, valid, report, f"{report.name}.yaml")
        values.update({k: v for k, v in shared_file.items() if k in valid})
        section = user.get(report.name) if isinstance(user.get(report.name), dict) else {}
        _apply(values, section, valid, report, f"{params_file} [{report.name}]")
        values.update({k: v for k, v in shared_cli.items() if k in valid})
        targeted = {key: value for target, key, value in parsed if target == report.name}
        _apply(values, targeted, valid, report, "-p")
        values.update(fixed or {})
        types = {p.name: p.type for p in params}
        values = {k: _coerce(v, types[k]) for k, v in values.items()}
        try:
            result[report.name] = model.model_validate(values).model_dump()
        except ValidationError as exc:
            raise _first_error(report, exc, values) from None
    return result
