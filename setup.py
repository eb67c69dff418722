"""Packaging for skcama (metadata lives here; pyproject.toml only names the build backend)."""

import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(
    r'^__version__ = "([^"]+)"', (HERE / "skcama" / "__init__.py").read_text(), re.M
).group(1)

setup(
    name="skcama",
    version=VERSION,
    description="Causal generative classification (deep CAMA) for tabular data, "
    "with a scikit-learn API",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="MIT",
    license_files=["LICENSE"],
    python_requires=">=3.10",
    packages=find_packages(include=["skcama", "skcama.*"]),
    package_data={"skcama": ["py.typed"], "skcama.datasets": ["data/*.csv", "data/*.gml"]},
    install_requires=[
        "torch>=2.2",
        "scikit-learn>=1.6",
        "networkx>=3.4",  # node_link_data(edges=...) for model files and JSON graphs
        "pandas>=2.0.2",
        "numpy>=1.25",  # Generator.spawn
        "scipy>=1.10",
        "joblib>=1.3",
        "causal-learn>=0.1.4.8",  # register_ci_test, max_k
        "tqdm>=4.60",
        "matplotlib>=3.6",
        "pydot>=4.0",  # reads DOT edges to and from subgraphs
        "safetensors>=0.4.4",  # empty tensors
    ],
    extras_require={
        # pyarrow: pandas 3 then stores text as Arrow strings, as on most users' machines,
        # and the tests of pyarrow Tables and Parquet files run
        "test": ["pytest>=7", "pytest-xdist>=3", "dask[distributed]>=2024.1", "polars>=1.0",
                 "pyarrow>=14.0.2"],
        # model search on a Dask cluster through joblib's Dask backend
        "dask": ["dask[distributed]>=2024.1"],
        "dev": ["pytest>=7", "pytest-xdist>=3", "ruff>=0.5"],
        "docs": [
            "sphinx>=7",
            "sphinx-gallery>=0.15",
            "numpydoc>=1.6",
            "sphinx-argparse>=0.4",
            "furo>=2024.1",
        ],
    },
    entry_points={"console_scripts": ["skcama=skcama.cli:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Intended Audience :: Science/Research",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
    ],
)
