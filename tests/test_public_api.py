"""The public API listed in arkit.__all__ resolves, lazily."""

import subprocess
import sys

import arkit


def test_every_public_name_resolves():
    for name in arkit.__all__:
        assert getattr(arkit, name) is not None, name


def test_ingest_is_both_the_function_and_the_package():
    import arkit.ingest as package

    assert arkit.ingest is package
    assert callable(arkit.ingest)
    assert "bad_date" in arkit.ingest.REASONS


def test_import_arkit_loads_no_data_library():
    code = "import sys, arkit; print([m for m in ('pandas', 'duckdb') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_submodule_names_stay_modules_whatever_the_import_order():
    import arkit.aging

    assert arkit.aging.__name__ == "arkit.aging"
    assert callable(arkit.aging.aging)
    assert arkit.aging_summary is arkit.aging.aging_summary
