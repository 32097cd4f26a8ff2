"""Mutation run of the access checks: does a test fail when one check is taken away?

Finds, mechanically (Python's AST over portal/), every access check: each `require(...)`
call, each action rule (`rule("name", roles...)` lets everyone in, a `@rule` function
returns True), each `@scope` function (returns true()), each `@change_rule` function
(returns True), each `change=True` (becomes False) and each `abort(403)` / `abort(404)`
under an `if` (taken out). One mutant at a time is written into a copy of the repository
and the access tests run against it (`pytest -x`: the endpoint × role table, the
isolation walk, then the test files that name the rule); a mutant is killed when they
fail. A mutant that survives them runs again against every test file of its domain (the
files that import `portal.<domain>`, browser tests left out). Prints "N mutants,
K killed, S survived" and each survivor; a survivor listed in ALLOWED_SURVIVORS (keyed
by path, kind and the code taken away, so edits elsewhere do not move it; with the
reason it is harmless) does not fail the run.

    .venv/bin/python scripts/mutants.py [--workers 2] [--only TEXT] [--list]
"""
import argparse
import ast
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCESS_TESTS = ["tests/test_access_rules.py", "tests/test_isolation.py"]
ROLES = ("admin", "channel_manager", "auditor", "owner", "manager", "staff")
COPY_IGNORE = shutil.ignore_patterns(".venv", ".git", ".hypothesis", ".pytest_cache",
                                     ".ruff_cache", "test-artifacts", "__pycache__")
# The leaks the issue found by hand, as text edits: (path, text taken out, put instead).
# A leak whose text is gone from the code is reported and skipped.
KNOWN_LEAKS = [
    ("portal/broadcasts/services.py", ".where(Receipt.user_id == user.id, ", ".where("),
]
# "path kind: what" -> why the mutant surviving is harmless.
ALLOWED_SURVIVORS: dict[str, str] = {
    "portal/broadcasts/api.py abort(404): partner_ids == ()": "a broadcast the caller "
    "may see always reached one of its partners, so its figures are never empty here",
    "portal/broadcasts/reach_routes.py abort(404): allowed == ()": "the same guard on "
    "the reach page",
    "portal/broadcasts/policies.py role rule: broadcasts.inbox": "only decides whether "
    "the inbox badge is counted; the inbox itself lists the caller's own receipts",
    "portal/core/files.py abort(404): not path.is_file()": "a stored file gone from disk, "
    "not an access check",
    "portal/core/web.py abort(404): code not in current_app.config['LANGUAGES']": "an "
    "unknown language code, not an access check",
    "portal/notify/policies.py change rule: change_webhook": "the webhook scope already "
    "holds a webhook to its partner's owner and channel manager, who may change all they "
    "see; the only other reader, the auditor, changes nothing (core refuses it first)",
    "portal/auth/policies.py change rule: change_token": "the token scope already holds a "
    "token to its holder; the admin changes every token anyway and the auditor, the only "
    "other reader, changes nothing",
    "portal/auth/routes.py change=True: change=True": "the same equivalence on the "
    "revoke route: only the holder, the admin and the auditor (refused every write) see a "
    "token",
    "portal/notify/routes.py change=True: change=True": "the auditor, the only person who "
    "sees a webhook it may not change, is refused every write before a route runs "
    "(AUDITOR_MAY_POST)",
}


@dataclass
class Mutant:
    path: str          # relative to the repository
    line: int
    kind: str
    what: str          # the rule name or the code taken away
    start: tuple[int, int]
    end: tuple[int, int]
    replacement: str

    @property
    def key(self) -> str:
        return f"{self.path}:{self.line} {self.kind}"

    @property
    def stable_key(self) -> str:
        return f"{self.path} {self.kind}: {self.what}"


def _name(call: ast.AST) -> str | None:
    if isinstance(call, ast.Call):
        func = call.func
        return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
    return None


def _first_statement(fn: ast.FunctionDef) -> ast.stmt:
    body = fn.body
    if len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(
            getattr(body[0], "value", None), ast.Constant):
        return body[1]  # keep the docstring
    return body[0]


def _body_returns(source: list[str], fn: ast.FunctionDef, path, kind, value) -> Mutant:
    first = _first_statement(fn)
    indent = " " * first.col_offset
    return Mutant(path, fn.lineno, kind, fn.name, (first.lineno, 0), (first.lineno, 0),
                  f"{indent}return {value}\n")


def _literal(node) -> str:
    return node.value if isinstance(node, ast.Constant) else ast.unparse(node)


def sites(path: Path) -> list[Mutant]:
    rel = str(path.relative_to(ROOT))
    text = path.read_text(encoding="utf-8")
    source = text.splitlines(keepends=True)
    tree = ast.parse(text)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and _name(node.value) == "require" and node.value.args:
            found.append(Mutant(rel, node.lineno, "require", _literal(node.value.args[0]),
                                (node.lineno, node.col_offset),
                                (node.end_lineno, node.end_col_offset), "pass"))
        elif (isinstance(node, ast.Expr) and _name(node.value) == "rule"
              and len(node.value.args) > 1):
            call = node.value
            found.append(Mutant(rel, node.lineno, "role rule", _literal(call.args[0]),
                                (call.args[1].lineno, call.args[1].col_offset),
                                (call.args[-1].end_lineno, call.args[-1].end_col_offset),
                                ", ".join(f'"{r}"' for r in ROLES)))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in node.decorator_list:
                kind = _name(decorator)
                if kind == "rule":
                    found.append(_body_returns(source, node, rel, "rule function", "True"))
                elif kind == "scope":
                    found.append(_body_returns(source, node, rel, "scope",
                                               "__import__('sqlalchemy').true()"))
                elif kind == "change_rule":
                    found.append(_body_returns(source, node, rel, "change rule", "True"))
        elif isinstance(node, ast.keyword) and node.arg == "change" and isinstance(
                node.value, ast.Constant) and node.value.value is True:
            found.append(Mutant(rel, node.value.lineno, "change=True", "change=True",
                                (node.value.lineno, node.value.col_offset),
                                (node.value.end_lineno, node.value.end_col_offset), "False"))
        elif isinstance(node, ast.If):
            for statement in node.body + node.orelse:
                call = getattr(statement, "value", None)
                if (isinstance(statement, ast.Expr) and _name(call) == "abort" and call.args
                        and isinstance(call.args[0], ast.Constant)
                        and call.args[0].value in (403, 404)):
                    found.append(Mutant(
                        rel, statement.lineno, f"abort({call.args[0].value})",
                        ast.unparse(node.test)[:80], (statement.lineno, statement.col_offset),
                        (statement.end_lineno, statement.end_col_offset), "pass"))
    return sorted(found, key=lambda m: (m.line, m.kind))


def all_sites() -> list[Mutant]:
    found = []
    for path in sorted((ROOT / "portal").rglob("*.py")):
        if path.name == "walk.py":  # the walk's own builders (tests only)
            continue
        found += sites(path)
    return found + known_leaks()


def known_leaks() -> list[Mutant]:
    found = []
    for rel, old, new in KNOWN_LEAKS:
        text = (ROOT / rel).read_text(encoding="utf-8")
        if text.count(old) != 1:
            print(f"warning: known leak {old!r} not found once in {rel}", file=sys.stderr)
            continue
        offset = text.index(old)
        line = text.count("\n", 0, offset) + 1
        column = len(text[text.rindex("\n", 0, offset) + 1:offset].encode("utf-8"))
        found.append(Mutant(rel, line, "known leak", old.strip(), (line, column),
                            (line, column + len(old.encode("utf-8"))), new))
    return found


def apply(text: str, mutant: Mutant) -> str:
    lines = text.splitlines(keepends=True)
    (l1, c1), (l2, c2) = mutant.start, mutant.end
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    # AST columns are UTF-8 byte offsets: convert for lines with non-ASCII text.
    a = offsets[l1 - 1] + len(lines[l1 - 1].encode("utf-8")[:c1].decode("utf-8"))
    b = offsets[l2 - 1] + len(lines[l2 - 1].encode("utf-8")[:c2].decode("utf-8"))
    mutated = text[:a] + mutant.replacement + text[b:]
    ast.parse(mutated)  # a mutant that does not compile is a bug of this script
    return mutated


def tests_for(mutant: Mutant) -> list[str]:
    """The access tests, then the test files that name the rule (cheap to find)."""
    names = [mutant.what] if mutant.kind in ("require", "role rule", "rule function") else []
    extra = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        rel = str(path.relative_to(ROOT))
        if rel in ACCESS_TESTS:
            continue
        body = path.read_text(encoding="utf-8")
        if any(re.search(rf"['\"]{re.escape(n)}['\"]", body) for n in names):
            extra.append(rel)
    return ACCESS_TESTS + extra


def domain_tests(mutant: Mutant, done: list[str]) -> list[str]:
    """The test files of the mutant's domain not run yet: those importing
    `portal.<domain>` (`portal.core` names every file), browser and fuzz files left out."""
    parts = Path(mutant.path).parts
    package = ".".join(parts[:2]) if len(parts) > 2 else parts[0]
    found = []
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        rel = str(path.relative_to(ROOT))
        if rel in done or "browser" in rel or "fuzz" in rel:
            continue
        if re.search(rf"\b{re.escape(package)}\b", path.read_text(encoding="utf-8")):
            found.append(rel)
    return found


def make_copy(base: Path) -> Path:
    target = base / "repo"
    shutil.copytree(ROOT, target, ignore=COPY_IGNORE)
    os.symlink(ROOT / ".venv", target / ".venv")
    return target


def _pytest(copy: Path, files: list[str]) -> tuple[bool, str]:
    """Run `files` in `copy`: (did they fail, their last line)."""
    result = subprocess.run(
        [str(copy / ".venv/bin/python"), "-m", "pytest", "-x", "-q", "-p",
         "no:cacheprovider", "-W", "ignore", *files],
        cwd=copy, capture_output=True, text=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    return result.returncode != 0, (result.stdout.strip().splitlines() or [""])[-1]


def run(copy: Path, mutant: Mutant) -> tuple[Mutant, bool, float, str]:
    path = copy / mutant.path
    original = path.read_text(encoding="utf-8")
    started = time.monotonic()
    try:
        path.write_text(apply(original, mutant), encoding="utf-8")
        first = tests_for(mutant)
        killed, tail = _pytest(copy, first)
        if not killed:
            more = domain_tests(mutant, first)
            if more:
                killed, tail = _pytest(copy, more)
                tail = f"domain tests: {tail}"
        return mutant, killed, time.monotonic() - started, tail
    finally:
        path.write_text(original, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", help="only mutants whose key or rule contains this")
    parser.add_argument("--list", action="store_true", help="list the mutants, run nothing")
    options = parser.parse_args()
    mutants = all_sites()
    if options.only:
        mutants = [m for m in mutants if options.only in m.key or options.only in m.what]
    if options.list:
        for m in mutants:
            print(f"{m.key}  {m.what}")
        print(f"{len(mutants)} mutants")
        return 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mutants-") as temp:
        copies = [make_copy(Path(temp) / str(n)) for n in range(options.workers)]
        # Unchanged code must pass, or every mutant would look killed.
        failed, tail = _pytest(copies[0], ACCESS_TESTS)
        if failed:
            print(f"the access tests fail without any mutant: {tail}", file=sys.stderr)
            return 2
        free = list(copies)

        def one(mutant):
            copy = free.pop()
            try:
                return run(copy, mutant)
            finally:
                free.append(copy)

        survivors = []
        with ThreadPoolExecutor(options.workers) as pool:
            for mutant, killed, seconds, tail in pool.map(one, mutants):
                print(f"{'killed  ' if killed else 'SURVIVED'} {seconds:5.1f}s {mutant.key}"
                      f"  {mutant.what}  [{tail}]", flush=True)
                if not killed:
                    survivors.append(mutant)
    killed = len(mutants) - len(survivors)
    print(f"\n{len(mutants)} mutants, {killed} killed, {len(survivors)} survived "
          f"({time.monotonic() - started:.0f}s)")
    unexplained = []
    for mutant in survivors:
        reason = ALLOWED_SURVIVORS.get(mutant.stable_key)
        print(f"  survivor {mutant.key}  {mutant.what}: {reason or 'NO TEST CATCHES THIS'}")
        if reason is None:
            unexplained.append(mutant)
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
