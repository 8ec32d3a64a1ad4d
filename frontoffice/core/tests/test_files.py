"""Private files: type by content, size limit, storage outside the web root, safe serving headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from frontoffice.core.files import PrivateUploadTo, private_storage, serve_private, sniff, validate_upload

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 16
WINDOWS_PROGRAM = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 32
HTML = b"<html><script>alert(1)</script></html>"


@pytest.mark.parametrize(
    ("head", "code"),
    [(PDF, "pdf"), (JPEG, "jpeg"), (PNG, "png"), (HEIC, "heic"), (WINDOWS_PROGRAM, None), (HTML, None)],
)
def test_the_type_comes_from_the_first_bytes(head, code):
    found = sniff(head[:16])
    assert (found.code if found else None) == code


def test_a_program_renamed_to_pdf_is_refused():
    upload = SimpleUploadedFile("skan.pdf", WINDOWS_PROGRAM, content_type="application/pdf")
    with pytest.raises(ValidationError, match="contents were checked") as refused:
        validate_upload(upload)
    assert refused.value.code == "type"


def test_a_real_png_with_a_wrong_name_is_accepted_as_png():
    assert validate_upload(SimpleUploadedFile("skan.pdf", PNG)).content_type == "image/png"


def test_heic_is_only_accepted_where_allowed():
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("a.heic", HEIC))
    assert validate_upload(SimpleUploadedFile("a.heic", HEIC), allowed=("heic",)).code == "heic"


def test_a_file_over_the_limit_is_refused_with_both_sizes(settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    upload = SimpleUploadedFile("big.pdf", PDF + b"\x00" * (2 * 1024 * 1024))
    with pytest.raises(ValidationError, match=r"The file is 2 MB; the largest allowed is 1 MB\.") as refused:
        validate_upload(upload)
    assert refused.value.code == "too_big"


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationError, match="empty"):
        validate_upload(SimpleUploadedFile("a.pdf", b""))


def test_private_files_live_outside_the_static_and_public_folders_and_have_no_url(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    name = private_storage().save(
        PrivateUploadTo("documents")(None, "Jan Kowalski dowód.pdf"), SimpleUploadedFile("x", PDF)
    )

    stored = Path(private_storage().path(name))
    assert stored.is_relative_to(tmp_path / "private") and stored.read_bytes() == PDF
    assert "Kowalski" not in name and name.startswith("documents/")
    assert not stored.is_relative_to(Path(settings.BASE_DIR) / "static")
    with pytest.raises(ValueError, match="no URL"):
        private_storage().url(name)


def test_serving_sets_the_name_nosniff_and_no_store(tmp_path, settings):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    name = private_storage().save("a/b.pdf", SimpleUploadedFile("x", PDF))
    file = private_storage().open(name)

    response = serve_private(
        RequestFactory().get("/"), file, filename="skan dowodu.pdf", content_type="application/pdf", as_attachment=True
    )

    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and "skan_dowodu.pdf" in response["Content-Disposition"]
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF


def test_the_default_private_root_is_not_the_public_media_root():
    assert Path(settings.PRIVATE_MEDIA_ROOT) != Path(settings.STORAGES["default"]["OPTIONS"]["location"])
