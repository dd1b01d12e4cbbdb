import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from kaohe.audit.models import AuditEntry
from kaohe.files import storage
from kaohe.files.actions import store_upload
from kaohe.files.models import FileKind, StoredFile
from kaohe.files.tests import samples
from kaohe.files.tests.samples import upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def actor(city):
    return city.staff_a


def refusal(actor, name: str, data: bytes, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        store_upload(actor, upload(name, data), **kwargs)
    [message] = caught.value.message_dict["file"]
    return message


def blobs(data_dir) -> list:
    return [p for p in (data_dir / "files").rglob("*") if p.is_file() and p.parent.name != "tmp"]


@pytest.mark.parametrize(
    ("name", "make", "kind", "content_type"),
    [
        ("目标责任书.pdf", samples.pdf, FileKind.PDF, "application/pdf"),
        ("现场照片.png", samples.png, FileKind.IMAGE, "image/png"),
        ("现场照片.jpg", lambda: samples.image("JPEG"), FileKind.IMAGE, "image/jpeg"),
        ("现场照片.gif", lambda: samples.image("GIF"), FileKind.IMAGE, "image/gif"),
        ("现场照片.webp", lambda: samples.image("WEBP"), FileKind.IMAGE, "image/webp"),
        (
            "会议记录.docx",
            samples.docx_file,
            FileKind.WORD,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "党费台账.xlsx",
            samples.xlsx_file,
            FileKind.EXCEL,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "党课课件.pptx",
            samples.pptx_file,
            FileKind.POWERPOINT,
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("会议记录.doc", lambda: samples.legacy_office("WordDocument"), FileKind.WORD, "application/msword"),
        (
            "党费台账.xls",
            lambda: samples.legacy_office("Workbook"),
            FileKind.EXCEL,
            "application/vnd.ms-excel",
        ),
        (
            "党费台账.et",
            lambda: samples.legacy_office("Workbook"),
            FileKind.EXCEL,
            "application/vnd.ms-excel",
        ),
        ("电子公文.ofd", samples.ofd_file, FileKind.OFD, "application/ofd"),
        ("名单.csv", lambda: "姓名,得分\n张三,95\n".encode(), FileKind.TEXT, "text/csv; charset=utf-8"),
        (
            "说明.txt",
            lambda: "党支部工作说明\r\n".encode("gb18030"),
            FileKind.TEXT,
            "text/plain; charset=gb18030",
        ),
    ],
)
def test_it_stores_each_accepted_format_as_sniffed(actor, data_dir, name, make, kind, content_type):
    data = make()
    stored = store_upload(actor, upload(name, data))

    stored.refresh_from_db()
    assert (stored.kind, stored.content_type) == (kind, content_type)
    assert stored.original_name == name
    assert stored.size == len(data)
    assert stored.uploaded_by == actor
    assert storage.blob_path(stored.sha256).read_bytes() == data


def test_it_accepts_an_encrypted_pdf(actor):
    assert store_upload(actor, upload("加密文件.pdf", samples.pdf(encrypted=True))).kind == FileKind.PDF


def test_it_keeps_the_bytes_once_read_only_under_the_data_dir(actor, data_dir, settings):
    stored = store_upload(actor, upload("目标责任书.pdf", samples.pdf()))

    path = storage.blob_path(stored.sha256)
    assert path == data_dir / "files" / stored.sha256[:2] / stored.sha256
    assert path.stat().st_mode & 0o777 == 0o440
    assert not path.is_relative_to(settings.STATIC_ROOT)
    assert list((data_dir / "files" / "tmp").iterdir()) == []


def test_it_stores_the_same_content_once_with_a_row_per_upload(city, data_dir):
    data = samples.docx_file()
    first = store_upload(city.staff_a, upload("会议记录.docx", data))
    second = store_upload(city.staff_b, upload("另一个名字.docx", data))

    assert first.sha256 == second.sha256
    assert first.public_id != second.public_id
    assert [(s.original_name, s.uploaded_by) for s in StoredFile.objects.order_by("pk")] == [
        ("会议记录.docx", city.staff_a),
        ("另一个名字.docx", city.staff_b),
    ]
    assert blobs(data_dir) == [storage.blob_path(first.sha256)]


def test_it_records_the_upload_in_the_audit_log(actor):
    data = samples.pdf()
    stored = store_upload(actor, upload("目标责任书.pdf", data))

    entry = AuditEntry.objects.get(action="file.store")
    assert entry.actor == actor
    assert entry.target_id == str(stored.public_id)
    assert entry.new == {"sha256": stored.sha256, "size": len(data), "kind": "pdf", "name": "目标责任书.pdf"}


def test_it_cleans_the_name_it_was_given(actor):
    stored = store_upload(actor, upload("C:\\Users\\张三\\桌面\\..\\报告\x07.pdf", samples.pdf()))
    assert stored.original_name == "报告.pdf"


def test_it_refuses_a_word_file_named_pdf(actor, data_dir):
    message = refusal(actor, "报告.pdf", samples.docx_file())

    assert message == "文件“报告.pdf”的扩展名是 PDF，内容却是 Word 文档"
    assert not StoredFile.objects.exists()
    assert blobs(data_dir) == []
    assert list((data_dir / "files" / "tmp").iterdir()) == []


def test_it_refuses_an_executable_renamed_pdf(actor):
    message = refusal(actor, "通知.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 120)
    assert "Windows 可执行程序" in message and "不能上传" in message


def test_it_refuses_an_elf_binary(actor):
    assert "Linux 可执行程序" in refusal(actor, "数据.txt", b"\x7fELF\x02\x01\x01" + b"\0" * 60)


def test_it_refuses_a_script_whatever_its_name(actor):
    assert "脚本" in refusal(actor, "说明.txt", b"#!/bin/sh\nrm -rf /\n")


@pytest.mark.parametrize(
    "name", ["setup.exe", "run.bat", "a.js", "x.vbs", "p.ps1", "i.sh", "app.jar", "报告.pdf.exe"]
)
def test_it_refuses_executable_extensions_whatever_the_bytes(actor, name):
    assert "可执行程序或脚本" in refusal(actor, name, samples.pdf())


def test_it_refuses_a_name_hiding_its_extension_behind_a_direction_override(actor):
    # Shown as "报告exe.pdf" by a naive renderer; really "报告fdp.exe".
    assert "可执行程序或脚本" in refusal(actor, "报告\u202efdp.exe", samples.pdf())


def test_it_refuses_a_macro_enabled_extension(actor):
    assert "含宏" in refusal(actor, "会议记录.docm", samples.docx_file())


def test_it_refuses_a_docx_carrying_a_macro_project(actor):
    assert "含宏" in refusal(actor, "会议记录.docx", samples.docm_file())


def test_it_refuses_a_docx_declaring_macro_enabled_content(actor):
    content_types = samples.CONTENT_TYPES.replace(
        b"/>", b'><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
    )
    data = samples.zip_of({"[Content_Types].xml": content_types, "word/document.xml": b"<w:document/>"})
    assert "含宏" in refusal(actor, "会议记录.docx", data)


def test_it_refuses_a_legacy_office_file_with_macros(actor):
    assert "含宏" in refusal(
        actor, "台账.xls", samples.legacy_office("Workbook", "_VBA_PROJECT_CUR", "_VBA_PROJECT")
    )


def test_it_refuses_an_unknown_compound_file(actor):
    # An MSI installer is an OLE2 compound file too.
    assert "不是 Word、Excel 或 PowerPoint 文档" in refusal(
        actor, "台账.xls", samples.legacy_office("SummaryInfo")
    )


def test_it_refuses_a_zip_bomb(actor):
    data = samples.zip_bomb()
    assert len(data) < 100 * 1024
    assert "压缩炸弹" in refusal(actor, "会议记录.docx", data)


def test_it_refuses_a_plain_zip_named_docx(actor):
    assert "压缩包" in refusal(actor, "会议记录.docx", samples.zip_of({"setup.exe": b"MZ"}))


def test_it_refuses_a_damaged_zip(actor):
    assert "已损坏" in refusal(actor, "会议记录.docx", b"PK\x03\x04" + b"\x01" * 200)


def test_it_refuses_an_empty_file(actor):
    assert refusal(actor, "空白.pdf", b"") == "文件“空白.pdf”是空文件"


def test_it_refuses_bytes_it_cannot_recognise(actor):
    assert "无法识别" in refusal(actor, "数据.pdf", b"\x00\x01\x02\x03binary")


def test_it_refuses_a_file_above_max_bytes(actor):
    assert "太大" in refusal(actor, "目标责任书.pdf", samples.pdf(), max_bytes=100)


def test_it_refuses_a_file_above_the_upload_setting_by_default(actor, settings):
    settings.MAX_UPLOAD_BYTES = 100
    assert "太大" in refusal(actor, "目标责任书.pdf", samples.pdf())


def test_it_refuses_an_oversized_upload_before_reading_it(actor):
    class Unreadable(SimpleUploadedFile):
        def chunks(self, chunk_size=None):
            raise AssertionError("an upload known to be too big must not be read")

    big = Unreadable("大文件.pdf", b"", "application/pdf")
    big.size = 10**9
    with pytest.raises(ValidationError, match="太大"):
        store_upload(actor, big)


def test_it_stops_reading_an_upload_that_grows_past_the_limit(actor, data_dir):
    lying = upload("目标责任书.pdf", samples.pdf())
    lying.size = 10  # the declared size says small; the bytes say otherwise
    with pytest.raises(ValidationError, match="太大"):
        store_upload(actor, lying, max_bytes=100)
    assert list((data_dir / "files" / "tmp").iterdir()) == []


def test_it_refuses_a_kind_the_caller_does_not_accept(actor):
    message = refusal(actor, "照片.png", samples.png(), accept={FileKind.PDF, FileKind.OFD})
    assert message == "文件“照片.png”不能上传，这里只接受以下类型：PDF、OFD 版式文件"


def test_it_refuses_an_unsupported_extension(actor):
    assert "只接受" in refusal(actor, "页面.html", b"<html><script>alert(1)</script></html>")


def test_it_refuses_to_store_inside_a_served_folder(actor, settings, data_dir):
    settings.STATIC_ROOT = data_dir
    with pytest.raises(ImproperlyConfigured):
        store_upload(actor, upload("目标责任书.pdf", samples.pdf()))
