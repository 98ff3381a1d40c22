from pathlib import Path

import pytest

from databook.config import load_config
from databook.errors import ConfigError, DatabookErrorGroup


def write_config(project: Path, text: str) -> Path:
    path = project / "databook.yml"
    path.write_text(text, encoding="utf-8")
    return path


def replace_in_config(project: Path, old: str, new: str) -> Path:
    path = project / "databook.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    return write_config(project, text.replace(old, new, 1))


def test_sample_config_valid(project):
    config = load_config(project / "databook.yml")
    assert config.municipality == "14383"
    assert config.edition == 2025
    assert [c.analysis for c in config.chapters] == [
        ["population", "population_history"],
        ["population_change", "juki"],
        ["industry"],
        ["tourism"],
        ["fishery"],
        ["economy"],
        ["finance"],
    ]
    assert config.era == "both"


def test_unknown_era_rejected(project):
    path = replace_in_config(project, "era: both", "era: heisei")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "era" in caught.value.place


def test_unknown_key_names_setting_and_line(project):
    path = replace_in_config(
        project, "    file: data/raw/codes", "    fille: data/raw/codes"
    )
    line = next(
        i
        for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "fille:" in text
    )

    with pytest.raises(ConfigError) as raised:
        load_config(path)

    error = raised.value
    assert "datasets.municipalities.fille" in error.message
    assert error.place.startswith(f"{line}行目")
    assert "もしかして file" in error.hint
    assert "kind, file" in error.hint


def test_wrong_type_named(project):
    path = replace_in_config(project, "edition: 2025", "edition: 二〇二五")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "edition" in raised.value.message
    assert "整数" in raised.value.message
    assert raised.value.place.startswith("3行目")


def test_unknown_dataset_kind(project):
    path = replace_in_config(project, "kind: ssdse-a", "kind: ssdse-z")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "ssdse-z" in raised.value.message
    assert "ssdse-a" in raised.value.hint


def test_missing_chapter_file(project):
    (project / "chapters" / "02-population-change.qmd").unlink()
    with pytest.raises(ConfigError) as raised:
        load_config(project / "databook.yml")
    assert "chapters の2番目の file" in raised.value.message
    assert "02-population-change.qmd" in raised.value.message


def test_glob_matching_nothing(project):
    path = replace_in_config(project, "SSDSE-A-*.csv", "SSDSE-B-*.csv")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "datasets.ssdse.files の1番目" in raised.value.message


def test_yaml_syntax_error_line(project):
    # databook.yml line 3 is "edition: 2025"; the "[" is its 10th character.
    path = replace_in_config(project, "edition: 2025", "edition: [2025")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "YAML" in raised.value.message
    assert "「[」" in raised.value.message
    assert raised.value.place == "3行目、10文字目"
    assert "PyYAML" in raised.value.detail


def test_yaml_tab_line_and_column(project):
    # Line 5 is "publisher: 真鶴町"; a tab replaces the space after the colon.
    path = replace_in_config(project, "publisher: 真鶴町", "publisher:\t真鶴町")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    error = raised.value
    assert "タブ" in error.message
    assert error.place == "5行目、11文字目"
    assert "半角スペース" in error.hint
    assert "found character" not in str(error)
    assert "found character" in error.detail


def test_yaml_unclosed_quote_points_at_opening(project):
    # The quote opens at line 2, column 15. PyYAML reads on to the next quote
    # (line 44) and reports its error there.
    path = replace_in_config(project, 'municipality: "14383"', 'municipality: "14383')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "引用符" in raised.value.message
    assert raised.value.place == "2行目、15文字目"


def test_yaml_bad_indent_named(project):
    # Line 10 ("    kind: municipalities") loses one space of its indent, so
    # line 11 ("    file: ...") is deeper than the line above it.
    path = replace_in_config(
        project, "    kind: municipalities", "   kind: municipalities"
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "字下げ" in raised.value.message
    assert raised.value.place.startswith("11行目、")
    assert "mapping" not in str(raised.value)


def test_yaml_fullwidth_colon_named(project):
    path = replace_in_config(project, "publisher: 真鶴町", "publisher： 真鶴町")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "5行目の全角の「：」" in raised.value.hint


def test_several_errors_reported_together(project):
    # Four wrong settings and two missing files in one databook.yml.
    replace_in_config(project, "edition: 2025", "edition: 二〇二五")
    replace_in_config(project, "era: both", "era: heisei")
    replace_in_config(project, "    file: data/raw/codes", "    fille: data/raw/codes")
    replace_in_config(project, "  pdf: true", "  pdf: maybe")
    (project / "chapters" / "05-fishery.qmd").unlink()
    (
        project / "data" / "raw" / "findings" / "manazuru_economy_TRANSCRIBED.csv"
    ).unlink()

    with pytest.raises(DatabookErrorGroup) as raised:
        load_config(project / "databook.yml")

    errors = raised.value.errors
    assert all(isinstance(error, ConfigError) for error in errors)
    messages = [error.message for error in errors]
    assert len(errors) == 6, messages
    assert "edition" in messages[0]
    assert "era" in messages[1]
    assert "datasets.municipalities.fille" in messages[2]
    # The misspelt "fille" is not also reported as a missing "file".
    assert not any("必須の設定" in message for message in messages)
    assert "manazuru_economy_TRANSCRIBED.csv" in messages[3]
    assert "chapters の5番目の file" in messages[4]
    assert "output.pdf" in messages[5]
    lines = [int(error.place.split("行目")[0]) for error in errors]
    assert lines == sorted(lines)


def test_unknown_analysis(project):
    path = replace_in_config(
        project, "analysis: [population_change, juki]", "analysis: kanko"
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "chapters の2番目の analysis" in raised.value.message
    assert "population_change" in raised.value.message


def test_missing_config_file(tmp_path):
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "databook.yml")
    assert "見つかりません" in raised.value.message


def test_duplicate_key_rejected(project):
    path = replace_in_config(project, "edition: 2025", "edition: 2025\nedition: 2024")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "edition" in raised.value.message
    assert "2回" in raised.value.message
    assert raised.value.place == "4行目"


def test_unquoted_code_with_leading_zero(project):
    # YAML 1.1 reads 01100 as the octal number 576; the code as written is kept.
    path = replace_in_config(project, 'municipality: "14383"', "municipality: 01100")
    config = load_config(path)
    assert config.municipality == "01100"


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if text in line)


def test_months_need_year_kind(project):
    # The sample's fishery table is a census (period_kind: census), whose
    # periods are survey dates, not years that months belong to.
    path = replace_in_config(
        project,
        "    sum_repeated_areas: true\n",
        "    sum_repeated_areas: true\n    months_in_columns: true\n",
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    error = raised.value
    assert "datasets.fishery.months_in_columns" in error.message
    assert "period_kind: census" in error.message
    assert "fiscal_year" in error.message
    assert error.place.startswith(f"{line_of(path, 'months_in_columns')}行目")


def test_month_columns_range_checked(project):
    path = replace_in_config(
        project,
        "    period_kind: census\n",
        "    period_kind: fiscal_year\n    indicator: 漁業経営体数\n"
        "    months_in_columns: true\n    month_columns: P:E\n",
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    error = raised.value
    assert "datasets.fishery.month_columns" in error.message
    assert "E:P" in error.message
    assert error.place.startswith(f"{line_of(path, 'month_columns')}行目")


def test_month_column_needs_year(project):
    # period "2013" is the table's year, so the months have one; without it
    # (period_column instead) month_column has no year to place them in.
    path = replace_in_config(
        project,
        '    period: "2013"\n    period_kind: census\n',
        "    period_column: B\n    period_kind: fiscal_year\n    month_column: D\n",
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    error = raised.value
    assert "datasets.fishery.month_column" in error.message
    assert "period_column" in error.message
    assert error.place.startswith(f"{line_of(path, 'month_column:')}行目")


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ("742-12", "最初の行 742 が最後の行 12 より後"),
        ("5-3", "最初の行 5 が最後の行 3 より後"),
        ("0-742", "1から数えます"),
        ("12-742-800", "行の範囲ではありません"),
    ],
)
def test_data_rows_range_checked(project, rows, problem):
    path = replace_in_config(project, "data_rows: 12-742", f'data_rows: "{rows}"')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    error = raised.value
    assert "datasets.fishery.data_rows" in error.message
    assert problem in error.message
    assert error.file == str(path)
    assert error.place.startswith(f"{line_of(path, 'data_rows:')}行目")


def test_data_rows_reversed_hint_swaps(project):
    path = replace_in_config(project, "data_rows: 12-742", "data_rows: 742-12")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "12-742" in raised.value.hint


@pytest.mark.parametrize("rows", ["[0]", "[-3]", "[7, 0, 9]", "[]"])
def test_header_rows_from_one(project, rows):
    path = replace_in_config(project, "header_rows: [7, 8, 9]", f"header_rows: {rows}")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    error = raised.value
    assert "datasets.fishery.header_rows" in error.message
    assert error.place.startswith(f"{line_of(path, 'header_rows:')}行目")


def test_header_row_index_counted_from_one(project):
    # The second entry of [7, 0] is the wrong one.
    path = replace_in_config(project, "header_rows: [7, 8, 9]", "header_rows: [7, 0]")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "datasets.fishery.header_rows の2番目" in raised.value.message
    assert "1 以上" in raised.value.message


@pytest.mark.parametrize("code", ["1438", "１４３８"])
def test_municipality_four_digits_rejected(project, code):
    # 1438 is 14383 (真鶴町) with a digit lost; padded it would be 01438,
    # 北海道沼田町.
    path = replace_in_config(
        project, 'municipality: "14383"', f'municipality: "{code}"'
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    error = raised.value
    assert "municipality" in error.message
    assert error.file == str(path)
    assert error.place.startswith("2行目")


def test_municipality_four_digits_hint(project):
    path = replace_in_config(project, 'municipality: "14383"', 'municipality: "1438"')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    error = raised.value
    assert "4桁" in error.message
    assert '"01438"' in error.hint
    assert "団体コード一覧" in error.hint


def test_unquoted_four_digits_rejected(project):
    path = replace_in_config(project, 'municipality: "14383"', "municipality: 1438")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "4桁" in raised.value.message


def test_fullwidth_municipality_accepted(project):
    path = replace_in_config(
        project, 'municipality: "14383"', 'municipality: "１４３８３"'
    )
    assert load_config(path).municipality == "14383"


def test_six_digit_municipality_check_digit(project):
    # 143839 is 真鶴町 with its check digit; 143838 has a wrong one.
    path = replace_in_config(project, 'municipality: "14383"', 'municipality: "143838"')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "検査数字" in raised.value.message
    assert "143839" in raised.value.hint


def test_table_area_code_checked(project):
    path = replace_in_config(project, "    area_column: C\n", '    area: "1438"\n')
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "datasets.fishery.area" in raised.value.message
    assert "4桁" in raised.value.message


def test_literal_choices_in_japanese(project):
    path = replace_in_config(project, "era: both", "era: heisei")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = raised.value.message
    assert "both、western、japanese のいずれか" in message
    assert " or " not in message
    assert "'both'" not in message


def test_duplicate_key_in_list_counted_from_one(project):
    path = replace_in_config(
        project,
        "    analysis: industry\n",
        "    analysis: industry\n    analysis: finance\n",
    )
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    assert "chapters の3番目の analysis" in raised.value.message
