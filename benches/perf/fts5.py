#!/usr/bin/env python3
"""fts5.py: the SQLite FTS5 peer, in process from Python (stdlib sqlite3).

    benches/perf/fts5.py load DB FOLDER        -> one JSON line
    benches/perf/fts5.py query DB QUERIES.json ROUNDS  -> one JSON line

load: a fresh database with one table
    fts5(path UNINDEXED, lang UNINDEXED, body, tokenize='unicode61 remove_diacritics 0')
holding every *.md file of FOLDER (lang = the first folder under FOLDER,
fi/sv/en in the generated banks), inserted in one transaction. The time
covers reading the files, inserting and committing; RSS is this process's
peak (resource.getrusage ru_maxrss); size is the database file.

query: each query's words, each quoted (so FTS5 ANDs them and no word is
read as query syntax), `ORDER BY rank LIMIT 10`, fetched in full. One
untimed round, then ROUNDS timed rounds; the times of every query of every
round are returned in milliseconds.
"""

import json
import os
import resource
import sqlite3
import sys
import time
from pathlib import Path


def markdown_files(folder: Path):
    """The *.md files under folder in a fixed order, as (relative path, top
    folder (the language), path); also used by measure.py for PostgreSQL."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            if name.endswith(".md"):
                path = Path(dirpath, name)
                rel = path.relative_to(folder)
                yield str(rel), rel.parts[0] if len(rel.parts) > 1 else "", path


def load(db: Path, folder: Path) -> dict:
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.remove(str(db) + suffix)
        except FileNotFoundError:
            pass
    start = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, lang UNINDEXED, body, "
        "tokenize = 'unicode61 remove_diacritics 0')"
    )

    def rows():
        for rel, lang, path in markdown_files(folder):
            yield rel, lang, path.read_text(encoding="utf-8")

    con.execute("BEGIN")
    con.executemany("INSERT INTO docs(path, lang, body) VALUES (?, ?, ?)", rows())
    con.commit()
    seconds = time.perf_counter() - start
    docs = con.execute("SELECT count(*) FROM docs").fetchone()[0]
    con.close()
    return {
        "seconds": seconds,
        "docs": docs,
        "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "db_bytes": db.stat().st_size,
        "sqlite": sqlite3.sqlite_version,
    }


def fts_query(words: list[str]) -> str:
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


def query(db: Path, queries: list[dict], rounds: int) -> dict:
    con = sqlite3.connect(db)
    sql = "SELECT path FROM docs WHERE docs MATCH ? ORDER BY rank LIMIT 10"
    hits = {}
    for q in queries:  # untimed round: pages cached
        hits[q["q"]] = len(con.execute(sql, (fts_query(q["words"]),)).fetchall())
    times = []
    for _ in range(rounds):
        for q in queries:
            start = time.perf_counter()
            con.execute(sql, (fts_query(q["words"]),)).fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return {"times_ms": times, "hits": hits}


def main() -> int:
    if len(sys.argv) < 4 or sys.argv[1] not in ("load", "query"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    if sys.argv[1] == "load":
        out = load(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        queries = json.loads(Path(sys.argv[3]).read_text(encoding="utf-8"))
        out = query(Path(sys.argv[2]), queries, int(sys.argv[4]) if len(sys.argv) > 4 else 5)
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
