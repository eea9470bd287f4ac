#!/usr/bin/env python3
"""gen-pdfs.py: a deterministic set of text PDFs for extraction benchmarks.

    benches/perf/gen-pdfs.py OUT_DIR [PAGES=2000] [SEED=42]

Writes OUT_DIR/{fi,sv,en}/doc-NNNN.pdf: multi-page documents (1-30 pages
each) until at least PAGES pages in all, built from the sentences in
$SHARED/lang/train-sentences-{fi,sv,en}.txt (SHARED defaults to ../shared
next to the repository). Also writes OUT_DIR/manifest.json with the file
list and page counts, and OUT_DIR/expected.jsonl with the text each file
holds (for checking extractors).

The PDF writer is pure Python (standard library only): the standard Type 1
font Helvetica with /WinAnsiEncoding, so ä ö å Ä Ö Å (and – ” … ’) are
written as their cp1252 bytes; strings escape ( ) and \\; content streams
are FlateDecode (zlib); page size A4; lines wrapped at about 90
characters, 45 lines a page; a classic xref table with exact offsets. The
same SEED and PAGES give byte-identical files.
"""

import json
import os
import random
import sys
import textwrap
import zlib
from pathlib import Path

LANGS = ("fi", "sv", "en")
A4 = (595, 842)
LINES_PER_PAGE = 45
WRAP = 90
FONT_SIZE = 10
LEADING = 16
LEFT = 56
TOP = 800


def shared_dir() -> Path:
    env = os.environ.get("SHARED")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared"


def load_sentences(shared: Path, lang: str) -> list[str]:
    """Sentences of at least four words that cp1252 can write as they are."""
    out = []
    path = shared / "lang" / f"train-sentences-{lang}.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if len(line.split()) < 4:
            continue
        if any(ord(c) < 0x20 or c == "\xad" for c in line):
            continue
        try:
            line.encode("cp1252")
        except UnicodeEncodeError:
            continue
        out.append(line)
    return out


def pdf_string(text: str) -> bytes:
    """A literal string in WinAnsiEncoding with ( ) \\ escaped."""
    raw = text.encode("cp1252")
    raw = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + raw + b")"


def utf16_hex(text: str) -> bytes:
    """A text string for the Info dictionary: UTF-16BE with a BOM, in hex."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


def page_content(lines: list[str], title: str | None) -> bytes:
    ops = [b"BT", f"{LEFT} {TOP} Td".encode(), f"{LEADING} TL".encode()]
    if title is not None:
        ops.append(b"/F1 14 Tf")
        ops.append(pdf_string(title) + b" Tj")
        ops.append(b"T* T*")
    ops.append(f"/F1 {FONT_SIZE} Tf".encode())
    for line in lines:
        if line:
            ops.append(pdf_string(line) + b" Tj")
        ops.append(b"T*")
    ops.append(b"ET")
    return b"\n".join(ops) + b"\n"


def write_pdf(path: Path, title: str, pages: list[list[str]]) -> None:
    """Writes a PDF whose pages hold the given lines (first page: title too)."""
    objects: list[bytes] = []  # object i+1

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below
    pages_id = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    info = add(b"<< /Title " + utf16_hex(title) + b" /Producer (tietopankki gen-pdfs.py) >>")
    kids = []
    for i, lines in enumerate(pages):
        data = zlib.compress(page_content(lines, title if i == 0 else None), 6)
        content = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
        page = add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (pages_id, A4[0], A4[1], font, content)
        )
        kids.append(page)
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objects[pages_id - 1] = (
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)
    )

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        info,
        xref,
    )
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(bytes(out))
    tmp.replace(path)


def make_document(rng: random.Random, pool: list[str], npages: int) -> tuple[str, list[list[str]]]:
    title = " ".join(pool[rng.randrange(len(pool))].split()[:6]).rstrip(".,!?:;")
    lines: list[str] = []
    budget = npages * LINES_PER_PAGE - 2  # the title takes two lines
    while len(lines) < budget:
        if rng.randrange(5) == 0:
            heading = " ".join(pool[rng.randrange(len(pool))].split()[:4]).rstrip(".,!?:;")
            lines.extend([heading, ""])
        para = " ".join(pool[rng.randrange(len(pool))] for _ in range(2 + rng.randrange(5)))
        lines.extend(textwrap.wrap(para, WRAP, break_long_words=True, break_on_hyphens=False))
        lines.append("")
    lines = lines[:budget]
    pages = [lines[: LINES_PER_PAGE - 2]]
    rest = lines[LINES_PER_PAGE - 2 :]
    for i in range(0, len(rest), LINES_PER_PAGE):
        pages.append(rest[i : i + LINES_PER_PAGE])
    return title, pages[:npages]


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out = Path(sys.argv[1])
    want = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 42
    shared = shared_dir()
    pools = {lang: load_sentences(shared, lang) for lang in LANGS}
    rng = random.Random(seed)
    total = 0
    files = []
    expected = []
    i = 0
    while total < want:
        lang = LANGS[i % 3]
        npages = min(1 + rng.randrange(30), max(1, want - total))
        title, pages = make_document(rng, pools[lang], npages)
        folder = out / lang
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"doc-{i:04d}.pdf"
        write_pdf(path, title, pages)
        files.append({"path": str(path.relative_to(out)), "lang": lang, "pages": len(pages), "title": title})
        total += len(pages)
        text = "\n".join([title] + [line for page in pages for line in page])
        expected.append(json.dumps({"path": str(path.relative_to(out)), "text": text}, ensure_ascii=False))
        i += 1
    manifest = {"seed": seed, "pages": total, "files": files}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "expected.jsonl").write_text("\n".join(expected) + "\n", encoding="utf-8")
    size = sum((out / f["path"]).stat().st_size for f in files)
    print(f"wrote {len(files)} PDFs, {total} pages, {size / 1e6:.1f} MB to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
