"""Chapter texts: front matter errors and unknown shortcode names."""

from __future__ import annotations

from pathlib import Path

import pytest

from databook.errors import ChapterError, DatabookErrorGroup
from databook.publish.chapters import ChapterRenderer, read_chapter

VARIABLES = {"book.municipality": "真鶴町", "book.prefecture": "神奈川県"}


def write_chapter(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "01-人口.qmd"
    path.write_text(text, encoding="utf-8")
    return path


def render(tmp_path: Path, text: str):
    path = write_chapter(tmp_path, text)
    chapter = read_chapter(path, display_path="chapters/01-人口.qmd")
    renderer = ChapterRenderer(VARIABLES, charts={}, tables={})
    return renderer.render(chapter, number=1, slug="01", notes=[])


def test_known_variable_rendered(tmp_path):
    chapter = render(tmp_path, "---\ntitle: 人口\n---\n{{< var book.municipality >}}\n")
    assert "真鶴町" in chapter.parts[0]


def test_every_unknown_name_reported(tmp_path):
    text = (
        "---\ntitle: 人口\n---\n"
        "{{< var book.municipalty >}}と{{< var book.prefectur >}}\n"
        "\n"
        "{{< chart age_structure >}}\n"
        "{{< table ageing_ranking >}}\n"
    )
    with pytest.raises(DatabookErrorGroup) as raised:
        render(tmp_path, text)

    errors = raised.value.errors
    assert [type(error) for error in errors] == [ChapterError] * 4
    assert [error.place for error in errors] == ["4行目", "4行目", "6行目", "7行目"]
    assert "book.municipalty" in errors[0].message
    assert "もしかして book.municipality" in errors[0].hint
    assert "book.prefectur" in errors[1].message
    assert "グラフ age_structure" in errors[2].message
    assert "表 ageing_ranking" in errors[3].message
    assert all(error.file == "chapters/01-人口.qmd" for error in errors)


def test_one_unknown_name_stays_single(tmp_path):
    with pytest.raises(ChapterError) as raised:
        render(tmp_path, "---\ntitle: 人口\n---\n\n{{< var book.titel >}}\n")
    assert not isinstance(raised.value, DatabookErrorGroup)
    assert raised.value.place == "5行目"


def test_front_matter_yaml_error_line_and_column(tmp_path):
    # Line 2 is "title: 人口: 推移"; its second colon is the 10th character.
    path = write_chapter(tmp_path, "---\ntitle: 人口: 推移\n---\n本文\n")
    with pytest.raises(ChapterError) as raised:
        read_chapter(path, display_path="chapters/01-人口.qmd")
    error = raised.value
    assert error.place == "2行目、10文字目"
    assert "「:」" in error.message
    assert "引用符で囲んで" in error.hint
    assert "mapping values" not in str(error)
    assert "mapping values" in error.detail


def test_misspelt_analysis_lists_analyses(tmp_path):
    with pytest.raises(ChapterError) as raised:
        render(tmp_path, "---\ntitle: 人口\n---\n\n{{< var bok.municipality >}}\n")
    hint = raised.value.hint
    assert "もしかして book.municipality" in hint
    assert "分析名: book" in hint
    # The names themselves are not all listed.
    assert "book.prefecture" not in hint


@pytest.mark.parametrize(
    ("line", "message", "hint"),
    [
        (
            "人口は{{< var book.municipality }}人です。",
            "「>}}」で閉じられていません",
            "{{< var book.municipality >}} のように書いて",
        ),
        ("{{< var >}}", "{{< var >}} に名前がありません", "var の後に名前"),
        (
            "{{< var book.municipality extra >}}",
            "余分な extra があります",
            "名前は1つだけ",
        ),
        ("{{< chart >}}", "{{< chart >}} に名前がありません", "{{< chart age_"),
        ("{{< table >}}", "{{< table >}} に名前がありません", "{{< table age_"),
        ("{{< >}}", "中身のないショートコード", "{{< var population.total >}}"),
        ("{{ var book.municipality >}}", "「{{<」がありません", "「{{<」で始めて"),
        ("{{< foo bar >}}", "ショートコード foo はありません", "var、chart、table"),
        (
            "{{ var book.municipality }}",
            "「{{ var book.municipality }}」に「<」と「>」がありません",
            "{{< var book.municipality >}} のように書いて",
        ),
        (
            "{{table age_structure}}",
            "に「<」と「>」がありません",
            "{{< table age_structure >}} のように書いて",
        ),
    ],
)
def test_broken_shortcode_reported(tmp_path, line, message, hint):
    with pytest.raises(ChapterError) as raised:
        render(tmp_path, f"---\ntitle: 人口\n---\n\n{line}\n")
    error = raised.value
    assert message in error.message
    assert hint in error.hint
    assert error.file == "chapters/01-人口.qmd"
    assert error.place == "5行目"


def test_broken_shortcodes_all_reported(tmp_path):
    text = (
        "---\ntitle: 人口\n---\n"
        "{{< var book.municipality }}と{{< var >}}\n"
        "{{< chart >}}\n"
        "{{< var book.titel >}}\n"
    )
    with pytest.raises(DatabookErrorGroup) as raised:
        render(tmp_path, text)
    errors = raised.value.errors
    assert [error.place for error in errors] == ["4行目", "4行目", "5行目", "6行目"]
    assert "閉じられていません" in errors[0].message
    assert "{{< var >}}" in errors[1].message
    assert "{{< chart >}}" in errors[2].message
    assert "book.titel" in errors[3].message


def test_shortcode_with_spaces_rendered(tmp_path):
    chapter = render(
        tmp_path,
        "---\ntitle: 人口\n---\n"
        "{{<var book.municipality>}}と{{<  var book.prefecture  >}}\n",
    )
    assert "真鶴町と神奈川県" in chapter.parts[0]


def test_series_name_with_brackets_accepted(tmp_path):
    # Table item names become series names as they are, brackets included.
    path = write_chapter(
        tmp_path, "---\ntitle: 人口\n---\n{{< var series.宿泊客数（千人） >}}\n"
    )
    chapter = read_chapter(path, display_path="chapters/01-人口.qmd")
    variables = {**VARIABLES, "series.宿泊客数（千人）": "1,234人"}
    renderer = ChapterRenderer(variables, charts={}, tables={})
    rendered = renderer.render(chapter, number=1, slug="01", notes=[])
    assert "1,234人" in rendered.parts[0]
