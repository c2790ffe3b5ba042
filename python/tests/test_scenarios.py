"""The shared scenario files (testdata/*.scn), run through the Python API by scenario.py."""

import glob
import os

import pytest

from scenario import decode, parse_int, run_file

TESTDATA = os.environ.get("FSMETA_TESTDATA") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "testdata")
FILES = sorted(glob.glob(os.path.join(TESTDATA, "*.scn")))


def test_scenario_files_exist():
    assert len(FILES) >= 12, TESTDATA


@pytest.mark.parametrize("path", FILES, ids=[os.path.basename(f) for f in FILES])
def test_scenario(path):
    failures = run_file(path)
    assert not failures, "\n".join(failures)


def test_decoding():
    assert decode("a\\x00\\xff") == b"a\x00\xff"
    assert decode("\\e") == b""
    assert decode("\\\\") == b"\\"
    assert decode("\\{x*3}") == b"xxx"
    assert decode("\\{a\\x2fb*2}c") == b"a/ba/bc"
    assert decode("é") == "é".encode()
    assert parse_int("0755") == 0o755 and parse_int("0x1f") == 31 and parse_int("10") == 10
    assert parse_int("0") == 0 and parse_int("-5") == -5
