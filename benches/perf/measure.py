#!/usr/bin/env python3
"""measure.py: the measuring half of benches/perf/run (stdlib only).

    benches/perf/measure.py --stage STAGE [options]     (see --help)

Stages: meta, pdf, index, queries, serve, bench. Each stage measures one
group of figures and merges them into the results file (target/perf/
results.json), so one stage can be re-run alone; report.py renders
PERFORMANCE.md from that file. Every figure is the median of the runs.
Timings are reported, never asserted. A peer that is missing or fails is
recorded with the reason ("not measured") and the run goes on.
"""

import argparse
import glob
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import http.client
from pathlib import Path

from fts5 import markdown_files  # benches/perf/fts5.py (this script's folder is on sys.path)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def log(msg: str) -> None:
    print(f"[perf {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def pct(values, p):
    values = sorted(v for v in values if v is not None)
    if not values:
        return None
    return values[min(len(values) - 1, round((len(values) - 1) * p))]


def median_dicts(runs: list[dict]) -> dict:
    keys = [k for k in runs[0] if all(isinstance(r.get(k), (int, float)) and not isinstance(r.get(k), bool) for r in runs)]
    return {k: median([r[k] for r in runs]) for k in keys}


def tree_bytes(path: Path) -> int:
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except FileNotFoundError:
                pass
    return total


def count_files(path: Path, suffix: str) -> int:
    return sum(1 for _, _, files in os.walk(path) for f in files if f.endswith(suffix))


def timed(cmd, timeout=3600, stdin=None, env=None, cwd=None) -> dict:
    """Runs cmd under /usr/bin/time; returns wall seconds, peak RSS, output."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-f", "%e %M", "-o", tf.name] + [str(c) for c in cmd]
        start = time.perf_counter()
        proc = subprocess.run(full, stdin=stdin, capture_output=True, timeout=timeout, env=env, cwd=cwd)
        wall = time.perf_counter() - start
        fields = tf.read().split()
    rss = None
    if len(fields) >= 2 and fields[-1].isdigit():
        rss = int(fields[-1])
    return {
        "wall_s": wall,
        "rss_kb": rss,
        "rc": proc.returncode,
        "stdout": proc.stdout.decode("utf-8", "replace"),
        "stderr": proc.stderr.decode("utf-8", "replace"),
    }


class Results:
    def __init__(self, path: Path):
        self.path = path
        self.data = json.loads(path.read_text()) if path.exists() else {}

    def put(self, key, value):
        self.data[key] = value
        self.save()

    def save(self):
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, ensure_ascii=False))
        tmp.replace(self.path)


# ---------------------------------------------------------------- meta

def stage_meta(a, res: Results):
    def out(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
        except Exception:
            return ""

    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    commit = out(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    dirty = out(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src", "Cargo.toml", "Cargo.lock"])
    pg = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"))
    recoll_ver = out(["dpkg-query", "-W", "-f", "${Version}", "recollcmd"])
    recoll_ver = f"Recoll {recoll_ver}" if recoll_ver else ("Recoll (version unknown)" if shutil.which("recollindex") else "Recoll missing")
    import sqlite3

    res.put(
        "meta",
        {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "nproc": os.cpu_count(),
            "cpu": cpu,
            "mem_gb": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(),
            "os": out(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
            "commit": commit,
            "src_dirty": bool(dirty),
            "binary_sha256": out(["sha256sum", str(a.bin)]).split(" ")[0][:16],
            "binary_mtime": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(Path(a.bin).stat().st_mtime)),
            "command": a.command,
            "quick": a.quick,
            "runs": a.runs,
            "runs50": a.runs50,
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "pdftotext": (out(["sh", "-c", "pdftotext -v 2>&1 | head -1"])),
            "recoll": recoll_ver,
            "postgres": out([pg[-1], "--version"]) if pg else "missing",
        },
    )


# ---------------------------------------------------------------- pdf

def norm(text: str) -> str:
    return " ".join(text.replace("\f", " ").split())


def norm_nohyphen(text: str) -> str:
    return "".join(text.replace("\f", "").replace("-", "").split())


def stage_pdf(a, res: Results):
    pdfs = Path(a.pdfs)
    generated = sorted(str(p) for p in pdfs.glob("*/*.pdf"))
    corpus = sorted(glob.glob(str(Path(a.shared) / "corpus/docs/*/*.pdf")))
    sets = {"generated": generated, "corpus": corpus}
    if not shutil.which("pdftotext") or not shutil.which("pdfinfo"):
        res.put("pdf", {"error": "pdftotext/pdfinfo not installed"})
        return
    pages = {}
    for name, files in sets.items():
        total = 0
        for f in files:
            info = subprocess.run(["pdfinfo", f], capture_output=True, text=True).stdout
            m = re.search(r"^Pages:\s+(\d+)", info, re.M)
            total += int(m.group(1)) if m else 0
        pages[name] = total

    # Check: the text of the generated PDFs against what was written.
    check = {"files": 0, "ours_exact": 0, "ours_modulo_hyphen_joins": 0, "ptt_exact": 0, "ptt_modulo_hyphen_joins": 0,
             "ours_letters_ok": 0, "ptt_letters_ok": 0, "examples": []}
    letters = "äöåÄÖÅ"
    for line in (pdfs / "expected.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        f = pdfs / item["path"]
        want = item["text"]
        ours = subprocess.run([a.bin, "extract", f], capture_output=True).stdout.decode("utf-8", "replace")
        ptt = subprocess.run(["pdftotext", "-enc", "UTF-8", f, "-"], capture_output=True).stdout.decode("utf-8", "replace")
        check["files"] += 1
        for key, got in (("ours", ours), ("ptt", ptt)):
            exact = norm(got) == norm(want)
            check[f"{key}_exact"] += exact
            check[f"{key}_modulo_hyphen_joins"] += norm_nohyphen(got) == norm_nohyphen(want)
            check[f"{key}_letters_ok"] += all(got.count(c) == want.count(c) for c in letters) and "\ufffd" not in got
            if key == "ours" and not exact and len(check["examples"]) < 3:
                x, y = norm(got), norm(want)
                i = next((i for i in range(min(len(x), len(y))) if x[i] != y[i]), min(len(x), len(y)))
                check["examples"].append({"file": item["path"], "ours": x[max(0, i - 40) : i + 30], "written": y[max(0, i - 40) : i + 30]})
    log(f"pdf check: {check['ours_exact']}/{check['files']} exact, letters ok {check['ours_letters_ok']}")

    def one_pass(cmd_of, files):
        start = time.perf_counter()
        for f in files:
            subprocess.run(cmd_of(f), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start

    ours_cmd = lambda f: [a.bin, "extract", f]
    ptt_cmd = lambda f: ["pdftotext", "-enc", "UTF-8", f, "-"]
    all_files = generated + corpus
    one_pass(ours_cmd, all_files)  # warm-up: page cache, binaries loaded
    one_pass(ptt_cmd, all_files)
    runs = []
    for r in range(a.runs):
        row = {}
        for name, files in sets.items():
            row[f"ours_{name}_s"] = one_pass(ours_cmd, files)
            row[f"ptt_{name}_s"] = one_pass(ptt_cmd, files)
        row["ours_s"] = row["ours_generated_s"] + row["ours_corpus_s"]
        row["ptt_s"] = row["ptt_generated_s"] + row["ptt_corpus_s"]
        total_pages = pages["generated"] + pages["corpus"]
        row["ours_pps"] = total_pages / row["ours_s"]
        row["ptt_pps"] = total_pages / row["ptt_s"]
        for name in sets:
            row[f"ours_{name}_pps"] = pages[name] / row[f"ours_{name}_s"] if row[f"ours_{name}_s"] else None
            row[f"ptt_{name}_pps"] = pages[name] / row[f"ptt_{name}_s"] if row[f"ptt_{name}_s"] else None
        runs.append(row)
        log(f"pdf run {r + 1}: ours {row['ours_pps']:.0f} pages/s, pdftotext {row['ptt_pps']:.0f} pages/s")
    res.put(
        "pdf",
        {
            "files": {k: len(v) for k, v in sets.items()},
            "pages": pages,
            "check": check,
            "runs": runs,
            "median": median_dicts(runs),
        },
    )


# ---------------------------------------------------------------- PostgreSQL

class Postgres:
    """A throw-away cluster in a temp dir, on a unix socket only."""

    def __init__(self, work: Path):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)")
        self.bindir = Path(bins[-1]).parent
        self.dir = Path(tempfile.mkdtemp(prefix="tp-perf-pg-"))
        (work / "pg-datadir").write_text(str(self.dir / "db"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.as_pg(["initdb", "-D", str(self.dir / "db"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
        self.as_pg(
            ["pg_ctl", "-D", str(self.dir / "db"), "-l", str(self.dir / "log"), "-w", "-t", "120",
             "-o", f"-c listen_addresses='' -k {self.dir}", "start"]
        )
        self.started = True

    def as_pg(self, cmd):
        full = ["runuser", "-u", "postgres", "--", str(self.bindir / cmd[0])] + cmd[1:]
        p = subprocess.run(full, capture_output=True, text=True, cwd=str(self.dir), timeout=600)
        if p.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed: {p.stderr.strip()[-500:]}")
        return p.stdout

    def psql(self, args, **kw):
        cmd = [str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.dir), "-U", "postgres", "-d", "postgres"] + args
        return subprocess.run(cmd, capture_output=True, **kw)

    def version(self):
        return self.psql(["-At", "-c", "SHOW server_version"], text=True).stdout.strip()

    def stop(self):
        if getattr(self, "started", False):
            subprocess.run(["runuser", "-u", "postgres", "--", str(self.bindir / "pg_ctl"), "-D", str(self.dir / "db"), "-m", "fast", "-w", "stop"],
                           capture_output=True, timeout=120)
            self.started = False
        shutil.rmtree(self.dir, ignore_errors=True)


PG_TABLE = """
DROP TABLE IF EXISTS docs;
CREATE TABLE docs (
    path text PRIMARY KEY,
    lang text NOT NULL,
    body text NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector(CASE lang WHEN 'fi' THEN 'finnish'::regconfig
        WHEN 'sv' THEN 'swedish'::regconfig ELSE 'english'::regconfig END, body)) STORED
);
"""

PG_LOAD = r"""
SELECT pg_backend_pid() AS pid \gset
\timing on
\copy docs(path, lang, body) from pstdin
CREATE INDEX docs_tsv ON docs USING gin (tsv);
\timing off
\setenv PGPID :pid
\! grep VmHWM /proc/$PGPID/status
SELECT 'docs=' || count(*) FROM docs;
SELECT 'bytes=' || pg_total_relation_size('docs');
"""


def copy_rows(folder: Path):
    """Writes the *.md files of folder as COPY text rows (path, lang, body) to stdout."""
    out = sys.stdout.buffer
    esc = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
    for rel, lang, p in markdown_files(folder):
        body = p.read_text(encoding="utf-8").translate(esc)
        out.write(f"{rel.translate(esc)}\t{lang}\t{body}\n".encode("utf-8"))
    out.flush()


def pg_load(pg: Postgres, folder: Path) -> dict:
    p = pg.psql(["-c", PG_TABLE], text=True)
    if p.returncode:
        raise RuntimeError(p.stderr)
    script = pg.dir / "load.sql"
    script.write_text(PG_LOAD)
    os.chmod(script, 0o644)
    start = time.perf_counter()
    producer = subprocess.Popen([sys.executable, str(HERE / "measure.py"), "--stage", "_copyrows", "--bank20", str(folder)], stdout=subprocess.PIPE)
    p = pg.psql(["-At", "-f", str(script)], stdin=producer.stdout, text=True, timeout=7200)
    producer.stdout.close()
    producer.wait()
    wall = time.perf_counter() - start
    if p.returncode:
        raise RuntimeError(p.stderr.strip()[-800:])
    times = [float(x) / 1000 for x in re.findall(r"Time: ([\d.]+) ms", p.stdout)]
    hwm = re.search(r"VmHWM:\s+(\d+) kB", p.stdout)
    docs = re.search(r"docs=(\d+)", p.stdout)
    size = re.search(r"bytes=(\d+)", p.stdout)
    return {
        "wall_s": wall,
        "copy_s": times[0] if len(times) > 0 else None,
        "gin_s": times[1] if len(times) > 1 else None,
        "rss_kb": int(hwm.group(1)) if hwm else None,
        "docs": int(docs.group(1)) if docs else None,
        "index_bytes": int(size.group(1)) if size else None,
    }


def sql_literal(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def pg_queries(pg: Postgres, queries: list[dict], rounds: int) -> dict:
    def one(q):
        lit = sql_literal(q)
        return (
            f"SELECT path FROM docs, (SELECT plainto_tsquery('finnish', {lit}) || plainto_tsquery('swedish', {lit}) "
            f"|| plainto_tsquery('english', {lit}) AS q) AS x WHERE tsv @@ x.q ORDER BY ts_rank(tsv, x.q) DESC LIMIT 10;"
        )

    warm = "\n".join(f"SELECT 'hits=' || count(*) FROM ({one(q['q'])[:-1]}) s;" for q in queries)
    p = pg.psql(["-At", "-c", "SET jit = off", "-f", "-"], input=warm, text=True, timeout=3600)
    hits = [int(x) for x in re.findall(r"hits=(\d+)", p.stdout)]
    body = "\\o /dev/null\n\\timing on\n" + "\n".join(one(q["q"]) for _ in range(rounds) for q in queries) + "\n"
    p = pg.psql(["-At", "-f", "-"], input=body, text=True, timeout=3600)
    if p.returncode:
        raise RuntimeError(p.stderr.strip()[-500:])
    times = [float(x) for x in re.findall(r"Time: ([\d.]+) ms", p.stdout)]
    return {"times_ms": times, "hits": dict(zip((q["q"] for q in queries), hits))}


# ---------------------------------------------------------------- Recoll

def recoll_conf(work: Path, folder: Path) -> Path:
    conf = work / "recoll-conf"
    conf.mkdir(parents=True, exist_ok=True)
    (conf / "recoll.conf").write_text(
        f"topdirs = {folder}\n"
        f"dbdir = {work / 'recoll-db'}\n"
        "indexstemminglanguages = finnish swedish english\n"
        "noaspell = 1\n"
        "loglevel = 2\n"
    )
    return conf


def recoll_count(conf: Path) -> int | None:
    p = subprocess.run(["recollq", "-c", conf, "-E", "-Q", "ext:md"], capture_output=True, text=True)
    m = re.search(r"(\d+) results", p.stdout)
    return int(m.group(1)) if m else None


# ---------------------------------------------------------------- index

def ours_index(a, folder: Path, index: Path, fresh=True) -> dict:
    if fresh:
        shutil.rmtree(index, ignore_errors=True)
    t = timed([a.bin, "index", "--documents", folder, "--index", index, "--json"], timeout=7200)
    row = {"wall_s": t["wall_s"], "rss_kb": t["rss_kb"], "index_bytes": tree_bytes(index)}
    try:
        rep = json.loads(t["stdout"])
        for k in ("added", "updated", "removed", "unchanged", "failed"):
            v = rep.get(k)
            row[k] = v if isinstance(v, int) else (len(v) if isinstance(v, list) else None)
    except json.JSONDecodeError:
        row["error"] = (t["stderr"] or t["stdout"])[-300:]
    if t["rc"] != 0:
        row["error"] = f"exit {t['rc']}: " + t["stderr"][-300:]
    return row


def stage_index(a, res: Results):
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    b20, b50 = Path(a.bank20), Path(a.bank50)
    src20, src50 = tree_bytes(b20), tree_bytes(b50)
    docs20, docs50 = count_files(b20, ".md"), count_files(b50, ".md")
    out20 = {"folder": str(b20.relative_to(ROOT)) if b20.is_relative_to(ROOT) else str(b20), "docs": docs20, "source_bytes": src20}
    peers = {"ours": [], "recoll": [], "fts5": [], "pg": []}
    errors = {}
    pg = None
    try:
        try:
            pg = Postgres(work)
            out20["pg_version"] = pg.version()
        except Exception as e:  # noqa: BLE001
            errors["pg"] = f"not measured: {e}"
            log(errors["pg"])
        if not shutil.which("recollindex"):
            errors["recoll"] = "not measured: recollindex not installed"
        for r in range(a.runs):
            log(f"index run {r + 1}/{a.runs}: ours on {docs20} docs")
            peers["ours"].append(ours_index(a, b20, work / "ours20-idx"))
            log(f"  ours {peers['ours'][-1]['wall_s']:.1f} s")
            if "recoll" not in errors:
                conf = recoll_conf(work, b20)
                shutil.rmtree(work / "recoll-db", ignore_errors=True)
                t = timed(["recollindex", "-c", conf], timeout=7200)
                if t["rc"] != 0:
                    errors["recoll"] = f"not measured: recollindex exit {t['rc']}: {t['stderr'][-300:]}"
                else:
                    peers["recoll"].append({"wall_s": t["wall_s"], "rss_kb": t["rss_kb"], "index_bytes": tree_bytes(work / "recoll-db"), "docs": recoll_count(conf)})
                    log(f"  recoll {t['wall_s']:.1f} s")
            t = timed([sys.executable, HERE / "fts5.py", "load", work / "fts5.db", b20], timeout=7200)
            try:
                j = json.loads(t["stdout"])
                peers["fts5"].append({"wall_s": j["seconds"], "process_wall_s": t["wall_s"], "rss_kb": j["maxrss_kb"], "index_bytes": j["db_bytes"], "docs": j["docs"]})
                out20["sqlite_version"] = j["sqlite"]
                log(f"  fts5 {j['seconds']:.1f} s")
            except (json.JSONDecodeError, KeyError):
                errors["fts5"] = f"not measured: {t['stderr'][-300:]}"
            if pg is not None and "pg" not in errors:
                try:
                    peers["pg"].append(pg_load(pg, b20))
                    log(f"  pg {peers['pg'][-1]['wall_s']:.1f} s")
                except Exception as e:  # noqa: BLE001
                    errors["pg"] = f"not measured: {e}"
                    log(errors["pg"])
        for name, runs in peers.items():
            if name in errors:
                out20[name] = {"error": errors[name], "runs": runs}
            elif runs:
                out20[name] = {"runs": runs, "median": median_dicts(runs)}
        res.put("index20", out20)

        # Queries on the 20k folder, while the peers' indexes are there.
        stage_queries(a, res, pg, errors)
    finally:
        if pg is not None:
            pg.stop()
            (work / "pg-datadir").unlink(missing_ok=True)

    # The big bank: ours only; then a no-change re-sync of it.
    out50 = {"folder": str(b50.relative_to(ROOT)) if b50.is_relative_to(ROOT) else str(b50), "docs": docs50, "source_bytes": src50}
    runs, resync = [], []
    for r in range(a.runs50):
        log(f"index 50k run {r + 1}/{a.runs50}: ours on {docs50} docs")
        runs.append(ours_index(a, b50, work / "ours50-idx"))
        log(f"  ours {runs[-1]['wall_s']:.1f} s; re-sync")
        resync.append(ours_index(a, b50, work / "ours50-idx", fresh=False))
        log(f"  re-sync {resync[-1]['wall_s']:.2f} s")
    out50["ours"] = {"runs": runs, "median": median_dicts(runs)}
    out50["resync"] = {"runs": resync, "median": median_dicts(resync)}
    res.put("index50", out50)


# ---------------------------------------------------------------- export

def parse_ndjson(path: Path) -> dict:
    """Reads _bulk NDJSON back line by line with Python's json (a consumer's cost)."""
    code = ("import json,sys,time,resource\n"
            "t=time.perf_counter(); n=0\n"
            "with open(sys.argv[1],'rb') as f:\n"
            "    for line in f:\n"
            "        json.loads(line); n+=1\n"
            "print(json.dumps({'lines':n,'seconds':time.perf_counter()-t,"
            "'maxrss_kb':resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))\n")
    t = timed([sys.executable, "-c", code, path], timeout=3600)
    j = json.loads(t["stdout"])
    return {"wall_s": j["seconds"], "rss_kb": j["maxrss_kb"], "lines": j["lines"]}


def peak_anon_kb(cmd) -> int | None:
    """Runs cmd, sampling /proc/PID/status every 50 ms: the peak of RssAnon
    (memory of its own, without the file pages of the mmapped index)."""
    proc = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = None
    while proc.poll() is None:
        try:
            for line in open(f"/proc/{proc.pid}/status"):
                if line.startswith("RssAnon:"):
                    peak = max(peak or 0, int(line.split()[1]))
        except (FileNotFoundError, ProcessLookupError, ValueError):
            break
        time.sleep(0.05)
    return peak


def push_runs(a, index: Path, work: Path) -> dict:
    """`export --to` into benches/perf/bulk-sink.py on loopback: a first push of
    everything (the state file removed), then a second one with nothing changed."""
    port_file = work / "sink.port"
    port_file.unlink(missing_ok=True)
    sink = subprocess.Popen([sys.executable, HERE / "bulk-sink.py", port_file])
    try:
        for _ in range(100):
            if port_file.exists() and port_file.read_text():
                break
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port_file.read_text()}"
        first, again = [], []
        for _ in range(a.runs):
            shutil.rmtree(index / "export", ignore_errors=True)
            for runs in (first, again):
                t = timed([a.bin, "export", "--index", index, "--index-name", "bank", "--to", url, "--json"], timeout=3600)
                row = {"wall_s": t["wall_s"], "rss_kb": t["rss_kb"]}
                try:
                    row.update({k: v for k, v in json.loads(t["stdout"]).items() if k != "rejected"})
                except json.JSONDecodeError:
                    row["error"] = f"exit {t['rc']}: " + t["stderr"][-300:]
                runs.append(row)
        return {"first": {"runs": first, "median": median_dicts(first)}, "again": {"runs": again, "median": median_dicts(again)}}
    finally:
        sink.terminate()
        sink.wait()


def stage_export(a, res: Results):
    """`tietopankki export` of the 20k bank to a file, beside indexing it and
    reading the output back (Python json, and jq when installed)."""
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    b20 = Path(a.bank20)
    index = work / "ours20-idx"
    out = {"folder": str(b20.relative_to(ROOT)) if b20.is_relative_to(ROOT) else str(b20), "docs": count_files(b20, ".md")}
    log("export: indexing the 20k bank first (an empty index, for the side-by-side figure)")
    out["index"] = ours_index(a, b20, index)
    ndjson = work / "export.ndjson"
    runs, jq_runs, py_runs = [], [], []
    for r in range(a.runs):
        ndjson.unlink(missing_ok=True)
        t = timed([a.bin, "export", "--index", index, "--index-name", "bank", "--out", ndjson], timeout=3600)
        row = {"wall_s": t["wall_s"], "rss_kb": t["rss_kb"], "out_bytes": ndjson.stat().st_size if ndjson.exists() else None}
        if t["rc"] != 0:
            row["error"] = f"exit {t['rc']}: " + t["stderr"][-300:]
        runs.append(row)
        log(f"export run {r + 1}/{a.runs}: {t['wall_s']:.1f} s")
        py_runs.append(parse_ndjson(ndjson))
        if shutil.which("jq"):
            j = timed(["sh", "-c", f"jq -c . '{ndjson}' >/dev/null"], timeout=3600)
            jq_runs.append({"wall_s": j["wall_s"], "rss_kb": j["rss_kb"]})
    with open(ndjson, "rb") as f:
        out["records"] = sum(1 for _ in f) // 2
    out["anon_kb"] = peak_anon_kb([a.bin, "export", "--index", index, "--index-name", "bank", "--out", ndjson])
    out["push"] = push_runs(a, index, work)
    ndjson.unlink(missing_ok=True)
    out["ours"] = {"runs": runs, "median": median_dicts(runs)}
    out["python_json"] = {"runs": py_runs, "median": median_dicts(py_runs)}
    out["jq"] = {"runs": jq_runs, "median": median_dicts(jq_runs)} if jq_runs else {"error": "not measured: jq not installed"}
    res.put("export20", out)


# ---------------------------------------------------------------- serving

def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, a, folder: Path, index: Path, work: Path, name: str, wait_s=1800):
        self.port = free_port()
        self.out = open(work / f"{name}.out", "w")
        self.err = open(work / f"{name}.err", "w")
        self.outpath = work / f"{name}.out"
        start = time.perf_counter()
        self.proc = subprocess.Popen(
            [a.bin, "serve", "--documents", str(folder), "--index", str(index), "--addr", f"127.0.0.1:{self.port}", "--rescan", "0"],
            stdout=self.out, stderr=self.err,
        )
        while "serving" not in self.outpath.read_text(errors="replace"):
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited with {self.proc.returncode}: {(work / f'{name}.err').read_text()[-500:]}")
            if time.perf_counter() - start > wait_s:
                raise RuntimeError("serve did not print 'serving' in time")
            time.sleep(0.05)
        self.startup_s = time.perf_counter() - start
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def get(self, path: str):
        try:
            self.conn.request("GET", path)
            r = self.conn.getresponse()
            return r.status, r.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise

    def status(self) -> dict:
        out = {}
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            k, _, v = line.partition(":")
            if k in ("VmHWM", "VmRSS"):
                out[k] = int(v.split()[0])
        return out

    def cpu_s(self) -> float:
        """User + system CPU seconds the server has used so far."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.conn.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()
        self.err.close()


def search_path(q: str) -> str:
    return "/api/search?q=" + urllib.parse.quote(q)


def summarize(times_ms: list[float]) -> dict:
    return {"n": len(times_ms), "median_ms": median(times_ms), "p90_ms": pct(times_ms, 0.9), "p99_ms": pct(times_ms, 0.99), "max_ms": max(times_ms) if times_ms else None}


def stage_queries(a, res: Results, pg=None, errors=None):
    """Query latency on the 20k folder: ours (HTTP, sequential; one CLI
    process a query), FTS5 in process, Recoll one recollq a query,
    PostgreSQL via psql. Needs the indexes left by stage_index."""
    work = Path(a.work)
    errors = dict(errors or {})
    queries = json.loads(Path(a.queries).read_text(encoding="utf-8"))
    rounds = a.query_rounds
    out = {"queries": [q["q"] for q in queries], "rounds": rounds}
    idx = work / "ours20-idx"

    # Ours, in the server: one request at a time on one keep-alive connection.
    try:
        srv = Server(a, Path(a.bank20), idx, work, "serve20")
        try:
            hits = {}
            for q in queries:
                st, body = srv.get(search_path(q["q"]))
                hits[q["q"]] = len(json.loads(body).get("hits", [])) if st == 200 else f"HTTP {st}"
            times = []
            for _ in range(rounds):
                for q in queries:
                    t0 = time.perf_counter()
                    srv.get(search_path(q["q"]))
                    times.append((time.perf_counter() - t0) * 1000)
            out["ours_http"] = summarize(times) | {"hits": hits}
        finally:
            srv.stop()
    except Exception as e:  # noqa: BLE001
        out["ours_http"] = {"error": f"not measured: {e}"}

    # Ours, one `tietopankki search` process a query (as recollq).
    times = []
    for i, q in enumerate(queries + queries[:5]):
        t0 = time.perf_counter()
        subprocess.run([a.bin, "search", "--index", str(idx), "--limit", "10", "--json", q["q"]], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i >= 5:
            times.append((time.perf_counter() - t0) * 1000)
    out["ours_cli"] = summarize(times)

    # FTS5, in process.
    if (work / "fts5.db").exists():
        p = subprocess.run([sys.executable, HERE / "fts5.py", "query", work / "fts5.db", a.queries, str(rounds)], capture_output=True, text=True)
        try:
            j = json.loads(p.stdout)
            out["fts5"] = summarize(j["times_ms"]) | {"hits": j["hits"]}
        except json.JSONDecodeError:
            out["fts5"] = {"error": f"not measured: {p.stderr[-300:]}"}
    else:
        out["fts5"] = {"error": "not measured: no FTS5 database"}

    # Recoll, one recollq process a query (its only command-line query path).
    if "recoll" in errors or not (work / "recoll-db").exists():
        out["recoll"] = {"error": errors.get("recoll", "not measured: no Recoll index")}
    else:
        conf = work / "recoll-conf"
        times, hits = [], {}
        for i, q in enumerate(queries[:5] + queries):
            t0 = time.perf_counter()
            p = subprocess.run(["recollq", "-c", conf, "-a", "-n", "10", "-b"] + q["words"], capture_output=True, text=True)
            dt = (time.perf_counter() - t0) * 1000
            if i >= 5:
                times.append(dt)
                hits[q["q"]] = sum(1 for line in p.stdout.splitlines() if line.startswith("file://"))
        out["recoll"] = summarize(times) | {"hits": hits}

    # PostgreSQL, psql's \timing over a unix socket.
    if pg is not None and "pg" not in errors:
        try:
            j = pg_queries(pg, queries, rounds)
            out["pg"] = summarize(j["times_ms"]) | {"hits": j["hits"]}
        except Exception as e:  # noqa: BLE001
            out["pg"] = {"error": f"not measured: {e}"}
    else:
        out["pg"] = {"error": errors.get("pg", "not measured: no PostgreSQL")}
    res.put("queries", out)


def stage_bench(a, res: Results):
    """cargo bench --bench search_latency: in-process median/p99 on its own query mix."""
    env = dict(os.environ, TP_BENCH_DOCS=str(a.bench_docs))
    log(f"cargo bench --bench search_latency (TP_BENCH_DOCS={a.bench_docs})")
    t0 = time.perf_counter()
    try:
        p = subprocess.run(["cargo", "bench", "--bench", "search_latency"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600)
    except (OSError, subprocess.TimeoutExpired) as e:
        res.put("bench", {"error": f"not measured: {e}"})
        return
    lines = {}
    for m in re.finditer(r"^(.+?): (\d+) searches, median ([\d.]+) ms, p90 ([\d.]+) ms, p99 ([\d.]+) ms, max ([\d.]+) ms", p.stdout, re.M):
        key = "corpus" if m.group(1).startswith("shared corpus") else "generated"
        lines[key] = {"label": m.group(1), "n": int(m.group(2)), "median_ms": float(m.group(3)), "p90_ms": float(m.group(4)), "p99_ms": float(m.group(5)), "max_ms": float(m.group(6))}
    if p.returncode != 0 or not lines:
        res.put("bench", {"error": f"not measured: cargo bench exit {p.returncode}: {p.stderr.strip()[-400:]}"})
        return
    lines["elapsed_s"] = time.perf_counter() - t0
    lines["docs"] = a.bench_docs
    res.put("bench", lines)


NEW_DOC = """---
title: "Perf probe {i}"
tags: [perf]
---

# Uusi muistio {i}

Tämä muistio kertoo sanasta {word}, jota ei ole missään muussa tiedostossa.
Nya anteckningar om {word}. A new note about {word}.
"""


def made_up_word(i: int, seed: int) -> str:
    import random

    rng = random.Random(seed * 1000 + i)
    cons, vows = "bdfgklmnprstv", "aeiouy"
    return "zq" + "".join(rng.choice(cons) + rng.choice(vows) for _ in range(4)) + "x"


def closed_loop_capacity(srv, queries, work: Path, seconds: float) -> dict:
    """wrk, 4 connections, closed loop over the same paths: the most the server answered per second."""
    if not shutil.which("wrk"):
        return {"error": "not measured: wrk not installed"}
    lua = work / "wrk-paths.lua"
    lua.write_text(
        "local q = {" + ",".join(json.dumps(search_path(q["q"])) for q in queries) + "}\n"
        "local i = 0\nrequest = function() i = i + 1; return wrk.format('GET', q[(i % #q) + 1]) end\n"
    )
    secs = max(5, int(seconds * 0.4))
    cpu0 = srv.cpu_s()
    p = subprocess.run(["wrk", "-t1", "-c4", f"-d{secs}s", "--latency", "-s", str(lua), f"http://127.0.0.1:{srv.port}"],
                       capture_output=True, text=True, timeout=secs + 60)
    cpu = srv.cpu_s() - cpu0
    m = re.search(r"Requests/sec:\s+([\d.]+)", p.stdout)
    if not m:
        return {"error": f"not measured: wrk: {p.stderr[-200:]}"}
    rps = float(m.group(1))
    return {"rps": rps, "connections": 4, "seconds": secs, "server_cores_busy": cpu / secs,
            "server_cpu_ms_per_request": cpu * 1000 / (rps * secs) if rps else None,
            "non2xx": bool(re.search(r"Non-2xx|Socket errors", p.stdout))}


def stage_serve(a, res: Results):
    work = Path(a.work)
    folder = Path(a.bank50)
    idx = work / "ours50-idx"
    out = {"docs": count_files(folder, ".md")}
    queries = json.loads(Path(a.queries).read_text(encoding="utf-8"))
    paths = work / "rate-paths.txt"
    paths.write_text("\n".join(search_path(q["q"]) for q in queries) + "\n")
    subdirs = sorted(p for p in folder.glob("fi/*") if p.is_dir())
    target_dir = subdirs[0] if subdirs else (folder / "fi" if (folder / "fi").is_dir() else folder)
    created = []
    srv = None
    try:
        srv = Server(a, folder, idx, work, "serve50")
        out["startup_s"] = srv.startup_s
        log(f"serving the big bank on port {srv.port} (startup {srv.startup_s:.1f} s)")
        # New file searchable.
        times, misses = [], 0
        for i in range(a.newfile_repeats):
            word = made_up_word(i, int(time.time()))
            path = target_dir / f"perf-probe-{word}.md"
            q = search_path(word)
            st, body = srv.get(q)
            assert st == 200 and not json.loads(body).get("hits"), f"{word} already found"
            t0 = time.perf_counter()
            path.write_text(NEW_DOC.format(i=i, word=word), encoding="utf-8")
            created.append(path)
            found = None
            while time.perf_counter() - t0 < a.newfile_timeout:
                st, body = srv.get(q)
                if st == 200 and any(path.name in h.get("path", "") for h in json.loads(body).get("hits", [])):
                    found = time.perf_counter() - t0
                    break
                time.sleep(0.02)
            if found is None:
                misses += 1
            times.append(found)
            log(f"  new file {i + 1}: {'not found in %d s' % a.newfile_timeout if found is None else '%.3f s' % found}")
            time.sleep(0.5)
        ok = [t for t in times if t is not None]
        out["newfile"] = {"times_s": times, "misses": misses, "median_s": median(ok), "max_s": max(ok) if ok else None, "timeout_s": a.newfile_timeout}
        # HTTP at a fixed rate.
        runs = []
        for r in range(a.runs50):
            cpu0 = srv.cpu_s()
            p = subprocess.run(
                [sys.executable, HERE / "rate-load.py", "--url", f"http://127.0.0.1:{srv.port}", "--rate", str(a.rate),
                 "--duration", str(a.http_seconds), "--paths", paths, "--connections", "32", "--json"],
                capture_output=True, text=True, timeout=a.http_seconds * 3 + 120,
            )
            cpu = srv.cpu_s() - cpu0
            try:
                runs.append(json.loads(p.stdout))
                done = runs[-1].get("completed") or 0
                runs[-1]["server_cpu_ms_per_request"] = cpu * 1000 / done if done else None
                runs[-1]["server_cores_busy"] = cpu / runs[-1]["wall_s"] if runs[-1].get("wall_s") else None
                runs[-1]["client_cores_busy"] = runs[-1]["client_cpu_s"] / runs[-1]["wall_s"] if runs[-1].get("wall_s") else None
                log(f"  http run {r + 1}: p50 {runs[-1]['p50_ms']:.2f} ms, p99 {runs[-1]['p99_ms']:.2f} ms, achieved {runs[-1]['achieved_rps']:.0f}/s, errors {runs[-1]['errors']}")
            except json.JSONDecodeError:
                runs.append({"error": p.stderr[-300:]})
        good = [r for r in runs if "error" not in r]
        out["http"] = {"runs": runs, "median": median_dicts(good) if good else {}, "rate": a.rate, "seconds": a.http_seconds}
        # Context: one run at a lower fixed rate, and the closed-loop capacity.
        low = a.rate * 0.4
        cpu0 = srv.cpu_s()
        p = subprocess.run(
            [sys.executable, HERE / "rate-load.py", "--url", f"http://127.0.0.1:{srv.port}", "--rate", str(low),
             "--duration", str(a.http_seconds), "--paths", paths, "--connections", "32", "--json"],
            capture_output=True, text=True, timeout=a.http_seconds * 3 + 120,
        )
        try:
            j = json.loads(p.stdout)
            j["server_cores_busy"] = (srv.cpu_s() - cpu0) / j["wall_s"]
            out["http_low"] = j
            log(f"  http at {low:.0f}/s: p50 {j['p50_ms']:.2f} ms, p99 {j['p99_ms']:.2f} ms, achieved {j['achieved_rps']:.0f}/s")
        except (json.JSONDecodeError, KeyError, ZeroDivisionError):
            out["http_low"] = {"error": p.stderr[-300:]}
        out["capacity"] = closed_loop_capacity(srv, queries, work, a.http_seconds)
        out["rss"] = srv.status()
    except Exception as e:  # noqa: BLE001
        out["error"] = f"not measured: {e}"
        log(out["error"])
    finally:
        if srv is not None:
            srv.stop()
        for p in created:
            p.unlink(missing_ok=True)
    res.put("serve", out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--stage", required=True)
    ap.add_argument("--results", default=str(ROOT / "target/perf/results.json"))
    ap.add_argument("--bin", default=str(ROOT / "target/perf/bin/tietopankki"))
    ap.add_argument("--shared", default=os.environ.get("SHARED", str(ROOT.parent / "shared")))
    ap.add_argument("--work", default=str(ROOT / "target/perf/work"))
    ap.add_argument("--bank20")
    ap.add_argument("--bank50")
    ap.add_argument("--pdfs")
    ap.add_argument("--queries")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--runs50", type=int, default=3)
    ap.add_argument("--query-rounds", type=int, default=5)
    ap.add_argument("--http-seconds", type=float, default=25)
    ap.add_argument("--rate", type=float, default=500)
    ap.add_argument("--newfile-repeats", type=int, default=10)
    ap.add_argument("--newfile-timeout", type=float, default=30)
    ap.add_argument("--bench-docs", type=int, default=20000)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--command", default="benches/perf/run")
    a = ap.parse_args()
    if a.stage == "_copyrows":
        copy_rows(Path(a.bank20))
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    res = Results(Path(a.results))
    stages = {"meta": stage_meta, "pdf": stage_pdf, "index": stage_index, "serve": stage_serve, "bench": stage_bench, "export": stage_export}
    if a.stage not in stages:
        ap.error(f"unknown stage {a.stage}")
    t0 = time.perf_counter()
    stages[a.stage](a, res)
    res.data.setdefault("elapsed", {})[a.stage] = time.perf_counter() - t0
    res.save()
    return 0


if __name__ == "__main__":
    sys.exit(main())
