"""Render the PDF sample documents of tietopankki from their Markdown sources.

Sources live in documents-src/{fi,sv,en}/NAME.md and the PDFs are written to
documents/{fi,sv,en}/NAME.pdf (same base name).

How to run (from the repository root):

    pip install reportlab
    python3 documents-src/make_pdfs.py

Optional arguments: a source directory and an output directory, e.g.
    python3 documents-src/make_pdfs.py documents-src documents

The sources are plain Markdown with a small YAML-style front matter block
(only "title", "author", "subject" and "tags" are read).  Supported markup:
"#", "##" and "###" headings, paragraphs, "- " bullet lists, "1. " numbered
lists and **bold**.  DejaVu Sans is used when installed; otherwise the
standard Helvetica fonts (WinAnsi encoding keeps ä, ö and å) are used.
"""

import html
import os
import re
import sys

from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import ListFlowable, ListItem, Paragraph, SimpleDocTemplate, Spacer

DEFAULT_AUTHOR = "Helsingin järjestöneuvottelukunta (esimerkki)"
DEJAVU_DIR = "/usr/share/fonts/truetype/dejavu"


def pick_fonts():
    regular = os.path.join(DEJAVU_DIR, "DejaVuSans.ttf")
    bold = os.path.join(DEJAVU_DIR, "DejaVuSans-Bold.ttf")
    if os.path.exists(regular) and os.path.exists(bold):
        pdfmetrics.registerFont(TTFont("DejaVuSans", regular))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", bold))
        pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold",
                                      italic="DejaVuSans", boldItalic="DejaVuSans-Bold")
        return "DejaVuSans", "DejaVuSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def split_front_matter(text):
    meta = {}
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            for line in text[4:end].splitlines():
                if ":" in line:
                    key, value = line.split(":", 1)
                    meta[key.strip()] = value.strip().strip('"')
            text = text[end + 5:]
    return meta, text


def inline(s):
    s = html.escape(s, quote=False)
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", s)


def build_story(body, styles):
    story, para, items, kind = [], [], [], None

    def flush_para():
        if para:
            story.append(Paragraph(inline(" ".join(para)), styles["body"]))
            para.clear()

    def flush_list():
        nonlocal kind
        if items:
            flow = [ListItem(Paragraph(inline(t), styles["body"]), leftIndent=14) for t in items]
            if kind == "ol":
                story.append(ListFlowable(flow, bulletType="1", bulletFormat="%s.", leftIndent=16,
                                          bulletFontName=styles["body"].fontName))
            else:
                story.append(ListFlowable(flow, bulletType="bullet", start="•", leftIndent=16,
                                          bulletFontName=styles["body"].fontName))
            story.append(Spacer(1, 4))
            items.clear()
        kind = None

    for raw in body.splitlines():
        line = raw.rstrip()
        m_h = re.match(r"^(#{1,3})\s+(.*)$", line)
        m_ul = re.match(r"^[-*]\s+(.*)$", line)
        m_ol = re.match(r"^\d+\.\s+(.*)$", line)
        if not line.strip():
            flush_para()
            flush_list()
        elif m_h:
            flush_para()
            flush_list()
            level = len(m_h.group(1))
            story.append(Paragraph(inline(m_h.group(2)), styles["h%d" % level]))
        elif m_ul or m_ol:
            flush_para()
            new_kind = "ul" if m_ul else "ol"
            if kind and kind != new_kind:
                flush_list()
            kind = new_kind
            items.append((m_ul or m_ol).group(1))
        elif (line.startswith("  ") or line.startswith("\t")) and items:
            items[-1] += " " + line.strip()
        else:
            flush_list()
            para.append(line.strip())
    flush_para()
    flush_list()
    return story


def render(src, dst, fonts):
    regular, bold = fonts
    with open(src, encoding="utf-8") as f:
        meta, body = split_front_matter(f.read())
    title = meta.get("title")
    if not title:
        m = re.search(r"^#\s+(.*)$", body, re.M)
        title = m.group(1).strip() if m else os.path.splitext(os.path.basename(src))[0]
    author = meta.get("author", DEFAULT_AUTHOR)

    styles = {
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=19, leading=24, spaceAfter=12),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=14, leading=18, spaceBefore=12, spaceAfter=6),
        "h3": ParagraphStyle("h3", fontName=bold, fontSize=12, leading=15, spaceBefore=8, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=regular, fontSize=11, leading=16, spaceAfter=6,
                               alignment=TA_LEFT),
    }

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(regular, 8.5)
        canvas.drawString(25 * mm, 12 * mm, author)
        canvas.drawRightString(A4[0] - 25 * mm, 12 * mm, str(doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(dst, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm,
                            topMargin=22 * mm, bottomMargin=22 * mm,
                            title=title, author=author, subject=meta.get("subject", ""),
                            keywords=meta.get("tags", "").strip("[]"), creator="tietopankki make_pdfs.py")
    doc.build(build_story(body, styles), onFirstPage=footer, onLaterPages=footer)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    src_root = sys.argv[1] if len(sys.argv) > 1 else here
    out_root = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(here), "documents")
    fonts = pick_fonts()
    for lang in sorted(os.listdir(src_root)):
        lang_dir = os.path.join(src_root, lang)
        if not os.path.isdir(lang_dir):
            continue
        for name in sorted(os.listdir(lang_dir)):
            if not name.endswith(".md"):
                continue
            os.makedirs(os.path.join(out_root, lang), exist_ok=True)
            dst = os.path.join(out_root, lang, name[:-3] + ".pdf")
            render(os.path.join(lang_dir, name), dst, fonts)
            print(dst)


if __name__ == "__main__":
    main()
