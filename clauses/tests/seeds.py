"""The demo corpus as test data: the five seed files, read once."""

from functools import cache
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "demo"
FILES = {
    "000": "000_c9edb019b37ed2a8.txt",
    "001": "001_a95954def5aa8b4a.txt",
    "002": "002_fdefd1429bde2f8a.txt",
    "003": "003_a9ae605f4cad731c.txt",
    "004": "004_99d6042c77b000db.txt",
}


def seed_bytes(name: str) -> bytes:
    return (DEMO / FILES[name]).read_bytes()


@cache
def prepared(name: str):
    from clauses.text.pipeline import prepare

    return prepare(seed_bytes(name))
