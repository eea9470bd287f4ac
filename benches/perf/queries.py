#!/usr/bin/env python3
"""queries.py: the fixed query list that every engine is timed on.

    benches/perf/queries.py OUT.json [PER_LANG=20] [SEED=7]

Realistic Finnish, Swedish and English queries of 1-3 words, made
deterministically from the words that actually occur in
$SHARED/lang/train-sentences-{fi,sv,en}.txt (the sentences the generated
banks and PDFs are made of). A query is 1, 2 or 3 content words taken, in
order, from one sentence, so that an engine that ANDs the words still finds
documents. Content words: letters only, at least 5 of them, seen at least 3
times in that language's sentences, and not among its 40 most frequent words
(which are mostly function words).
"""

import collections
import json
import os
import random
import re
import sys
from pathlib import Path

LANGS = ("fi", "sv", "en")
WORD = re.compile(r"[^\W\d_]+")


def shared_dir() -> Path:
    env = os.environ.get("SHARED")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared"


def make(per_lang: int = 20, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for lang in LANGS:
        lines = (shared_dir() / "lang" / f"train-sentences-{lang}.txt").read_text(encoding="utf-8").splitlines()
        sentences = [[w.lower() for w in WORD.findall(line)] for line in lines]
        counts = collections.Counter(w for s in sentences for w in s)
        common = {w for w, _ in counts.most_common(40)}
        content = {w for w, n in counts.items() if n >= 3 and len(w) >= 5 and w not in common}
        candidates = [[w for w in dict.fromkeys(s) if w in content] for s in sentences]
        candidates = [c for c in candidates if len(c) >= 3]
        seen = set()
        made = 0
        while made < per_lang:
            words = candidates[rng.randrange(len(candidates))]
            k = 1 + made % 3
            start = rng.randrange(len(words) - k + 1)
            query = " ".join(words[start : start + k])
            if query in seen:
                continue
            seen.add(query)
            out.append({"lang": lang, "q": query, "words": words[start : start + k]})
            made += 1
    return out


def main() -> int:
    if len(sys.argv) < 2:
        print("usage: queries.py OUT.json [PER_LANG] [SEED]", file=sys.stderr)
        return 2
    per_lang = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    queries = make(per_lang, seed)
    Path(sys.argv[1]).write_text(json.dumps(queries, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {len(queries)} queries to {sys.argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
