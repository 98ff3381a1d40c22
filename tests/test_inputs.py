"""Loading databook.yml's datasets: errors that name the dataset and the line."""

from __future__ import annotations

import pytest

from databook.config import load_config
from databook.errors import ConfigError, InputError
from databook.inputs import LOADERS, load_inputs
from tests.test_config import line_of, replace_in_config


def test_ward_code_names_its_city(project):
    # localgovjp-utf8.csv: 14101 is 横浜市 鶴見区, a ward of 横浜市 (14100).
    path = replace_in_config(project, 'municipality: "14383"', 'municipality: "14101"')
    with pytest.raises(ConfigError) as raised:
        load_inputs(load_config(path))
    error = raised.value
    assert "横浜市の区" in error.message
    assert "神奈川県横浜市鶴見区" in error.message
    assert "14100" in error.hint
    assert error.file == "databook.yml"
    assert error.place == "2行目（設定 municipality）"


def test_unknown_code_located(project):
    # 14385 follows 湯河原町 (14384) but is no municipality in the master list.
    path = replace_in_config(project, 'municipality: "14383"', 'municipality: "14385"')
    with pytest.raises(ConfigError) as raised:
        load_inputs(load_config(path))
    error = raised.value
    assert "14385" in error.message
    assert "団体コード一覧にありません" in error.message
    assert error.file == "databook.yml"
    assert error.place == "2行目（設定 municipality）"


def test_table_setting_error_names_dataset(project):
    # area and area_column together: a ConfigError of the table loader.
    path = replace_in_config(
        project, "    area_column: C\n", '    area_column: C\n    area: "14383"\n'
    )
    config = load_config(path)
    with pytest.raises(ConfigError) as raised:
        LOADERS["table"](config.datasets["fishery"], config)
    error = raised.value
    assert error.file == "databook.yml"
    assert error.place == f"{line_of(path, 'fishery:')}行目（設定 datasets.fishery）"


def test_table_file_error_names_setting_path(project):
    path = replace_in_config(
        project, "columns: {F: 漁業経営体数}", "columns: {ZZ: 漁業経営体数}"
    )
    config = load_config(path)
    with pytest.raises(InputError) as raised:
        LOADERS["table"](config.datasets["fishery"], config)
    error = raised.value
    assert error.file.endswith(
        "gyogyo_census2013_vol3_keieitai_kaisou_shikuchoson_gakulab.xls"
    )
    assert error.place == "シート j119-25-002、設定 datasets.fishery.columns"
    assert "最後の列（AV列）" in error.message


def test_ssdse_item_error_names_line(project):
    path = replace_in_config(project, "items: [A1101,", "items: [Z9999, A1101,")
    config = load_config(path)
    with pytest.raises(InputError) as raised:
        LOADERS["ssdse-a"](config.datasets["ssdse"], config)
    error = raised.value
    assert "Z9999" in error.message
    assert error.file == "databook.yml"
    assert error.place == f"{line_of(path, 'Z9999')}行目（設定 datasets.ssdse.items）"
