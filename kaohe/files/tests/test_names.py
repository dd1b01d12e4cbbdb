import pytest

from kaohe.files.names import clean_name, extension_of


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("目标责任书.pdf", "目标责任书.pdf"),
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\张三\\报告.docx", "报告.docx"),
        ("报告\x00\x1b[31m.pdf", "报告[31m.pdf"),
        ("报告\u202efdp.exe", "报告fdp.exe"),
        ('会议"纪要"?.docx', "会议_纪要__.docx"),
        ("setup.exe. . ", "setup.exe"),
        (".pdf", "未命名.pdf"),
        ("", "未命名"),
        (None, "未命名"),
    ],
)
def test_it_keeps_only_a_safe_last_path_part(raw, clean):
    assert clean_name(raw) == clean


def test_it_shortens_a_long_name_but_keeps_its_extension():
    name = clean_name("很长" * 300 + ".xlsx")
    assert len(name) == 200
    assert name.startswith("很长很长") and name.endswith(".xlsx")


@pytest.mark.parametrize(
    ("name", "ext"), [("a.PDF", ".pdf"), ("a.tar.gz", ".gz"), ("README", ""), ("未命名.pdf", ".pdf")]
)
def test_it_reads_the_last_extension_in_lower_case(name, ext):
    assert extension_of(name) == ext
