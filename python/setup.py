"""Wheel tagging only (the metadata is in pyproject.toml).

The package holds no compiled extension, but a wheel built by ./build.sh carries libfsmeta.so.1 (a Linux x86-64
shared library), so the wheel must not be py3-none-any: it is tagged py3-none-<platform> (linux_x86_64 here). The
Python code itself is interpreter-independent (ctypes), hence py3-none.
"""

from setuptools import Distribution, setup

try:
    from setuptools.command.bdist_wheel import bdist_wheel as _bdist_wheel  # setuptools >= 70.1
except ImportError:  # pragma: no cover - older setuptools: the wheel package's command
    from wheel.bdist_wheel import bdist_wheel as _bdist_wheel


class BinaryDistribution(Distribution):
    """Platform-specific: the package carries a shared library (files go to the wheel's root, platlib)."""

    def has_ext_modules(self):
        return True


class bdist_wheel(_bdist_wheel):
    def get_tag(self):
        _, _, plat = super().get_tag()
        return "py3", "none", plat


setup(distclass=BinaryDistribution, cmdclass={"bdist_wheel": bdist_wheel})
