import json
from pathlib import Path

import pytest

from databook.errors import ConfigError, InputError
from databook.model import credit_text
from databook.sources.codes import load_master
from databook.sources.resas import (
    CREDIT,
    PROCESSED_SOURCE,
    ResasRequest,
    fetch_message,
    load_csv,
    load_response,
    parse_prefectures,
    processed,
    read_response,
    resolve_area,
)
from tests.conftest import RAW, TEST_DATA

RESAS = TEST_DATA / "resas"
PURINX = RESAS / "resas_population_composition_perYear_pref01_purinx.json"
POKUWAGATA = RESAS / "resas_population_composition_perYear_pref01_pokuwagata.json"
HOKKAIDO = ResasRequest("population/composition/perYear", "01000", "北海道")


@pytest.fixture(scope="module")
def master():
    return load_master(RAW / "codes" / "localgovjp-utf8.csv")


def value_of(dataset, indicator, period):
    frame = dataset.frame
    rows = frame[(frame["indicator"] == indicator) & (frame["period"] == period)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_population_census_up_to_boundary_year():
    dataset = load_response(PURINX, HOKKAIDO, display_path="purinx.json")
    # purinx.json line 4: boundaryYear 2020; line 21: 総人口 2020 is 5224614.
    row = value_of(dataset, "population_total", "2020")
    assert row["value"] == 5224614
    assert row["period_kind"] == "census"
    assert row["unit"] == "人"
    assert dataset.frame["area_code"].unique().tolist() == ["01000"]


def test_population_projection_kept_apart():
    dataset = load_response(PURINX, HOKKAIDO, display_path="purinx.json")
    # purinx.json line 22: 総人口 2025 is 5016554, after boundaryYear 2020.
    row = value_of(dataset, "population_total_projection", "2025")
    assert row["value"] == 5016554
    assert row["period_kind"] == "year"
    counts = dataset.frame[dataset.frame["indicator"] == "population_total"]
    assert "2025" not in set(counts["period"])
    source = dataset.provenance[row["source_id"]]
    assert "推計" in source.table
    assert dataset.labels["population_total_projection"] == "総人口（推計）"


def test_population_census_and_projection_cite_apart():
    dataset = load_response(PURINX, HOKKAIDO, display_path="purinx.json")
    census = value_of(dataset, "population_total", "2020")["source_id"]
    projection = value_of(dataset, "population_total_projection", "2025")["source_id"]
    assert census != projection
    # 1960…2020 every five years: 13 census years; 2025…2045: 5 projected.
    assert len(dataset.provenance[census].reference.split("、")) == 13
    assert len(dataset.provenance[projection].reference.split("、")) == 5


def test_rate_one_or_two_decimals():
    one = load_response(PURINX, HOKKAIDO, display_path="purinx.json")
    two = load_response(POKUWAGATA, HOKKAIDO, display_path="pokuwagata.json")
    # purinx.json line 32 and pokuwagata.json line 89: 年少人口 1960 rate.
    assert value_of(one, "population_age0_14_rate", "1960")["value"] == 33.3
    assert value_of(two, "population_age0_14_rate", "1960")["value"] == 33.37
    assert value_of(two, "population_age0_14_rate", "1960")["unit"] == "%"
    # pokuwagata.json lines 362-364: 老年人口 2045 rate 42.79, a projection.
    row = value_of(two, "population_age65_over_rate_projection", "2045")
    assert row["value"] == 42.79


def test_credit_line_is_resas_terms():
    dataset = load_response(PURINX, HOKKAIDO, display_path="purinx.json")
    sources = list(dataset.provenance.values())
    assert f"出典：{credit_text(sources)}" == CREDIT
    assert processed(sources[0]).credit() == PROCESSED_SOURCE
    assert PROCESSED_SOURCE == "RESAS（地域経済分析システム）を加工して作成"


def test_prefectures_code_is_integer():
    result = read_response(
        (RESAS / "resas_prefectures_purinx.json").read_bytes(), display_path="p.json"
    )
    names = parse_prefectures(result, display_path="p.json")
    # resas_prefectures_purinx.json lines 17 and 50.
    assert names["14"] == "神奈川県"
    assert names["47"] == "沖縄県"
    assert len(names) == 47


def test_prefecture_code_as_text_rejected():
    with pytest.raises(InputError, match="prefCode '14'"):
        parse_prefectures(
            [{"prefCode": "14", "prefName": "神奈川県"}], display_path="p"
        )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ('"400"', "400"),
        ('"404"', "404"),
        ('{"statusCode": "403", "message": "Forbidden.", "description": ""}', "403"),
        (
            '{"statusCode":"404","message":"404. That\'s an error.","description":""}',
            "404",
        ),
        ('{"message": null}', "429"),
    ],
)
def test_error_body_is_not_data(tmp_path, body, status):
    path = tmp_path / "error.json"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(InputError, match=f"ステータス {status}") as caught:
        load_response(path, HOKKAIDO, display_path="data/raw/resas/error.json")
    assert caught.value.file == "data/raw/resas/error.json"
    assert "データではありません" in caught.value.message


def test_broken_json_located(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"message": null,\n "result": [', encoding="utf-8")
    with pytest.raises(InputError, match="JSON として読めません") as caught:
        load_response(path, HOKKAIDO, display_path="broken.json")
    assert caught.value.place.startswith("2行目")


def test_unknown_population_label_rejected(tmp_path):
    body = {
        "message": None,
        "result": {"boundaryYear": 2020, "data": [{"label": "人口", "data": []}]},
    }
    path = tmp_path / "odd.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InputError, match="系列名 '人口'"):
        load_response(path, HOKKAIDO, display_path="odd.json")


def test_fishery_matter_names_indicator(tmp_path):
    # The response shape is inferred: one list of year/value objects.
    body = {
        "message": None,
        "result": {
            "prefCode": 14,
            "cityCode": "14383",
            "years": [
                {"year": 2008, "value": 512},
                {"year": 2013, "value": None},
            ],
        },
    }
    path = tmp_path / "sales.json"
    path.write_text(json.dumps(body), encoding="utf-8")
    for matter, indicator in [
        (1, "fishery_sea_sales"),
        (2, "fishery_sea_sales_pref_average"),
        (3, "fishery_sea_sales_national_average"),
    ]:
        request = ResasRequest("fishery/sea/sales", "14383", "真鶴町", matter, "万円")
        dataset = load_response(path, request, display_path="sales.json")
        assert set(dataset.frame["indicator"]) == {indicator}
        row = value_of(dataset, indicator, "2008")
        assert row["value"] == 512
        assert row["unit"] == "万円"
        missing = value_of(dataset, indicator, "2013")
        assert missing["status"] == "not_surveyed"


def test_tourism_null_value_not_zero(tmp_path):
    body = {
        "message": None,
        "result": {
            "prefCode": 14,
            "data": [
                {"label": "宿泊者数", "data": [{"year": 2021, "value": None}]},
                {"label": "客室稼働率", "data": [{"year": 2021, "value": 41.2}]},
            ],
        },
    }
    path = tmp_path / "hotel.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    request = ResasRequest("tourism/hotelAnalysis/groupBar", "14000", "神奈川県")
    dataset = load_response(path, request, display_path="hotel.json")
    guests = value_of(dataset, "tourism_hotelAnalysis_groupBar_宿泊者数", "2021")
    assert guests["status"] == "not_surveyed"
    assert guests["value"] != guests["value"]
    rate = value_of(dataset, "tourism_hotelAnalysis_groupBar_客室稼働率", "2021")
    assert rate["value"] == 41.2


def test_unsupported_endpoint_named(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"message": null, "result": []}', encoding="utf-8")
    request = ResasRequest("municipality/value/perYear", "14383", "真鶴町")
    with pytest.raises(InputError, match="municipality/value/perYear"):
        load_response(path, request, display_path="x.json")


def test_resolve_prefecture_and_municipality(master):
    assert resolve_area("14", master) == ("14000", "神奈川県")
    assert resolve_area("1", master) == ("01000", "北海道")
    assert resolve_area("143839", master) == ("14383", "真鶴町")
    with pytest.raises(ConfigError, match="99999"):
        resolve_area("99999", master)


# RESAS-style CSV downloads, written here in Shift_JIS as the site serves them.
CSV_TEXT = (
    "集計年,都道府県コード,都道府県名,市区町村コード,市区町村名,総人口（人）,"
    "年少人口割合（%）\r\n"
    '2015,14,神奈川県,14383,真鶴町,"7,333",8.9\r\n'
    "2020,14,神奈川県,14383,真鶴町,6722,-\r\n"
    "2020,14,神奈川県,-,-,9237337,11.8\r\n"
)


def write_csv(tmp_path: Path, text: str, encoding: str) -> Path:
    path = tmp_path / "resas.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["cp932", "utf-8"])
def test_csv_download_read_by_header(tmp_path, encoding):
    path = write_csv(tmp_path, CSV_TEXT, encoding)
    dataset = load_csv(path, display_path="data/raw/resas/resas.csv")
    frame = dataset.frame
    town = frame[(frame["area_code"] == "14383") & (frame["indicator"] == "総人口")]
    assert list(town["value"]) == [7333, 6722]
    assert set(town["unit"]) == {"人"}
    share = frame[(frame["indicator"] == "年少人口割合") & (frame["period"] == "2020")]
    assert share.set_index("area_code")["status"].to_dict() == {
        "14383": "not_surveyed",
        "14000": "",
    }
    assert credit_text(dataset.provenance.values()) == "RESAS（地域経済分析システム）"


def test_csv_with_year_header_and_title_row(tmp_path):
    text = "人口の推移\r\n"
    text += "年,都道府県コード,都道府県名,市区町村コード,市区町村名,総人口\r\n"
    text += '2020年,14,神奈川県,14384,湯河原町,"23,426"\r\n'
    dataset = load_csv(write_csv(tmp_path, text, "cp932"), display_path="r.csv")
    row = dataset.frame.iloc[0]
    assert (row["period"], row["area_code"], row["value"]) == ("2020", "14384", 23426)


def test_csv_other_header_shown(tmp_path):
    text = "year,pref,city,population\r\n2020,14,14383,6722\r\n"
    path = write_csv(tmp_path, text, "cp932")
    with pytest.raises(InputError, match="year, pref, city, population") as caught:
        load_csv(path, display_path="r.csv")
    assert "集計年" in caught.value.hint


def test_csv_wrong_encoding_names_expected(tmp_path):
    path = write_csv(tmp_path, CSV_TEXT, "utf-16")
    with pytest.raises(InputError, match="Shift_JIS") as caught:
        load_csv(path, display_path="r.csv")
    assert "UTF-8" in caught.value.message


def test_csv_text_value_located(tmp_path):
    text = CSV_TEXT.replace("6722", "約6700")
    with pytest.raises(InputError, match="約6700") as caught:
        load_csv(write_csv(tmp_path, text, "cp932"), display_path="r.csv")
    assert caught.value.place == "3行目、6列目"


def test_fetch_message_names_successor():
    message = fetch_message("fishery/sea/sales")
    assert "2025年3月24日" in message
    assert "取得できません" in message
    assert "漁業センサス" in message
    assert "国勢調査" in fetch_message("population/composition/perYear")
    assert "宿泊旅行統計調査" in fetch_message("tourism/hotelAnalysis/groupBar")
