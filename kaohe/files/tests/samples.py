"""Small real files of each format, made in memory for the tests."""

import io
import struct
import zipfile
import zlib

import docx
import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from kaohe.files.sniffing import OLE2_MAGIC


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    # The browser's claim is deliberately wrong: the stored type must come from the bytes.
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def pdf(*, encrypted: bool = False) -> bytes:
    """A one-page PDF written by hand (no PDF library is installed), with a correct xref table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length 0 >>\nstream\n\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    # Only the trailer's /Encrypt entry marks an encrypted file; the sniffing never looks further.
    encrypt = b" /Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>" if encrypted else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        encrypt,
        xref,
    )
    return bytes(out)


def png() -> bytes:
    """A 1x1 white PNG, chunk by chunk."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\xff\xff")  # filter byte, then one white pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def image(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, format=fmt)
    return buffer.getvalue()


def docx_file(text: str = "党支部会议记录") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_file() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["支部", "得分"])
    workbook.active.append(["第一党支部", 95])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


CONTENT_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
)


def pptx_file() -> bytes:
    """The parts the sniffing looks at (python-pptx is not installed)."""
    return zip_of({"[Content_Types].xml": CONTENT_TYPES, "ppt/presentation.xml": b"<p:presentation/>"})


def ofd_file() -> bytes:
    return zip_of(
        {
            "OFD.xml": b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>',
            "Doc_0/Document.xml": b"<ofd:Document/>",
        }
    )


def with_members(zip_bytes: bytes, extra: dict[str, bytes]) -> bytes:
    """A copy of an archive with more members, e.g. a macro project added to a real docx."""
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    return zip_of(members | extra)


def docm_file() -> bytes:
    return with_members(docx_file(), {"word/vbaProject.bin": OLE2_MAGIC + b"\0" * 512})


def zip_bomb() -> bytes:
    """A docx-shaped archive of 20 KB that declares 20 MB of XML."""
    return zip_of({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b" " * (20 * 1024 * 1024)})


def legacy_office(*streams: str) -> bytes:
    """An OLE2 compound file's header and directory names, all the sniffing reads of a doc/xls.

    No library here writes the binary Office formats, so this is the shape, not a whole document.
    """
    directory = b"".join(s.encode("utf-16-le") + b"\0\0" + b"\0" * 40 for s in ["Root Entry", *streams])
    return OLE2_MAGIC + b"\0" * 504 + directory + b"\0" * 1024
