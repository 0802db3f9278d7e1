"""Parameters: parsing the parameters cell, layering, validation errors, repo consistency."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from arkit.errors import ParamsError, ReportError
from arkit.report._notebook import parse_parameters, read_notebook
from arkit.report._params import (
    _MODELS,
    COMMON_PARAMS,
    build_params,
    notebook_parameters,
)
from arkit.report._registry import Report, discover_reports, resolve_reports

from .conftest import FIXTURE_NOTEBOOKS

REPO = Path(__file__).parents[2]

COMMON_CELL = """\
ledger: str = ""  # clean ledger folder
as_of: str = ""  # report date
reporting_currency: str = ""  # currency
company: str = ""  # company
language: str = "en"  # en or zh
audience: str = "all"  # audience
output_dir: str = ""  # outputs
"""

AGING_CELL = (
    COMMON_CELL
    + """\
basis: str = "due_date"  # due_date or invoice_date
bucket_edges: str = "30,60,90,120"  # bucket edges in days
history_months: int = 12  # months of history
top_n: int = 20  # customers listed
drilldown_customers: int = 5  # customers drilled into
dso_months: int = 3  # months behind DSO
cei_months: int = 3  # months of collection effectiveness
countback_months: int = 12  # countback DSO look-back
at_risk_days: int = 90  # at-risk horizon
"""
)


def write_notebook(folder: Path, name: str, cell: str, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(f'# %% tags=["parameters"]\n{cell}\n# %%\nx = 1\n{extra}', encoding="utf-8")
    return path


@pytest.fixture
def aging_setup(tmp_path):
    """A notebooks folder with an aging-like notebook and a params folder."""
    notebooks = tmp_path / "notebooks"
    write_notebook(notebooks, "aging", AGING_CELL)
    params = tmp_path / "params"
    params.mkdir()
    (params / "default.yaml").write_text(
        "ledger: /data/ledger\nas_of: ''\ncompany: Acme\nlanguage: en\n", encoding="utf-8"
    )
    (params / "aging.yaml").write_text("top_n: 25\nhistory_months: 24\n", encoding="utf-8")
    reports = resolve_reports(["aging"], discover_reports(notebooks))
    return reports, params


# -- the parameters cell -------------------------------------------------------------------------


def test_parse_parameters_reads_names_types_defaults_and_help():
    params = parse_parameters(AGING_CELL)
    by_name = {p.name: p for p in params}
    assert [p.name for p in params][:7] == list(COMMON_PARAMS)
    assert by_name["top_n"].type is int and by_name["top_n"].default == 20
    assert by_name["bucket_edges"].default == "30,60,90,120"
    assert by_name["basis"].help == "due_date or invoice_date"


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("edges: list = [30, 60]  # no", "type 'list' is not a scalar"),
        ("n: int = 3 * 4  # derived", "default of 'n' is not a literal"),
        ("n = 3  # untyped", "expected `name: type = default  # help`"),
        ("n: int = 'three'  # wrong", "default 'three' of 'n' is not a int"),
        ("n: int = (", "parameters cell line 1"),
    ],
)
def test_parse_parameters_rejects_non_scalar_lines(cell, message):
    with pytest.raises(ReportError, match=message.replace("(", r"\(").replace("*", r"\*")):
        parse_parameters(cell, "nb.py")


def test_first_code_cell_must_be_tagged_parameters(tmp_path):
    path = tmp_path / "untagged.py"
    path.write_text("# %%\nledger: str = ''  # x\n", encoding="utf-8")
    report = Report("untagged", "Untagged", notebook=path)
    with pytest.raises(ReportError, match="first code cell must be tagged 'parameters'"):
        notebook_parameters(report)


# -- layering ------------------------------------------------------------------------------------


def test_layers_later_wins(aging_setup, tmp_path):
    reports, params = aging_setup
    user = tmp_path / "mine.yaml"
    user.write_text("top_n: 30\naging:\n  basis: invoice_date\n", encoding="utf-8")
    values = build_params(
        reports,
        params_folder=params,
        params_file=user,
        assignments=["top_n=40", "aging.cei_months=6", "as_of=2026-11-30"],
        fixed={"audience": "sales_alice"},
    )["aging"]
    assert values["ledger"] == "/data/ledger"  # default.yaml
    assert values["company"] == "Acme"  # default.yaml
    assert values["history_months"] == 24  # aging.yaml over the cell default 12
    assert values["basis"] == "invoice_date"  # --params section
    assert values["top_n"] == 40  # -p over --params over aging.yaml
    assert values["cei_months"] == 6  # -p report.key
    assert values["as_of"] == "2026-11-30"  # stays ISO text, not a YAML date
    assert values["bucket_edges"] == "30,60,90,120"  # the notebook's own default
    assert values["audience"] == "sales_alice"  # fixed by the runner


def test_params_file_sections_for_other_reports(aging_setup, tmp_path):
    reports, params = aging_setup
    user = tmp_path / "mine.yaml"
    user.write_text("data_quality:\n  max_rejects_shown: 9\n", encoding="utf-8")
    values = build_params(
        reports, params_folder=params, params_file=user, known_reports=["aging", "data_quality"]
    )
    assert values["aging"]["top_n"] == 25  # the data_quality section is simply not for aging
    user.write_text("agin:\n  top_n: 9\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="section 'agin' is not a report; reports: aging"):
        build_params(reports, params_folder=params, params_file=user, known_reports=["aging"])


def test_numbers_given_for_text_parameters_stay_text(aging_setup):
    reports, params = aging_setup
    values = build_params(reports, params_folder=params, assignments=["bucket_edges=30"])
    assert values["aging"]["bucket_edges"] == "30"


# -- validation errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        ("bucket_edges=30,20", 'params: bucket_edges "30,20": edges must be strictly increasing'),
        ("bucket_edges=30,x", 'params: bucket_edges "30,x": edges must be whole numbers of days'),
        ("bucket_edges=0,30", 'params: bucket_edges "0,30": edges must be positive'),
        ("as_of=2026-13-01", 'params: as_of "2026-13-01": not a date'),
        ("as_of=yesterday", 'params: as_of "yesterday": not a date'),
        ("basis=posting_date", "params: basis \"posting_date\": Input should be 'due_date'"),
        (
            "history_months=0",
            "params: history_months 0: Input should be greater than or equal to 1",
        ),
        ("cei_months=13", "params: cei_months 13: Input should be less than or equal to 12"),
        ("top_n=many", 'params: top_n "many": Input should be a valid integer'),
        ("language=fr", "params: language \"fr\": Input should be 'en' or 'zh'"),
        ("reporting_currency=yuan", 'params: reporting_currency "yuan": use a 3-letter ISO'),
    ],
)
def test_bad_values_give_one_clear_line(aging_setup, assignment, message):
    reports, params = aging_setup
    with pytest.raises(ParamsError) as info:
        build_params(reports, params_folder=params, assignments=[assignment])
    text = str(info.value)
    assert text.startswith(message), text
    assert "\n" not in text
    assert text.endswith("(report aging)")


def test_unknown_key_lists_valid_keys(aging_setup):
    reports, params = aging_setup
    with pytest.raises(ParamsError) as info:
        build_params(reports, params_folder=params, assignments=["bukets=1"])
    assert str(info.value) == (
        "params: unknown key 'bukets' in -p; valid keys: as_of, at_risk_days, audience, basis, "
        "bucket_edges, cei_months, company, countback_months, drilldown_customers, dso_months, "
        "history_months, language, ledger, output_dir, reporting_currency, top_n"
    )


def test_unknown_key_in_report_yaml_names_the_file(aging_setup):
    reports, params = aging_setup
    (params / "aging.yaml").write_text("bukets: 1\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"unknown key 'bukets' for report aging in aging\.yaml"):
        build_params(reports, params_folder=params)


def test_targeted_assignment_to_report_not_in_run(aging_setup):
    reports, params = aging_setup
    with pytest.raises(ParamsError, match="report 'risk' is not in this run"):
        build_params(reports, params_folder=params, assignments=["risk.top_n=3"])


def test_malformed_assignment_and_yaml(aging_setup, tmp_path):
    reports, params = aging_setup
    with pytest.raises(ParamsError, match="expected key=value"):
        build_params(reports, params_folder=params, assignments=["top_n"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("top_n: [1,\n", encoding="utf-8")
    with pytest.raises(ParamsError, match=r"bad\.yaml line \d+: not valid YAML"):
        build_params(reports, params_folder=params, params_file=bad)
    with pytest.raises(ParamsError, match="parameters file not found"):
        build_params(reports, params_folder=params, params_file=tmp_path / "missing.yaml")


def test_notebook_missing_common_parameters_is_reported(tmp_path):
    notebooks = tmp_path / "nb"
    write_notebook(notebooks, "thin", "top_n: int = 3  # rows")
    reports = resolve_reports(["thin"], discover_reports(notebooks))
    with pytest.raises(ReportError, match="parameters cell lacks ledger, as_of"):
        build_params(reports, params_folder=tmp_path)


# -- registry ------------------------------------------------------------------------------------


def test_unknown_report_lists_valid_ones(tmp_path):
    with pytest.raises(ParamsError, match=r"unknown report 'agin'; valid reports: all, aging"):
        resolve_reports(["agin"], discover_reports(tmp_path))


def test_registered_report_without_notebook_is_a_clear_error(tmp_path):
    with pytest.raises(ReportError, match=r"report 'aging': notebook aging\.py not found"):
        resolve_reports(["aging"], discover_reports(tmp_path))


def test_all_means_every_notebook_present(tmp_path):
    with pytest.raises(ReportError, match="no report notebooks found"):
        resolve_reports(["all"], discover_reports(tmp_path))
    names = [r.name for r in resolve_reports(["all"], discover_reports(FIXTURE_NOTEBOOKS))]
    assert sorted(names) == ["failing", "good", "malicious"]
    assert names.index("good") < names.index("malicious")  # malicious depends on good


def test_dependencies_are_pulled_in_and_cycles_refused(tmp_path):
    reports = discover_reports(FIXTURE_NOTEBOOKS)
    assert [r.name for r in resolve_reports(["malicious"], reports)] == ["good", "malicious"]
    cyclic = {
        "a": Report("a", "A", depends_on=("b",), notebook=Path("a.py")),
        "b": Report("b", "B", depends_on=("a",), notebook=Path("b.py")),
    }
    with pytest.raises(ReportError, match="cycle"):
        resolve_reports(["a"], cyclic)


def test_notebook_metadata_describes_unregistered_reports():
    good = discover_reports(FIXTURE_NOTEBOOKS)["good"]
    assert good.title == "Fixture invoice totals"
    assert [(m.key, m.kind) for m in good.metrics] == [
        ("total_invoiced", "money"),
        ("customers", "count"),
    ]


# -- the repository's own notebooks and params ---------------------------------------------------


def _repo_notebooks() -> list[Path]:
    return sorted((REPO / "notebooks").glob("*.py"))


def test_default_yaml_holds_only_common_parameters():
    keys = set(yaml.safe_load((REPO / "params" / "default.yaml").read_text(encoding="utf-8")))
    assert keys <= set(COMMON_PARAMS)
    assert {"ledger", "as_of", "reporting_currency", "company", "language"} <= keys


@pytest.mark.parametrize("notebook", _repo_notebooks(), ids=lambda p: p.stem)
def test_every_yaml_key_is_a_notebook_parameter(notebook):
    declared = {
        p.name: p for p in notebook_parameters(Report(notebook.stem, "", notebook=notebook))
    }
    assert set(COMMON_PARAMS) <= set(declared), f"{notebook.name} lacks common parameters"
    own = REPO / "params" / f"{notebook.stem}.yaml"
    if own.exists():
        keys = set(yaml.safe_load(own.read_text(encoding="utf-8")) or {})
        assert keys <= set(declared), (
            f"{own.name}: keys not in the notebook: {keys - set(declared)}"
        )
    model = _MODELS.get(notebook.stem)
    if model is not None:
        assert set(model.model_fields) == set(declared), "validation model and notebook disagree"


def test_repo_params_validate_for_every_notebook():
    reports = (
        resolve_reports(["all"], discover_reports(REPO / "notebooks")) if _repo_notebooks() else []
    )
    values = build_params(reports, params_folder=REPO / "params")
    assert set(values) == {r.name for r in reports}


def test_no_generated_ipynb_is_committed():
    tracked = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked == []


def test_fixture_notebooks_are_valid_jupytext():
    for path in FIXTURE_NOTEBOOKS.glob("*.py"):
        nb = read_notebook(path)
        assert nb.metadata["kernelspec"]["name"] == "python3"
