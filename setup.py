"""Build the compiled kinetics kernels; all other metadata is in pyproject.toml."""

import numpy
from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "intercluster.kinetics._bdf",
            ["src/intercluster/kinetics/_bdf.c"],
            include_dirs=[numpy.get_include()],
            extra_compile_args=["-O3", "-std=c99"],
        )
    ]
)
