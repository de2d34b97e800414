"""Which code a function of the snippets package reaches, statement by statement.

One analysis serves two needs: the figure cache key (a figure is redrawn when
the code its ``plot_*`` function reaches changes) and the copyable program of a
code block (everything the shown function needs, in source order, each once).
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass
from pathlib import Path

from . import execute as _ex
from .execute import SNIPPETS, ExecError, module_file, syntax_error


def _is_snippet(name: str) -> bool:
    return name == SNIPPETS or name.startswith(SNIPPETS + ".")


def _import_targets(node: ast.Import | ast.ImportFrom, module: str, alias: ast.alias | None = None) -> list[str]:
    """Modules an import statement (or one of its aliases) may load, absolute names."""
    aliases = [alias] if alias is not None else node.names
    if isinstance(node, ast.Import):
        return [a.name for a in aliases]
    package = module.rsplit(".", 1)[0] if "." in module else module
    base = node.module or ""
    if node.level:
        parts = package.split(".")
        parts = parts[: len(parts) - node.level + 1]
        base = ".".join(parts + ([base] if base else []))
    return [base] + [f"{base}.{a.name}" for a in aliases if a.name != "*"]


_IMPORTS: dict[tuple[str, str], frozenset[str]] = {}


def _imported_snippets(source: str | ast.AST, module: str) -> set[str]:
    """Names of snippets modules imported by `source` (absolute or relative imports)."""
    memo = (source, module) if isinstance(source, str) else None
    if memo in _IMPORTS:  # memoised on the text: warm builds ask for the same files
        return set(_IMPORTS[memo])
    tree = _parse(source, module) if isinstance(source, str) else source
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update(n for n in _import_targets(node, module) if _is_snippet(n))
    if memo is not None:
        _IMPORTS[memo] = frozenset(found)
    return found


def dependency_files(module: str) -> list[Path]:
    """Files of `module` and of every snippets module it imports, transitively."""
    todo, seen, files = [module], set(), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        path = module_file(name)
        if path is not None:
            files.add(path)
            todo.extend(_imported_snippets(path.read_text("utf-8"), name))
    return sorted(files)


_PARSED: dict[str, ast.Module] = {}


def _parse(text: str, module: str) -> ast.Module:
    """ast.parse, memoised on the text: a build asks for the same module many times.

    A snippets module that does not parse is a SnippetError at its own file and
    line, whichever part of the build reads it first; other code (a notebook
    cell) raises SyntaxError.
    """
    tree = _PARSED.get(text)
    if tree is None:
        try:
            tree = _PARSED[text] = ast.parse(text)
        except SyntaxError as exc:
            path = module_file(module) if _is_snippet(module) else None
            if path is None:
                raise
            raise syntax_error(exc, path) from None
    return tree


def _names_used(node: ast.AST) -> set[str]:
    """Every bare name a piece of code reads, writes or declares global."""
    names = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            names.add(n.id)
        elif isinstance(n, (ast.Global, ast.Nonlocal)):
            names.update(n.names)
    return names


def _bound_names(target: ast.expr) -> set[str] | None:
    """Names an assignment target binds; None if it stores into something (x[i], x.a)."""
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, ast.Starred):
        return _bound_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        out = set()
        for elt in target.elts:
            b = _bound_names(elt)
            if b is None:
                return None
            out |= b
        return out
    return None


@dataclass(frozen=True)
class _Stmt:
    """One top-level statement (or one name of an import) of a snippets module."""

    order: tuple[int, str]  # position in the file
    dump: str  # its AST, without positions: comments and layout don't count
    uses: frozenset[str]  # names it reads (followed to their definitions)
    modules: frozenset[str]  # snippets modules it imports


_INDEX: dict[tuple[str, str], tuple[dict[str, list[_Stmt]], list[_Stmt]]] = {}


def _module_index(text: str, module: str) -> tuple[dict[str, list[_Stmt]], list[_Stmt]]:
    """Top-level statements of a module by the names they bind, and those binding none."""
    memo = (text, module)
    if memo in _INDEX:
        return _INDEX[memo]
    binders: dict[str, list[_Stmt]] = {}
    always: list[_Stmt] = []
    for i, node in enumerate(_parse(text, module).body):
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and (node.module == "__future__"
                                                     or any(a.name == "*" for a in node.names)):
                targets = _import_targets(node, module)
                always.append(_Stmt((node.lineno, ""), ast.dump(node), frozenset(),
                                    frozenset(n for n in targets if _is_snippet(n))))
                continue
            for a in node.names:
                bound = a.asname or (a.name.split(".")[0] if isinstance(node, ast.Import) else a.name)
                where = f"{getattr(node, 'module', '')}:{getattr(node, 'level', 0)}:{ast.dump(a)}"
                targets = _import_targets(node, module, a)
                stmt = _Stmt((node.lineno, a.name), where, frozenset(),
                             frozenset(n for n in targets if _is_snippet(n)))
                binders.setdefault(bound, []).append(stmt)
            continue
        stmt = _Stmt((node.lineno, ""), ast.dump(node), frozenset(_names_used(node)),
                     frozenset(_imported_snippets(node, module)))  # imports inside functions
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound = [{node.name}]
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound = [_bound_names(t) for t in targets]
        else:
            bound = [None]
        if any(b is None for b in bound):  # if/try/calls, rcParams[...] = ...: they run on import
            always.append(stmt)
            continue
        for name in set().union(*bound):
            binders.setdefault(name, []).append(stmt)
    _INDEX[memo] = (binders, always)
    return binders, always


def function_dependencies(module: str, func: str) -> tuple[str, list[Path]]:
    """What a top-level function of a snippets module depends on.

    Returns (digest, files): `digest` hashes the ASTs of the function and of the
    module-level statements it reaches through names (helper functions, classes,
    constants, imports), followed transitively; statements that bind no name
    (``if``/``try``/calls at module level) are always included, since they run on
    import.  `files` are the snippets files those reached imports load, with
    everything they import in turn (whole files).  Code reached only through
    ``globals()``/``getattr`` on the module is not seen.
    """
    path = module_file(module)
    if path is None:
        raise ExecError(f"no module {module}")
    binders, always = _module_index(path.read_text("utf-8"), module)
    if func not in binders:
        raise ExecError(f"{module} has no function {func}")
    chosen = {id(st): st for st in always}
    todo = [func] + [name for st in always for name in st.uses]
    seen = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for st in binders.get(name, []):
            if id(st) not in chosen:
                chosen[id(st)] = st
                todo.extend(st.uses)
    h = hashlib.sha256()
    modules: set[str] = set()
    for st in sorted(chosen.values(), key=lambda st: st.order):
        h.update(st.dump.encode() + b"\0")
        modules |= st.modules
    files: set[Path] = set()
    for name in sorted(modules):
        files.update(dependency_files(name))
    return h.hexdigest(), sorted(files)


def source_hash(files: list[Path], *extra: str) -> str:
    """sha256 over the files' bytes (named relative to snippets/) and extra strings."""
    h = hashlib.sha256()
    root = _ex.snippets_root()
    for f in files:
        h.update(str(f.relative_to(root.parent)).encode())
        h.update(f.read_bytes())
    for e in extra:
        h.update(e.encode())
    return h.hexdigest()

