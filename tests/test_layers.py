"""The package's shape: one package per layer, each importing only from the layers beneath it;
no import cycles; biodl modules imported inside functions only where TensorFlow's start-up is
the reason; module names unique across the tree; no private attributes of other libraries."""

import ast
from collections import defaultdict

from conftest import ROOT

SOURCE = ROOT / "src"
LAYERS = ["data.dna|data.pwm", "io", "data", "models", "training", "evaluation", "interpret",
          "sequences|timeseries|omics|profiles", "config", "steps"]
"""Lowest first: a module may import from its own layer and those before it. DNA and motif
matrices come first: the readers of FASTA and motif files return them."""
TENSORFLOW_AT_IMPORT = {"biodl.models.autoencoder", "biodl.models.gaf_layers", "biodl.models.profile_layers"}
"""Modules that import TensorFlow or Keras when imported: the only biodl modules imported
inside functions (the lazy pattern of docs/architecture.md)."""


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted((SOURCE / "biodl").rglob("*.py")):
        name = ".".join(path.relative_to(SOURCE).with_suffix("").parts).removesuffix(".__init__")
        found[name] = ast.parse(path.read_text())
    return found


def imported(node, known) -> list[str]:
    """The biodl modules an import statement names."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names if a.name.startswith("biodl")]
    if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("biodl"):
        return [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in known else node.module for a in node.names]
    return []


def layer(module: str) -> int:
    """The rank of ``module``'s layer; the package's own ``__init__`` (its public face) is above all."""
    inner = module.removeprefix("biodl.")
    ranks = [rank for rank, names in enumerate(LAYERS) for prefix in names.split("|")
             if inner == prefix or inner.startswith(prefix + ".")]
    return ranks[0] if ranks else len(LAYERS)


def test_each_layer_imports_only_from_the_layers_beneath_it_and_nothing_cycles():
    found = modules()
    graph, upward = defaultdict(set), []
    for name, tree in found.items():
        for node in tree.body:
            for target in imported(node, found):
                graph[name].add(target)
                if layer(target) > layer(name) and not name.startswith(target + "."):
                    upward.append(f"{name} -> {target}")
    assert not upward, "\n".join(upward)
    state = {}

    def visit(module, path):
        state[module] = "open"
        for target in sorted(graph[module]):
            if target.startswith(module + "."):  # a package importing its own modules
                continue
            assert state.get(target) != "open", f"import cycle: {' -> '.join(path + [target])}"
            if target not in state:
                visit(target, path + [target])
        state[module] = "done"

    for module in found:
        if module not in state:
            visit(module, [module])


def test_biodl_modules_are_imported_inside_functions_only_to_defer_tensorflow():
    found, lazy = modules(), []
    for name, tree in found.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    lazy += [f"{name}: {target}" for target in imported(inner, found)
                             if target not in TENSORFLOW_AT_IMPORT]
    assert not lazy, lazy


def test_module_names_are_unique_across_the_tree():
    stems = defaultdict(list)
    for path in (SOURCE / "biodl").rglob("*.py"):
        if path.name not in ("__init__.py", "__main__.py"):
            stems[path.stem].append(str(path.relative_to(SOURCE)))
    assert not {stem: paths for stem, paths in stems.items() if len(paths) > 1}


def test_no_private_attributes_of_other_libraries():
    found = modules()
    own = {node.name for tree in found.values() for node in ast.walk(tree)
           if isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)}
    own |= {target.id for tree in found.values() for node in ast.walk(tree) if isinstance(node, ast.Assign)
            for target in node.targets if isinstance(target, ast.Name)}
    own |= {target.attr for tree in found.values() for node in ast.walk(tree) if isinstance(node, ast.Assign | ast.AnnAssign)
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(target, ast.Attribute)}
    private = [f"{name}:{node.lineno} .{node.attr}" for name, tree in found.items() for node in ast.walk(tree)
               if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
               and node.attr not in own and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))]
    assert not private, private
