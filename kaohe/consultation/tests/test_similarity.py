import pytest

from kaohe.consultation.similarity import THRESHOLD, Group, group_similar, keywords, suggest_topic, words

COMMENTS = [
    ("c01", "建议将党课次数由每年4次调整为每季度1次"),
    ("c02", "党课每季度一次更合适，建议修改考核要求"),
    ("c03", "产业建设要突出主业，推动国有企业高质量发展"),
    ("c04", "建议在考核办法中增加产业链党建的内容，支持企业做强主业"),
    ("c05", "轻微违纪处理办法应明确适用情形和处理程序"),
    ("c06", "对轻微违纪行为的处理情形、程序要进一步明确"),
    ("c07", "主题党日每月开展一次，台账记录要规范"),
    ("c08", "建议将党课次数由每年4次调整为每季度1次。"),
    ("c09", "考核指标要量化，减少主观评分，避免软指标"),
    ("c10", "考核指标应当尽量量化，主观打分比例过高"),
    ("c11", "产业建设方面，建议加大对新兴产业的扶持力度"),
]

TOPICS = {
    "产业建设": ["产业", "主业", "高质量发展", "产业链"],
    "基层党建": ["党课", "三会一课", "主题党日", "党支部", "组织生活会"],
    "考核指标": ["指标", "评分", "量化", "分值"],
    "轻微违纪处理办法": ["违纪", "处分", "容错纠错"],
}


def test_comments_making_the_same_point_in_other_words_are_grouped():
    groups = {group.ids for group in group_similar(COMMENTS)}
    assert ("c01", "c02", "c08") in groups
    assert ("c05", "c06") in groups
    assert ("c09", "c10") in groups


def test_comments_on_other_points_are_left_out_even_on_the_same_topic():
    grouped = {comment_id for group in group_similar(COMMENTS) for comment_id in group.ids}
    assert grouped.isdisjoint({"c03", "c04", "c07", "c11"})


def test_a_group_names_the_words_its_comments_share():
    [lessons] = [group for group in group_similar(COMMENTS) if "c01" in group.ids]
    assert {"党课", "每季度"} <= set(lessons.terms)
    assert "建议" not in lessons.terms  # a stop word


def test_near_duplicates_score_100():
    groups = group_similar(
        [("a", "党课每季度一次。"), ("b", "党课，每季度一次！"), ("c", "产业建设要突出主业")]
    )
    assert groups == [Group(ids=("a", "b"), score=100, terms=("每季度", "党课", "一次"))]


def test_the_score_is_the_average_similarity_in_whole_percent():
    [group] = [group for group in group_similar(COMMENTS) if group.ids == ("c05", "c06")]
    assert isinstance(group.score, int)
    assert 50 <= group.score < 100


def test_the_result_does_not_depend_on_the_order_of_the_comments():
    assert group_similar(COMMENTS) == group_similar(list(reversed(COMMENTS)))


def test_groups_come_strongest_first():
    scores = [group.score for group in group_similar(COMMENTS)]
    assert scores == sorted(scores, reverse=True)


def test_a_higher_threshold_keeps_only_the_closest_comments():
    loose = {group.ids for group in group_similar(COMMENTS, threshold=THRESHOLD)}
    strict = {group.ids for group in group_similar(COMMENTS, threshold=0.5)}
    assert ("c09", "c10") in loose
    assert ("c09", "c10") not in strict
    assert ("c05", "c06") in strict


def test_comments_without_words_and_lonely_comments_give_no_group():
    assert group_similar([("a", "同意。"), ("b", "无")]) == []
    assert group_similar([("a", "党课每季度一次")]) == []


def test_it_refuses_duplicate_comment_ids():
    with pytest.raises(ValueError, match="unique"):
        group_similar([("a", "党课"), ("a", "主业")])


def test_words_drop_punctuation_numbers_single_characters_and_stop_words():
    assert words("建议将党课次数由每年4次调整为每季度1次！") == ["党课", "次数", "每年", "调整", "每季度"]


def test_words_keep_terms_of_the_trade_whole():
    assert "三会一课" in words("严格落实三会一课制度")


def test_keywords_prefer_rare_words_over_common_ones():
    assert keywords("党课要求每季度开展一次，党课工作要求要落实", 2) == ["党课", "每季度"]


def test_suggest_topic_picks_the_topic_with_most_seed_words():
    assert suggest_topic("建议将党课次数调整为每季度1次，主题党日每月开展", TOPICS) == "基层党建"
    assert suggest_topic("考核指标要量化，减少主观评分", TOPICS) == "考核指标"


def test_suggest_topic_gives_none_when_nothing_or_two_topics_equally_match():
    assert suggest_topic("会议组织得很好", TOPICS) is None
    assert suggest_topic("党课", {"甲": ["党课"], "乙": ["党课"]}) is None
