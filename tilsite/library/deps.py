"""Which code a function of the snippets package reaches, statement by statement.

One analysis serves four needs: the figure, value and notebook cache keys (a
figure is redrawn, a value computed again, a notebook run again, when the code
its ``plot_*`` function, its expression or its imports reach changes) and the
copyable program of a code block (everything the shown function needs, in
source order, each once).
"""

from __future__ import annotations

import ast
import builtins
import hashlib
from dataclasses import dataclass
from pathlib import Path

from . import execute as _ex
from .execute import ExecError, package, module_file, syntax_error


def _is_snippet(name: str) -> bool:
    return name == package() or name.startswith(package() + ".")


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


def imported_modules(source: str | ast.AST, module: str) -> set[str]:
    """Names of snippets modules imported by `source` (absolute or relative imports)."""
    memo = (source, module) if isinstance(source, str) else None
    if memo in _IMPORTS:  # memoised on the text: warm builds ask for the same files
        return set(_IMPORTS[memo])
    tree = parse_module(source, module) if isinstance(source, str) else source
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
            todo.extend(imported_modules(path.read_text("utf-8"), name))
    return sorted(files)


_PARSED: dict[str, ast.Module] = {}


def parse_module(text: str, module: str) -> ast.Module:
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
class Stmt:
    """One top-level statement (or one name of an import) of a snippets module."""

    module: str  # absolute name, e.g. snippets.convolution.layers
    order: tuple[int, str]  # position in the file: line, then the imported name
    dump: str  # its AST, without positions: comments and layout don't count
    uses: frozenset[str]  # names it reads (followed to their definitions in `module`)
    modules: frozenset[str]  # snippets modules it loads as whole files (module imports)
    kind: str  # "future", "import", "link" (a name imported from a snippets module) or "code"
    source: str  # its text: the statement's lines, or for an import one line with this name only
    lines: tuple[int, int] = (0, 0)  # first and last line (decorators included); imports: (line, line)
    link: tuple[str, str, str] | None = None  # kind "link": (module, name there, name bound here)


_INDEX: dict[tuple[str, str], tuple[dict[str, list[Stmt]], list[Stmt]]] = {}


def _import_line(node: ast.Import | ast.ImportFrom, alias: ast.alias) -> str:
    one = (ast.Import(names=[alias]) if isinstance(node, ast.Import)
           else ast.ImportFrom(module=node.module, names=[alias], level=node.level))
    return ast.unparse(one)


def _link_target(node: ast.ImportFrom, module: str, alias: ast.alias) -> str | None:
    """For `from <snippets module> import name`: that module, if `name` is not a submodule."""
    base = _import_targets(node, module, alias)[0]
    if not _is_snippet(base) or alias.name == "*" or module_file(base) is None:
        return None
    if module_file(f"{base}.{alias.name}") is not None:
        return None  # `from snippets.pkg import submodule`: a module, used as a whole
    return base


def _module_index(text: str, module: str) -> tuple[dict[str, list[Stmt]], list[Stmt]]:
    """Top-level statements of a module by the names they bind, and those binding none."""
    memo = (text, module)
    if memo in _INDEX:
        return _INDEX[memo]
    lines = text.splitlines()
    binders: dict[str, list[Stmt]] = {}
    always: list[Stmt] = []
    for i, node in enumerate(parse_module(text, module).body):
        if i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the module docstring
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            if isinstance(node, ast.ImportFrom) and (node.module == "__future__"
                                                     or any(a.name == "*" for a in node.names)):
                targets = _import_targets(node, module)
                kind = "future" if node.module == "__future__" else "import"
                always.append(Stmt(module, (node.lineno, ""), ast.dump(node), frozenset(),
                                   frozenset(n for n in targets if _is_snippet(n)), kind,
                                   ast.unparse(node), (node.lineno, node.end_lineno)))
                continue
            for a in node.names:
                bound = a.asname or (a.name.split(".")[0] if isinstance(node, ast.Import) else a.name)
                where = f"{getattr(node, 'module', '')}:{getattr(node, 'level', 0)}:{ast.dump(a)}"
                span = (node.lineno, node.end_lineno)
                target = _link_target(node, module, a) if isinstance(node, ast.ImportFrom) else None
                if target is not None:  # followed to the statements that define the name
                    stmt = Stmt(module, (node.lineno, a.name), where, frozenset(), frozenset(), "link",
                                _import_line(node, a), span, (target, a.name, bound))
                else:
                    targets = _import_targets(node, module, a)
                    stmt = Stmt(module, (node.lineno, a.name), where, frozenset(),
                                frozenset(n for n in targets if _is_snippet(n)), "import",
                                _import_line(node, a), span)
                binders.setdefault(bound, []).append(stmt)
            continue
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        stmt = Stmt(module, (node.lineno, ""), ast.dump(node), frozenset(_names_used(node)),
                    frozenset(imported_modules(node, module)),  # imports inside functions
                    "code", "\n".join(lines[first - 1 : node.end_lineno]), (first, node.end_lineno))
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


def _index_of(module: str) -> tuple[dict[str, list[Stmt]], list[Stmt]]:
    path = module_file(module)
    if path is None:
        raise ExecError(f"no module {module}")
    return _module_index(path.read_text("utf-8"), module)


@dataclass(frozen=True)
class Reach:
    """What some top-level statements of a snippets module reach, across the package."""

    statements: tuple[Stmt, ...]  # every statement reached, the starting ones included
    files: tuple[Path, ...]  # files loaded as a whole (module imports), with their own imports
    ranks: dict  # module -> position: a module comes after the modules it takes names from
    binds: dict  # id(statement) -> the names it binds

    def digest(self) -> str:
        h = hashlib.sha256()
        for st in sorted(self.statements, key=lambda st: (st.module, st.order)):
            h.update(st.module.encode() + b"\0" + st.dump.encode() + b"\0")
        return h.hexdigest()


def reach(module: str, names: list[str] | None = None, lines: tuple[int, int] | None = None) -> Reach:
    """Statements reached from the top-level `names` of `module` (or the statements within `lines`).

    Names are followed to the module-level statements that bind them (helper
    functions, classes, constants, imports), transitively; ``from snippets.x
    import f`` is followed to f's statements in x.  Statements that bind no
    name (``if``/``try``/calls at module level, ``from __future__``) are taken
    from every module reached, since they run on import.  A snippets module
    imported as a module (``from snippets.pkg import x``, ``import
    snippets.x``) counts as its whole file.  Code reached only through
    ``globals()``/``getattr`` on the module is not seen.
    """
    indexes: dict[str, tuple[dict[str, list[Stmt]], list[Stmt]]] = {}

    def index(mod: str) -> tuple[dict[str, list[Stmt]], list[Stmt]]:
        if mod not in indexes:  # locating and reading a module costs ~1 ms: once per call
            indexes[mod] = _index_of(mod)
        return indexes[mod]

    binders, _ = index(module)
    todo: list[tuple[str, str]] = []
    chosen: dict[int, Stmt] = {}
    if lines is not None:
        first, last = lines
        start = [st for sts in binders.values() for st in sts if first <= st.lines[0] and st.lines[1] <= last]
        start += [st for st in index(module)[1] if first <= st.lines[0] and st.lines[1] <= last]
        if not start:
            raise ExecError(f"{module} has no statement within lines {first}-{last}")
    else:
        start = []
        for name in names or []:
            if name not in binders:
                raise ExecError(f"{module} has no function {name}")
            start += binders[name]
    edges: dict[str, set[str]] = {module: set()}
    entered: set[str] = set()

    def take(st: Stmt) -> None:
        if id(st) in chosen:
            return
        chosen[id(st)] = st
        todo.extend((st.module, n) for n in st.uses)
        if st.link is not None:
            target, name, _ = st.link
            edges.setdefault(st.module, set()).add(target)
            enter(target)
            todo.append((target, name))

    def enter(mod: str) -> None:
        if mod not in entered:
            entered.add(mod)
            edges.setdefault(mod, set())
            for st in index(mod)[1]:
                take(st)

    enter(module)
    for st in start:
        take(st)
    seen: set[tuple[str, str]] = set()
    while todo:
        item = todo.pop()
        if item in seen:
            continue
        seen.add(item)
        mod, name = item
        for st in index(mod)[0].get(name, []):
            take(st)
    modules: set[str] = set()
    for st in chosen.values():
        modules |= st.modules
    files: set[Path] = set()
    for name in sorted(modules):
        files.update(dependency_files(name))
    ranks: dict[str, int] = {}

    def visit(mod: str, path: tuple[str, ...]) -> None:
        if mod in ranks or mod in path:
            return
        for dep in sorted(edges.get(mod, ())):
            visit(dep, path + (mod,))
        ranks[mod] = len(ranks)

    visit(module, ())
    for mod in sorted(edges):
        visit(mod, ())
    binds: dict[int, list[str]] = {}
    for mod_binders, _ in indexes.values():
        for name, sts in mod_binders.items():
            for st in sts:
                binds.setdefault(id(st), []).append(name)
    return Reach(tuple(sorted(chosen.values(), key=lambda st: (ranks[st.module], st.order))),
                 tuple(sorted(files)), ranks, binds)


def function_dependencies(module: str, func: str) -> tuple[str, list[Path]]:
    """What a top-level function of a snippets module depends on: (digest, files).

    `digest` hashes the ASTs of the statements ``reach`` finds (the function,
    the helpers, constants and imports it uses, in every snippets module it
    takes names from); `files` are the snippets files loaded as whole modules.
    """
    found = reach(module, [func])
    return found.digest(), list(found.files)


def expression_dependencies(module: str, expr: str) -> tuple[str, list[Path]] | None:
    """What an expression evaluated in `module` (a ``value`` directive) depends on, as
    ``function_dependencies`` says it: (digest, files), reached from the names it reads.

    None when that cannot be told from the module's top level: the expression does
    not parse, or reads a name the module does not bind and Python does not
    provide (a comprehension's variable, a typo); evaluating it says what is wrong.
    """
    try:
        tree = ast.parse(expr, mode="eval")
    except SyntaxError:
        return None
    binders, _ = _index_of(module)
    names = _names_used(tree)
    if any(n not in binders and not hasattr(builtins, n) for n in names):
        return None
    found = reach(module, sorted(n for n in names if n in binders))
    return found.digest(), list(found.files)


def import_dependencies(source: str, module: str = "__main__") -> tuple[str, list[Path]]:
    """What the snippets imports of a piece of code outside the package (a notebook cell) reach,
    as ``function_dependencies`` says it: (digest, files).

    ``from snippets.x import f`` is followed to f's statements in x (and on, as ``reach``
    does); a module imported as a module (``import snippets.x``, ``from snippets import x``),
    or a name x does not bind, counts as x's whole file and the files it imports.
    Raises SyntaxError when `source` does not parse.
    """
    h = hashlib.sha256()
    files: set[Path] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        for alias in node.names:
            target = _link_target(node, module, alias) if isinstance(node, ast.ImportFrom) else None
            if target is not None and alias.name in _index_of(target)[0]:
                found = reach(target, [alias.name])
                h.update(f"{target}:{alias.name}:{found.digest()}".encode())
                files.update(found.files)
                continue
            for name in _import_targets(node, module, alias):
                if _is_snippet(name):
                    files.update(dependency_files(name))
    return h.hexdigest(), sorted(files)


@dataclass(frozen=True)
class Program:
    """A standalone program: the shown statements and everything they need, in one file."""

    text: str  # what the copy button copies: futures, imports, then code in source order
    needs: str  # the same without the shown statements: what the collapsed block shows
    shown: str  # the shown statements, as in their file


def program(module: str, names: list[str] | None = None, lines: tuple[int, int] | None = None) -> Program:
    """The copyable program of `names` (or the statements within `lines`) of `module`.

    Built from ``reach``: ``from __future__`` imports first, then the other
    imports, each once, then the code of every module reached (the modules a
    module takes names from first), each in source order.  Names imported
    from snippets modules are defined in the program itself, so it runs with
    numpy (and whatever else the code imports) but without the snippets package.
    Raises ExecError when that cannot be done: a snippets module used as a
    whole, or one name defined differently in two modules.
    """
    found = reach(module, names, lines)
    if lines is not None:
        shown_ids = {id(st) for st in found.statements if st.module == module
                     and lines[0] <= st.lines[0] and st.lines[1] <= lines[1]}
    else:
        shown_ids = {id(st) for st in found.statements if st.module == module and st.kind == "code"
                     and set(found.binds.get(id(st), ())) & set(names or [])}
    futures: dict[str, None] = {}
    imports: dict[str, None] = {}
    code: list[tuple[Stmt, str]] = []
    defined: dict[str, tuple[str, str]] = {}  # name -> (module, source) of its definition
    for st in found.statements:
        if st.modules:
            raise ExecError(f"{st.module} uses a snippets module as a whole ({st.source.strip().splitlines()[0]}): "
                            "import the names it needs instead, so the program can define them")
        if st.kind == "future":
            futures[st.source] = None
        elif st.kind == "import":
            imports[st.source] = None
        elif st.kind == "link":
            _, name, bound = st.link
            if bound != name:
                code.append((st, f"{bound} = {name}"))
        else:
            code.append((st, st.source))
    for st, text in code:
        for name in found.binds.get(id(st), ()):
            other = defined.setdefault(name, (st.module, text))
            if other[1] != text:
                raise ExecError(f"'{name}' is defined in {other[0]} and differently in {st.module}: "
                                "a program holding both cannot be written; give one of them another name")

    def join(parts: list[str]) -> str:
        return "\n\n\n".join(parts)

    head = [s for s in ("\n".join(futures), "\n".join(_grouped(imports))) if s]
    seen_text: dict[str, None] = {}
    for _, text in code:
        seen_text[text] = None  # the same helper copied into two modules: once
    all_code = list(seen_text)
    shown = [text for st, text in code if id(st) in shown_ids]
    needs = [t for t in all_code if t not in shown]
    text = join(["\n\n".join(head)] + all_code if head else all_code) + "\n"
    needs_text = join(["\n\n".join(head)] + needs if head else needs) + "\n"
    return Program(text, needs_text, join(shown) + "\n")


def _grouped(imports: dict[str, None]) -> list[str]:
    """`import x` lines, then `from x import a, b` lines with the names of one module joined."""
    plain = [line for line in imports if line.startswith("import ")]
    froms: dict[str, list[str]] = {}
    for line in imports:
        if line.startswith("from "):
            mod, _, names = line[len("from "):].partition(" import ")
            froms.setdefault(mod, []).append(names)
    return plain + [f"from {mod} import {', '.join(names)}" for mod, names in froms.items()]


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

