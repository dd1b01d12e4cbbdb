"""Times grouping similar consultation comments against a baseline measured in the same run.

    uv run python bench/similarity.py [--sizes 50 200 800] [--repeat 3]

Comments are made from the demo round's written comments and symposium remarks, each varied by a
few words (a real round has about 15 participants and 50 comments; a province-wide one may have
a few hundred). Times, medians of --repeat:

- group: `kaohe.consultation.similarity.group_similar` on n comments, everything the 意见梳理 page
  waits for: words, weights, the cosine matrix, average-link grouping;
- baseline: cutting the same comments into words with jieba, which any grouping must do first.

Prints one JSON line per size with the figures and the ratio to the baseline. Not a test.
"""

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kaohe.consultation import demo_text
from kaohe.consultation.similarity import group_similar, words

FILLERS = ["我们认为", "经研究", "建议", "同时", "另外", "具体来说", "从实际出发", "结合本单位情况"]


def seed_texts() -> list[str]:
    """Every comment and remark text in the demo round's script."""
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str) and len(value) > 15 and any("\u4e00" <= c <= "\u9fff" for c in value):
            found.append(value)
        elif isinstance(value, (list, tuple)):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    for name in dir(demo_text):
        if name.isupper():
            walk(getattr(demo_text, name))
    return sorted(set(found))


def comments(n: int, rng: random.Random) -> list[tuple[str, str]]:
    texts = seed_texts()
    return [
        (f"c{i:05d}", f"{rng.choice(FILLERS)}，{rng.choice(texts)}{rng.choice(FILLERS)}。") for i in range(n)
    ]


def median_s(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 800])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    words("预热分词词典")  # jieba loads its dictionary once per process: not part of either figure
    rng = random.Random(2026)
    for n in args.sizes:
        batch = comments(n, rng)
        baseline = median_s(lambda batch=batch: [words(text) for _, text in batch], args.repeat)
        grouped = median_s(lambda batch=batch: group_similar(batch), args.repeat)
        groups = group_similar(batch)
        print(
            json.dumps(
                {
                    "comments": n,
                    "groups": len(groups),
                    "grouped_comments": sum(len(g.ids) for g in groups),
                    "group_s": round(grouped, 4),
                    "baseline_words_s": round(baseline, 4),
                    "ratio": round(grouped / baseline, 2) if baseline else None,
                },
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
