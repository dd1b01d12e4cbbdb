from itertools import count, pairwise

import pytest

from kaohe.measures.clause_diff import Change, diff, inline_diff, match_keys
from kaohe.measures.outline import ARTICLE, CHAPTER, CLAUSE, Outline, OutlineNode

PURPOSE = "为深入贯彻新时代党的建设总要求，压实市属国有企业党建工作责任，结合实际，制定本办法。"
SCOPE = "本办法适用于市属国有企业及其所属各级党组织，由市直工委统一组织考核。"
CONTENT = "考核内容包括以下方面："
POLITICAL = "党的政治建设，重点考核学习贯彻习近平新时代中国特色社会主义思想和第一议题制度落实情况。"
GRASSROOTS = "基层组织建设，重点考核三会一课、主题党日、组织生活会和民主评议党员等制度落实情况。"
LESSONS = "党支部每年至少召开4次党课，由支部书记带头讲党课，党员领导干部到联系点讲党课。"
DUES = "党费按月收缴，党支部每半年向党员公布一次党费收缴、使用和管理情况。"
TIMING = (
    "考核每年进行一次，一般在次年第一季度完成，由市直工委考核办公室具体组织实施。"
    "考核采取自查自评、集中考核和日常监测相结合的方式，日常监测每半年开展一次并计入年度得分。"
)
GRADES = "考核结果分为好、较好、一般、差四个等次，好等次原则上不超过参评单位总数的百分之三十。"
INTERPRETATION = "本办法由市直工委负责解释，自印发之日起施行，原考核办法同时废止。"
UNRELATED = "各企业应当将考核结果运用于领导班子综合考核评价和薪酬分配，作为干部选拔任用的重要依据。"


def outline(*chapters) -> Outline:
    """Chapters as (heading, [article text or (article text, [clause texts])]); numbered as a
    reader of the Word file would number them (articles through the whole document)."""
    articles = count(1)
    nodes = []
    for chapter_number, (heading, articles_spec) in enumerate(chapters, start=1):
        chapter = OutlineNode(CHAPTER, chapter_number, heading=heading)
        for spec in articles_spec:
            text, clauses = (spec, []) if isinstance(spec, str) else spec
            article = OutlineNode(ARTICLE, next(articles), text=text)
            article.children = [OutlineNode(CLAUSE, i, text=t) for i, t in enumerate(clauses, start=1)]
            chapter.children.append(article)
        nodes.append(chapter)
    return Outline("国有企业党建工作目标责任制考核办法", nodes=nodes)


def keyed(document: Outline) -> Outline:
    """Keys named after the place in this version: old-第三章, old-第五条, old-第三条（一）."""
    for node in document.walk():
        if node.level != CLAUSE:
            node.key = f"old-{node.label}"
        for child in node.children:
            if child.level == CLAUSE:
                child.key = f"old-{node.label}{child.label}"
    return document


def draft() -> Outline:
    return keyed(
        outline(
            ("总则", [PURPOSE, SCOPE]),
            ("考核内容", [(CONTENT, [POLITICAL, GRASSROOTS]), LESSONS, DUES]),
            ("考核实施", [TIMING, GRADES]),
            ("附则", [INTERPRETATION]),
        )
    )


def fresh_keys():
    numbers = count(1)
    return lambda: f"new-{next(numbers)}"


def matched(new: Outline) -> Outline:
    match_keys(draft(), new, new_key=fresh_keys())
    return new


def keys_by_label(document: Outline) -> dict[str, str]:
    return {node.label: node.key for node in document.walk() if node.level != CLAUSE}


def rows(changes: list[Change]) -> list[tuple[str, str, str, str]]:
    return [(c.kind, c.key, c.old_label, c.new_label) for c in changes]


# --- match_keys ----------------------------------------------------------------------------


def test_it_keeps_every_key_when_an_unchanged_document_is_read_again():
    new = matched(
        outline(
            ("总则", [PURPOSE, SCOPE]),
            ("考核内容", [(CONTENT, [POLITICAL, GRASSROOTS]), LESSONS, DUES]),
            ("考核实施", [TIMING, GRADES]),
            ("附则", [INTERPRETATION]),
        )
    )
    assert [n.key for n in new.walk()] == [n.key for n in draft().walk()]
    assert diff(draft(), new) == []


def test_an_inserted_article_gets_a_fresh_key_and_the_shifted_ones_are_only_renumbered():
    new = matched(
        outline(
            ("总则", [PURPOSE, SCOPE]),
            ("考核内容", [(CONTENT, [POLITICAL, GRASSROOTS]), UNRELATED, LESSONS, DUES]),
            ("考核实施", [TIMING, GRADES]),
            ("附则", [INTERPRETATION]),
        )
    )
    assert keys_by_label(new)["第四条"] == "new-1"
    assert keys_by_label(new)["第五条"] == "old-第四条"
    assert rows(diff(draft(), new)) == [
        ("added", "new-1", "", "第四条"),
        ("renumbered", "old-第四条", "第四条", "第五条"),
        ("renumbered", "old-第五条", "第五条", "第六条"),
        ("renumbered", "old-第六条", "第六条", "第七条"),
        ("renumbered", "old-第七条", "第七条", "第八条"),
        ("renumbered", "old-第八条", "第八条", "第九条"),
    ]


def test_a_deleted_article_is_removed_and_listed_where_it_was():
    new = matched(
        outline(
            ("总则", [PURPOSE, SCOPE]),
            ("考核内容", [(CONTENT, [POLITICAL, GRASSROOTS]), LESSONS]),
            ("考核实施", [TIMING, GRADES]),
            ("附则", [INTERPRETATION]),
        )
    )
    changes = diff(draft(), new)
    assert rows(changes) == [
        ("removed", "old-第五条", "第五条", ""),
        ("renumbered", "old-第六条", "第六条", "第五条"),
        ("renumbered", "old-第七条", "第七条", "第六条"),
        ("renumbered", "old-第八条", "第八条", "第七条"),
    ]
    assert changes[0].old_text == DUES
    assert changes[0].old_parent == "old-第二章"


def test_a_reworded_article_keeps_its_key_and_shows_the_words_that_changed():
    reworded = LESSONS.replace("每年至少召开4次", "每季度至少召开1次")
    new = matched(
        outline(
            ("总则", [PURPOSE, SCOPE]),
            ("考核内容", [(CONTENT, [POLITICAL, GRASSROOTS]), reworded, DUES]),
            ("考核实施", [TIMING, GRADES]),
            ("附则", [INTERPRETATION]),
        )
    )
    [change] = diff(draft(), new)
    assert (change.kind, change.key, change.moved) == ("reworded", "old-第四条", False)
    assert (change.old_text, change.new_text) == (LESSONS, reworded)
    pieces = inline_diff(change.old_text, change.new_text)
    assert ("del", "每年") in pieces
    assert ("ins", "每季度") in pieces


def test_an_article_moved_to_another_chapter_keeps_its_key_and_is_moved():
    new = matched(
        outline(
            ("总则", [PURPOSE, SCOPE]),
            ("考核内容", [(CONTENT, [POLITICAL, GRASSROOTS]), LESSONS]),
            ("考核实施", [TIMING, DUES, GRADES]),
            ("附则", [INTERPRETATION]),
        )
    )
    changes = diff(draft(), new)
    assert rows(changes) == [
        ("renumbered", "old-第六条", "第六条", "第五条"),
        ("moved", "old-第五条", "第五条", "第六条"),
    ]
    moved = changes[1]
    assert (moved.old_parent, moved.new_parent, moved.moved) == ("old-第二章", "old-第三章", True)


def test_a_moved_and_reworded_article_is_one_reworded_row_flagged_moved():
    new = matched(
        outline(
            ("总则", [PURPOSE, SCOPE]),
            ("考核内容", [(CONTENT, [POLITICAL, GRASSROOTS]), LESSONS]),
            ("考核实施", [TIMING, GRADES, DUES.replace("每半年", "每季度")]),
            ("附则", [INTERPRETATION]),
        )
    )
    changes = [c for c in diff(draft(), new) if c.key == "old-第五条"]
    assert [(c.kind, c.moved, c.new_label) for c in changes] == [("reworded", True, "第七条")]


def test_a_split_article_keeps_its_key_on_the_larger_piece_and_the_other_names_it_as_origin():
    first, second = TIMING.split("。")[0] + "。", TIMING.split("。")[1] + "。"
    assert len(second) > len(first)
    new = matched(
        outline(
            ("总则", [PURPOSE, SCOPE]),
            ("考核内容", [(CONTENT, [POLITICAL, GRASSROOTS]), LESSONS, DUES]),
            ("考核实施", [first, second, GRADES]),
            ("附则", [INTERPRETATION]),
        )
    )
    by_label = {n.label: n for n in new.walk() if n.level == ARTICLE}
    assert (by_label["第六条"].key, by_label["第六条"].origins) == ("new-1", ("old-第六条",))
    assert (by_label["第七条"].key, by_label["第七条"].origins) == ("old-第六条", ())
    changes = diff(draft(), new)
    assert rows(changes)[:2] == [
        ("split", "new-1", "第六条", "第六条"),
        ("reworded", "old-第六条", "第六条", "第七条"),
    ]
    assert "removed" not in {c.kind for c in changes}


def test_an_article_cut_in_small_pieces_still_passes_its_key_to_the_best_piece():
    sentences = [
        "考核每年进行一次，一般在次年第一季度完成。",
        "考核由市直工委考核办公室具体组织实施。",
        "考核采取自查自评、集中考核和日常监测相结合的方式。",
        "日常监测每半年开展一次并计入年度得分。",
    ]
    new = matched(
        outline(
            ("总则", [PURPOSE, SCOPE]),
            ("考核内容", [(CONTENT, [POLITICAL, GRASSROOTS]), LESSONS, DUES]),
            ("考核实施", [*sentences, GRADES]),
            ("附则", [INTERPRETATION]),
        )
    )
    pieces = [n for n in new.walk() if n.text in sentences]
    assert sum(1 for n in pieces if n.key == "old-第六条") == 1
    assert all(n.origins == ("old-第六条",) for n in pieces if n.key != "old-第六条")
    assert "removed" not in {c.kind for c in diff(draft(), new)}


def test_two_merged_articles_keep_the_first_key_and_the_second_is_merged_not_removed():
    new = matched(
        outline(
            ("总则", [PURPOSE + SCOPE]),
            ("考核内容", [(CONTENT, [POLITICAL, GRASSROOTS]), LESSONS, DUES]),
            ("考核实施", [TIMING, GRADES]),
            ("附则", [INTERPRETATION]),
        )
    )
    first = new.nodes[0].children[0]
    assert (first.key, first.origins) == ("old-第一条", ("old-第二条",))
    changes = {c.key: c for c in diff(draft(), new)}
    assert changes["old-第一条"].kind == "reworded"
    assert changes["old-第一条"].origins == ("old-第二条",)
    assert (changes["old-第二条"].kind, changes["old-第二条"].new_label) == ("merged", "第一条")


def test_an_unrelated_new_article_replacing_an_old_one_does_not_take_its_key():
    new = matched(
        outline(
            ("总则", [PURPOSE, SCOPE]),
            ("考核内容", [(CONTENT, [POLITICAL, GRASSROOTS]), LESSONS, DUES]),
            ("考核实施", [TIMING, UNRELATED]),
            ("附则", [INTERPRETATION]),
        )
    )
    # What went is listed before what came in its place.
    assert rows(diff(draft(), new)) == [
        ("removed", "old-第七条", "第七条", ""),
        ("added", "new-1", "", "第七条"),
    ]


def test_equal_texts_keep_the_keys_of_the_ones_under_the_same_parent():
    old = keyed(
        outline(("考核内容", [("党支部应当做到：", ["按时完成。"]), ("党小组应当做到：", ["按时完成。"])]))
    )
    new = outline(("考核内容", [("党小组应当做到：", ["按时完成。"]), ("党支部应当做到：", ["按时完成。"])]))
    match_keys(old, new, new_key=fresh_keys())
    clauses = {node.key: child.key for node in new.walk() for child in node.children if child.level == CLAUSE}
    assert clauses == {"old-第一条": "old-第一条（一）", "old-第二条": "old-第二条（一）"}


def test_it_refuses_a_fresh_key_that_is_already_in_use():
    new = outline(("总则", [UNRELATED]))
    with pytest.raises(ValueError, match="already used"):
        match_keys(draft(), new, new_key=lambda: "old-第一条")


def test_it_refuses_an_old_version_without_keys():
    with pytest.raises(ValueError, match="without a key"):
        match_keys(outline(("总则", [PURPOSE])), outline(("总则", [PURPOSE])), new_key=fresh_keys())


# --- diff with keys set by hand ------------------------------------------------------------


def test_renumbering_alone_is_renumbered_and_never_reworded():
    old = keyed(outline(("总则", [PURPOSE]), ("附则", [INTERPRETATION])))
    new = keyed(outline(("总则", [PURPOSE]), ("附则", [INTERPRETATION])))
    new.nodes[1].number = 3
    new.nodes[1].children[0].number = 5
    assert rows(diff(old, new)) == [
        ("renumbered", "old-第二章", "第二章", "第三章"),
        ("renumbered", "old-第二条", "第二条", "第五条"),
    ]


def test_swapping_two_siblings_moves_only_one_of_them():
    old = keyed(outline(("总则", [PURPOSE, SCOPE, LESSONS])))
    new = outline(("总则", [LESSONS, PURPOSE, SCOPE]))
    for node, key in zip(new.walk(), ["old-第一章", "old-第三条", "old-第一条", "old-第二条"], strict=True):
        node.key = key
    changes = diff(old, new)
    assert [(c.kind, c.key) for c in changes if c.kind == "moved"] == [("moved", "old-第三条")]
    assert {(c.kind, c.key) for c in changes if c.kind != "moved"} == {
        ("renumbered", "old-第一条"),
        ("renumbered", "old-第二条"),
    }


def test_a_moved_chapter_moves_but_its_articles_are_only_renumbered():
    chapters = [("总则", [PURPOSE]), ("考核内容", [LESSONS]), ("考核实施", [GRADES]), ("附则", [SCOPE])]
    old = keyed(outline(*chapters))
    new = outline(chapters[0], chapters[2], chapters[3], chapters[1])
    for chapter, number in zip(new.nodes, ["一", "三", "四", "二"], strict=True):
        chapter.key = f"old-第{number}章"
        chapter.children[0].key = f"old-第{number}条"
    kinds = {c.key: c.kind for c in diff(old, new)}
    assert kinds == {
        "old-第三章": "renumbered",
        "old-第三条": "renumbered",
        "old-第四章": "renumbered",
        "old-第四条": "renumbered",
        "old-第二章": "moved",
        "old-第二条": "renumbered",
    }


def test_a_new_key_naming_a_remaining_old_key_is_a_split():
    old = keyed(outline(("总则", [PURPOSE + SCOPE])))
    new = keyed(outline(("总则", [PURPOSE, SCOPE])))
    new.nodes[0].children[1].key = "hand-1"
    new.nodes[0].children[1].origins = ("old-第一条",)
    changes = {c.key: c for c in diff(old, new)}
    split = changes["hand-1"]
    assert (split.kind, split.old_label, split.old_text, split.origins) == (
        "split",
        "第一条",
        PURPOSE + SCOPE,
        ("old-第一条",),
    )
    assert changes["old-第一条"].kind == "reworded"


def test_old_keys_named_by_a_new_node_are_merged_even_when_that_node_is_new():
    old = keyed(outline(("总则", [PURPOSE, SCOPE])))
    new = outline(("总则", [PURPOSE + SCOPE]))
    new.nodes[0].key = "old-第一章"
    new.nodes[0].children[0].key = "hand-1"
    new.nodes[0].children[0].origins = ("old-第一条", "old-第二条")
    assert rows(diff(old, new)) == [
        ("merged", "old-第一条", "第一条", "第一条"),
        ("merged", "old-第二条", "第二条", "第一条"),
        ("added", "hand-1", "", "第一条"),
    ]


def test_it_refuses_a_version_using_a_key_twice():
    new = keyed(outline(("总则", [PURPOSE, SCOPE])))
    new.nodes[0].children[1].key = "old-第一条"
    with pytest.raises(ValueError, match="twice"):
        diff(draft(), new)


# --- inline_diff ---------------------------------------------------------------------------


def test_inline_diff_pieces_rebuild_both_texts():
    old = LESSONS
    new = LESSONS.replace("每年至少召开4次党课", "每季度至少讲1次党课").replace("，党员", "。党员")
    pieces = inline_diff(old, new)
    assert "".join(text for op, text in pieces if op != "ins") == old
    assert "".join(text for op, text in pieces if op != "del") == new
    assert all(a[0] != b[0] for a, b in pairwise(pieces))  # adjacent merged


def test_inline_diff_of_equal_texts_is_one_same_piece():
    assert inline_diff(DUES, DUES) == [("same", DUES)]
