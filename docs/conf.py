"""Sphinx configuration of the skcama documentation.

Build with ``make docs`` (or ``sphinx-build -W --keep-going -b html docs docs/_build/html``).
The examples in ``examples/`` are executed by sphinx-gallery; with ``CI=true`` or
``SKCAMA_DOCS_FAST=1`` in the environment they run in reduced size.
"""

import logging
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import torch  # noqa: E402

import skcama  # noqa: E402

# The examples run inside this process. Their networks are small, so a second thread gains
# little, and on a busy shared machine two threads ran them several times slower than one.
torch.set_num_threads(1)
# A theme dependency turns on INFO logging for every logger at import; keep the package's
# progress messages out of the build log.
logging.getLogger("skcama").setLevel(logging.WARNING)

project = "skcama"
author = "the skcama developers"
copyright = "the skcama developers"
release = skcama.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinxarg.ext",
    "sphinx_gallery.gen_gallery",
    "matplotlib.sphinxext.plot_directive",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
root_doc = "index"
default_role = "literal"
smartquotes = False  # keep "--option" and quotes in command-line help as typed

# -- API reference ------------------------------------------------------------------------
autosummary_generate = True
autosummary_ignore_module_all = False  # a module's page lists what its __all__ exports
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # the numpydoc "Parameters" sections say the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- Examples gallery ---------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r".*\.py$",  # execute every example, not only plot_*.py
    "ignore_pattern": r"__init__\.py$",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "doc_module": ("skcama",),
    "backreferences_dir": "api/generated/backreferences",
    "matplotlib_animations": False,
    "show_memory": False,
    "image_scrapers": ("matplotlib",),
}

# -- Figures made at build time (the roles figure of the user guide) ----------------------
plot_working_directory = str(ROOT)  # plot code opens graphs/ relative to the repository
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"figure.autolayout": False}

# -- HTML ---------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"skcama {release}"
html_static_path = []
html_show_sourcelink = False


# -- Docstring hooks ----------------------------------------------------------------------
def _skip_metadata_requests(app, what, name, obj, skip, options):
    # set_fit_request & co. are scikit-learn's metadata-routing plumbing, generated on
    # every estimator class; their docstrings point into scikit-learn's own docs.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_requests)
