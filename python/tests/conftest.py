"""pytest fixtures of the fsmeta tests.

The package under test is the installed one (./build.sh test installs the wheel, which carries libfsmeta.so.1).
Run from the source tree instead with PYTHONPATH=python and FSMETA_LIBRARY=build/c/lib/libfsmeta.so.1.
It is imported here, before any test module, so that a test that puts python/ on sys.path (test_ffi_smoke.py)
does not replace it.
"""

from typing import Iterator

import pytest

import fsmeta


@pytest.fixture
def fs() -> Iterator[fsmeta.FsMeta]:
    db = fsmeta.open(umask=0)  # root as the scenario files have it, whatever the umask of the test process
    try:
        yield db
    finally:
        db.close()
