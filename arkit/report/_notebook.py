"""Read a report notebook (jupytext py:percent) and its parameters cell."""

from __future__ import annotations

import ast
import io
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from arkit.errors import ReportError

__all__ = ["NotebookParam", "read_notebook", "parameters_cell", "parse_parameters"]

# Parameters travel through papermill as scalars; anything else cannot be layered from YAML.
_SCALAR_TYPES: dict[str, type] = {"str": str, "int": int, "float": float, "bool": bool}


@dataclass(frozen=True)
class NotebookParam:
    """One line of a parameters cell: ``name: type = default  # help``."""

    name: str
    type: type
    default: Any
    help: str


def read_notebook(path: str | Path):
    """Read a jupytext ``.py`` (or ``.ipynb``) notebook as an nbformat node.

    Raises
    ------
    ReportError
        If the file does not exist.
    """
    import jupytext

    path = Path(path)
    if not path.is_file():
        raise ReportError(f"{path}: report notebook not found")
    return jupytext.read(path)


def parameters_cell(notebook, source: str = "notebook") -> str:
    """Return the source of the first code cell, which must be tagged ``parameters``."""
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" not in cell.metadata.get("tags", []):
            raise ReportError(f"{source}: the first code cell must be tagged 'parameters'")
        return cell.source
    raise ReportError(f"{source}: no code cell (expected a cell tagged 'parameters')")


def _comments_by_line(code: str) -> dict[int, str]:
    comments = {}
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string.lstrip("#").strip()
    return comments


def parse_parameters(code: str, source: str = "parameters cell") -> list[NotebookParam]:
    """Parse a parameters cell of ``name: type = default  # help`` lines.

    Only scalar literals (str, int, float, bool) are accepted, one per line, with
    nothing derived, because papermill injects values without re-running logic.

    Parameters
    ----------
    code : str
        Source of the parameters cell.
    source : str
        Name of the notebook, for error messages.

    Returns
    -------
    list of NotebookParam

    Raises
    ------
    ReportError
        If a line is not of the expected form.

    >>> [(p.name, p.type.__name__, p.default, p.help)
    ...  for p in parse_parameters('top_n: int = 20  # rows shown\\nbasis: str = "due_date"')]
    [('top_n', 'int', 20, 'rows shown'), ('basis', 'str', 'due_date', '')]
    """
    try:
        tree = ast.parse(code)
    except SyntaxError as exc:
        raise ReportError(f"{source}: parameters cell line {exc.lineno}: {exc.msg}") from None
    comments = _comments_by_line(code)
    params = []
    for node in tree.body:
        where = f"{source}: parameters cell line {node.lineno}"
        if not (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(node.annotation, ast.Name)
            and node.value is not None
        ):
            raise ReportError(f"{where}: expected `name: type = default  # help`")
        type_ = _SCALAR_TYPES.get(node.annotation.id)
        if type_ is None:
            raise ReportError(
                f"{where}: type {node.annotation.id!r} is not a scalar ({', '.join(_SCALAR_TYPES)})"
            )
        try:
            default = ast.literal_eval(node.value)
        except ValueError:
            raise ReportError(f"{where}: default of {node.target.id!r} is not a literal") from None
        if type(default) is not type_ and not (type_ is float and type(default) is int):
            raise ReportError(
                f"{where}: default {default!r} of {node.target.id!r} is not a {type_.__name__}"
            )
        params.append(
            NotebookParam(node.target.id, type_, default, comments.get(node.end_lineno, ""))
        )
    return params
