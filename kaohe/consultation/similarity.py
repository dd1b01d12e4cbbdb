"""Near-duplicate and similar comments of a consultation round, grouped so that one answer can serve
them all; keywords and a topic hint for one comment. Pure Python (jieba and NumPy, no Django).

A comment becomes a bag of jieba words (stop words, punctuation, numbers and single characters
dropped). Each word is weighted by TF-IDF where the IDF has two factors: the word's rarity in
jieba's own dictionary, because a round brings tens of comments, too few for the corpus alone to
tell 党课 from 要求; and its rarity among the round's comments, so that a word every comment uses
(考核, 党建) stops linking them. Comments are then clustered average-link on cosine similarity.
"""

import functools
import math
import re
import warnings
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

# Average similarity at which two groups join. Chosen from the tests: comments making the same
# point in other words score 0.35 to 0.65, comments on other points of the same document stay
# under 0.15 (two on 产业建设 making different points: 0.12).
THRESHOLD = 0.3

# Function words and the boilerplate of comments; jieba's single characters are dropped anyway.
STOP_WORDS = frozenset(
    """
    建议 意见 认为 希望 觉得 感觉 可以 应该 应当 需要 能够 是否 进一步 有关 相关 目前 现在 一些
    这个 那个 这些 那些 这样 那样 我们 你们 他们 以及 或者 并且 而且 因为 所以 如果 但是 不过 虽然
    对于 关于 进行 其中 以上 以下 一个 没有 不是 就是 还是 比较 更加 非常 已经 同时 之间 方面 通过
    其他 其它 什么 怎么 如何 为了 由于 按照 根据 作为 还有 然后 另外 此外 一定 特别 尤其 主要
    """.split()  # noqa: SIM905 - a block of words reads and grows better than 74 quoted strings
)

# Terms of the trade that jieba would cut in two (三会/一课).
DOMAIN_WORDS = (
    "三会一课",
    "主题党日",
    "基层党建",
    "组织生活会",
    "民主评议",
    "三重一大",
    "前置研究",
    "第一议题",
    "巡察整改",
    "正向激励",
    "轻微违纪",
    "佐证材料",
    "台账",
)

_NOT_A_WORD = re.compile(r"[\W\d_]+")  # punctuation, spaces, digits (ASCII and full-width)


@dataclass(frozen=True)
class Group:
    ids: tuple[str, ...]  # sorted
    score: int  # the average similarity of the group's pairs, whole percent rounded half up
    terms: tuple[str, ...]  # the words most of them share, strongest first


@functools.cache
def _tokenizer() -> Any:
    """jieba, initialised once: loading its dictionary takes a moment, and it logs to stderr."""
    with warnings.catch_warnings():
        # jieba 0.42 has regexes with invalid escapes that Python 3.12 warns about on import.
        warnings.simplefilter("ignore", SyntaxWarning)
        import jieba
    jieba.setLogLevel(60)
    jieba.initialize()
    for word in DOMAIN_WORDS:
        jieba.add_word(word)
    return jieba


def words(text: str) -> list[str]:
    """The meaningful words of a text in order, repeats kept."""
    jieba = _tokenizer()
    out = []
    for token in jieba.cut(text):
        word = token.strip()
        if len(word) < 2 or word in STOP_WORDS or _NOT_A_WORD.fullmatch(word):
            continue
        out.append(word)
    return out


def _rarity(word: str) -> float:
    """log(1 / the word's share of jieba's dictionary); words it does not know count as rare."""
    jieba = _tokenizer()
    frequency = jieba.dt.FREQ.get(word) or 1
    return math.log(jieba.dt.total / frequency)


def _tf(count: int) -> float:
    # Sublinear: a word said three times is not three times the point.
    return 1.0 + math.log(count)


def _round_percent(value: float) -> int:
    return min(100, math.floor(value * 100 + 0.5))


def group_similar(
    comments: list[tuple[str, str]], *, threshold: float = THRESHOLD, n_terms: int = 5
) -> list[Group]:
    """Groups of two or more comments (id, text) that say much the same; the rest are left out.

    Groups come strongest first (then by ids); the same input in any order gives the same output.
    """
    ids = [comment_id for comment_id, _ in comments]
    if len(set(ids)) != len(ids):
        raise ValueError("comment ids must be unique")
    ordered = sorted(comments)
    bags = [Counter(words(text)) for _, text in ordered]
    n = len(bags)
    if n < 2:
        return []
    document_frequency = Counter(word for bag in bags for word in bag)
    weights = [
        {
            word: _tf(count) * _rarity(word) * (math.log((1 + n) / (1 + document_frequency[word])) + 1)
            for word, count in bag.items()
        }
        for bag in bags
    ]
    similarity = _cosine_matrix(weights, document_frequency)
    clusters = _average_link(similarity, threshold)
    groups = []
    for members in clusters:
        pairs = [similarity[i, j] for k, i in enumerate(members) for j in members[k + 1 :]]
        groups.append(
            Group(
                ids=tuple(ordered[i][0] for i in members),
                score=_round_percent(sum(pairs) / len(pairs)),
                terms=_shared_terms([weights[i] for i in members], n_terms),
            )
        )
    return sorted(groups, key=lambda group: (-group.score, group.ids))


def _cosine_matrix(weights: list[dict[str, float]], document_frequency: Counter[str]) -> np.ndarray:
    # Only words two comments share can add to a dot product; the rest count in the norms alone,
    # which keeps the matrix narrow.
    shared = sorted(word for word, df in document_frequency.items() if df >= 2)
    column = {word: j for j, word in enumerate(shared)}
    matrix = np.zeros((len(weights), len(shared)))
    norms = np.zeros(len(weights))
    for i, vector in enumerate(weights):
        norms[i] = math.sqrt(sum(w * w for w in vector.values()))
        for word, w in vector.items():
            if word in column:
                matrix[i, column[word]] = w
    norms[norms == 0] = 1.0  # a comment with no words is similar to nothing
    matrix /= norms[:, None]
    return matrix @ matrix.T


def _average_link(similarity: np.ndarray, threshold: float) -> list[list[int]]:
    """Clusters (sorted index lists, two members or more) by average-link agglomeration."""
    n = similarity.shape[0]
    linkage = similarity.astype(float)
    np.fill_diagonal(linkage, -np.inf)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    while members:
        best = int(np.argmax(linkage))  # ties: the lowest indexes, so the input order decides
        i, j = divmod(best, n)
        if linkage[i, j] < threshold:
            break
        size_i, size_j = len(members[i]), len(members[j])
        merged = (size_i * linkage[i] + size_j * linkage[j]) / (size_i + size_j)
        linkage[i, :] = merged
        linkage[:, i] = merged
        linkage[i, i] = -np.inf
        linkage[j, :] = -np.inf
        linkage[:, j] = -np.inf
        members[i] = sorted(members[i] + members.pop(j))
    return sorted(group for group in members.values() if len(group) > 1)


def _shared_terms(vectors: list[dict[str, float]], n: int) -> tuple[str, ...]:
    """Words in at least two of the vectors: the most widely shared first, then the heaviest."""
    spread = Counter(word for vector in vectors for word in vector)
    mass = Counter[str]()
    for vector in vectors:
        mass.update(vector)
    shared = [word for word, count in spread.items() if count >= 2]
    shared.sort(key=lambda word: (-spread[word], -mass[word], word))
    return tuple(shared[:n])


def keywords(text: str, n: int = 5) -> list[str]:
    """The n words that best say what a text is about (frequent in it, rare in general)."""
    found = words(text)
    bag = Counter(found)
    first_seen = {word: i for i, word in reversed(list(enumerate(found)))}
    ranked = sorted(bag, key=lambda word: (-_tf(bag[word]) * _rarity(word), first_seen[word]))
    return ranked[:n]


def suggest_topic(text: str, topics: dict[str, list[str]]) -> str | None:
    """The topic whose seed words the text mentions most (distinct seeds, then their total length);
    None when it mentions none or two topics tie."""
    scored = []
    for name, seeds in topics.items():
        found = {seed for seed in seeds if seed and seed in text}
        scored.append(((len(found), sum(len(seed) for seed in found)), name))
    scored.sort(key=lambda item: item[0], reverse=True)
    if not scored or scored[0][0][0] == 0:
        return None
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None
    return scored[0][1]
