"""The import form in a real browser: htmx proposes the document as you choose a file."""

import pytest
from django.contrib.auth.models import User

from clauses.models import Source
from conftest import sign_in

from .seeds import DEMO, FILES

pytestmark = pytest.mark.django_db(transaction=True)


def test_choosing_a_file_proposes_the_document_then_imports_it(page, artifacts, tmp_path):
    User.objects.create_user("editor", password="secret-pw-1", is_staff=True)
    sign_in(page, "editor", "secret-pw-1")
    copy = tmp_path / "copy.txt"
    copy.write_bytes((DEMO / FILES["004"]).read_bytes().replace("中帼".encode(), "巾帼".encode()))

    page.goto(page.base + "/import/")
    page.set_input_files("#id_file", str(copy))
    proposal = page.locator("#proposal li").first
    proposal.wait_for()
    assert "中共中央 国务院关于深化产业工人队伍建设改革的意见" in proposal.inner_text()
    assert "✓" in proposal.inner_text()
    page.screenshot(path=str(artifacts / "import-proposal.png"), full_page=True)

    # 004 carries three unrelated articles: the form shows the figures first.
    assert "90%" in page.locator("#proposal").inner_text()
    page.fill("#id_siglum", "E")
    page.click(".import-form > p > button[type=submit]")
    confirm = page.locator(".cuts-confirm")
    confirm.wait_for()
    assert "通讯社电头之后" in confirm.inner_text()  # the reason, in words
    assert not Source.objects.filter(siglum="E").exists()
    page.screenshot(path=str(artifacts / "import-cuts.png"), full_page=True)
    confirm.locator("button[name=accept_cuts]").click()
    # Then what it would do, still not saved: the units it lacks, the changes.
    preview = page.locator(".import-preview")
    preview.wait_for()
    assert not Source.objects.filter(siglum="E").exists()
    assert "11" in preview.locator(".preview-lacking summary").inner_text()  # p1 … c5
    page.screenshot(path=str(artifacts / "import-preview.png"), full_page=True)
    preview.locator("button[name=confirm]").click()
    page.wait_for_url("**/sources/E/")
    assert page.locator("h1").inner_text().startswith("E")
    assert page.locator(".report").inner_text().count("join_broken_lines") == 1
    assert Source.objects.filter(siglum="E", document__slug="2024-yijian").exists()


def test_pasting_an_unrelated_article_proposes_nothing_and_import_refuses(page):
    User.objects.create_user("editor", password="secret-pw-1", is_staff=True)
    sign_in(page, "editor", "secret-pw-1")
    page.goto(page.base + "/import/")
    page.fill(
        "#id_text",
        "中国知识产权发展获国际点赞\n\n知识产权是创新的重要载体，保护知识产权就是保护创新。",
    )
    page.locator("#id_text").blur()  # the form proposes when the text is left, not while typing
    page.locator("#proposal .form-errors").wait_for()
    assert (
        "结构" in page.locator("#proposal").inner_text()
        or "structure" in page.locator("#proposal").inner_text()
    )
    before = Source.objects.count()
    page.click(".import-form button[type=submit]")
    page.locator(".form-errors").first.wait_for()
    assert Source.objects.count() == before


def test_the_preview_can_be_cancelled_and_nothing_is_saved(page):
    User.objects.create_user("editor", password="secret-pw-1", is_staff=True)
    sign_in(page, "editor", "secret-pw-1")
    before = Source.objects.count()
    page.goto(page.base + "/import/")
    page.fill("#id_text", (DEMO / FILES["003"]).read_text(encoding="utf-8") + "\n")
    page.locator("#id_text").blur()
    page.locator("#proposal li").first.wait_for()
    page.click(".import-form > p > button[type=submit]")
    preview = page.locator(".import-preview")
    preview.wait_for()
    assert Source.objects.count() == before
    preview.locator("button[name=cancel]").click()
    page.locator(".messages").wait_for()
    assert page.url.endswith("/import/")
    assert page.locator(".import-preview").count() == 0
    assert Source.objects.count() == before
