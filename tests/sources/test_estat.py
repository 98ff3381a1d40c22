"""e-Stat API responses: parsing, shapes, symbols, periods, STATUS and paging."""

from __future__ import annotations

import json
import math

import pytest

from databook.errors import InputError, RemoteDataError
from databook.model import credit_text
from databook.sources.estat import (
    CREDIT,
    EstatClient,
    TidyOptions,
    parse_meta_info,
    parse_period,
    parse_stats_data,
    tidy_pages,
)
from databook.sources.http import RetryPolicy
from tests.estat_responses import (
    MESSAGE_AUTHENTICATION,
    MESSAGE_NO_DATA,
    large_page,
    meta_document,
    page_document,
    real_document,
    real_values,
    result_document,
    split_pages,
)

APP_ID = "test-app-id-0123456789abcdef"
FAST = RetryPolicy(attempts=2, backoff=0.01, read_timeout=5, total_timeout=10)


def parse(document: dict):
    return parse_stats_data(document, place="test")


def test_real_page_header():
    page = parse(real_document())

    # RESULT_INF of the real file: TOTAL_NUMBER 403227, FROM 1, TO 10, NEXT_KEY 11.
    assert page.total_number == 403227
    assert page.from_number == 1
    assert page.to_number == 10
    assert page.next_key == 11
    assert page.table.id == "0000020202"
    assert page.table.stat_code == "00200502"
    assert page.table.open_date == "2025-06-20"
    # The real file's `tab` CLASS_OBJ holds one CLASS as a bare object.
    assert list(page.classes["tab"].items) == ["00001"]
    assert len(page.classes["area"].items) == 1913
    assert page.classes["area"].items["14383"].name == "神奈川県 真鶴町"


def test_real_page_tidy_rows():
    dataset = tidy_pages([parse(real_document())])
    frame = dataset.frame

    # VALUE 1 of the real file: B1101, area 01100, time 1981100000, "111801".
    first = frame.iloc[0]
    assert first["indicator"] == "B1101"
    assert first["area_code"] == "01100"
    assert first["area_name"] == "北海道 札幌市"
    assert first["value"] == 111801.0
    assert first["unit"] == "ｈａ"
    assert first["status"] == ""
    # VALUE 8 (time 1988100000) is "112118".
    assert frame.iloc[7]["value"] == 112118.0
    assert len(frame) == 10
    # The cat01 CLASS name "B1101_総面積（北方地域及び竹島を除く）" without its code.
    assert dataset.labels["B1101"] == "総面積（北方地域及び竹島を除く）"


def test_ssds_period_kind_from_survey():
    # B1101 (総面積) has no survey in the table of surveys, so its YYYY100000
    # code labelled 1981年度 is a year of unknown kind, not a fiscal year.
    frame = tidy_pages([parse(real_document())]).frame
    assert frame.iloc[0]["period"] == "1981"
    assert frame.iloc[0]["period_kind"] == "year"


@pytest.mark.parametrize(
    ("code", "name", "item", "stat", "expected"),
    [
        # 社会・人口統計体系: every code is YYYY100000 labelled 年度.
        ("2020100000", "2020年度", "A1101", "00200502", ("2020", "census")),
        ("2022100000", "2022年度", "A4101", "00200502", ("2022", "calendar_year")),
        ("2022100000", "2022年度", "A5101", "00200502", ("2022", "calendar_year")),
        ("2021100000", "2021年度", "D3201", "00200502", ("FY2021", "fiscal_year")),
        # Other tables: the code and its name.
        ("2020000000", "2020年", "11", "00200521", ("2020", "calendar_year")),
        ("2020100000", "2020年度", "11", "00200521", ("FY2020", "fiscal_year")),
        ("2023000101", "2023年1月", "11", "00100409", ("2023-01", "month")),
        ("2023001212", "2023年12月", "11", "00100409", ("2023-12", "month")),
        ("1994000103", "1994年1～3月期", "11", "00100409", ("1994-Q1", "quarter")),
        ("1994001012", "1994年10～12月期", "11", "00100409", ("1994-Q4", "quarter")),
        ("1994010000", "1994年", "11", "00100409", ("", "")),
        ("19940103", "1994", "11", "00100409", ("", "")),
    ],
)
def test_period_codes(code, name, item, stat, expected):
    assert parse_period(code, name, item, stat) == expected


def test_unreadable_time_code_rejected():
    values = real_values()[:1]
    values[0]["@time"] = "1994010000"
    with pytest.raises(InputError) as raised:
        tidy_pages([parse(page_document(values, start=1, total=1, next_key=None))])
    assert "1994010000" in raised.value.message


def symbol_page(symbols: list[str], *, notes: list[dict] | None = None):
    values = real_values()[: len(symbols)]
    for value, symbol in zip(values, symbols, strict=True):
        value["$"] = symbol
    real_notes = real_document()["GET_STATS_DATA"]["STATISTICAL_DATA"]["DATA_INF"][
        "NOTE"
    ]
    document = page_document(
        values,
        start=1,
        total=len(values),
        next_key=None,
        notes=real_notes + (notes or []),
    )
    return parse(document)


def test_special_symbols_become_missing():
    page = symbol_page(
        ["***", "-", "X", "x", "…", "12"],
        notes=[
            {"@char": "x", "$": "数値が秘匿されているもの"},
            {"@char": "…", "$": "該当数値がないもの"},
        ],
    )
    frame = tidy_pages([page]).frame

    # NOTE texts: *** 調査又は集計していないもの, - データが得られないもの,
    # X/x 数値が秘匿されているもの, … 該当数値がないもの.
    assert list(frame["status"]) == [
        "not_surveyed",
        "not_surveyed",
        "suppressed",
        "suppressed",
        "not_applicable",
        "",
    ]
    for value in frame["value"][:5]:
        assert math.isnan(value)
    assert frame["value"].iloc[5] == 12.0


def test_symbol_missing_from_notes_uses_default():
    frame = tidy_pages([symbol_page(["x", "…"])]).frame
    assert list(frame["status"]) == ["suppressed", "not_applicable"]


def test_unknown_symbol_rejected():
    page = symbol_page(["12", "?"])
    with pytest.raises(InputError) as raised:
        tidy_pages([page])
    assert "'?'" in raised.value.message
    assert raised.value.place == "VALUE の 2 番目"


def test_single_object_shapes():
    document = page_document(real_values()[:1], start=1, total=1, next_key=None)
    data = document["GET_STATS_DATA"]["STATISTICAL_DATA"]
    data["DATA_INF"]["VALUE"] = data["DATA_INF"]["VALUE"][0]
    data["DATA_INF"]["NOTE"] = data["DATA_INF"]["NOTE"][2]
    data["TABLE_INF"] = [data["TABLE_INF"]]
    for obj in data["CLASS_INF"]["CLASS_OBJ"]:
        if obj["@id"] == "cat01":
            obj["CLASS"] = obj["CLASS"][0]
    data["CLASS_INF"]["CLASS_OBJ"] = [
        obj for obj in data["CLASS_INF"]["CLASS_OBJ"] if obj["@id"] != "tab"
    ]
    page = parse(document)

    assert page.notes == {"X": "数値が秘匿されているもの"}
    assert page.table.id == "0000020202"
    assert list(page.classes["cat01"].items) == ["B1101"]
    frame = tidy_pages([page]).frame
    assert len(frame) == 1
    assert frame.iloc[0]["value"] == 111801.0


def test_single_class_obj():
    document = page_document(real_values()[:1], start=1, total=1, next_key=None)
    data = document["GET_STATS_DATA"]["STATISTICAL_DATA"]
    time_class = next(
        obj for obj in data["CLASS_INF"]["CLASS_OBJ"] if obj["@id"] == "time"
    )
    data["CLASS_INF"]["CLASS_OBJ"] = time_class
    page = parse(document)
    assert list(page.classes) == ["time"]


def test_codes_stay_strings():
    frame = tidy_pages([parse(real_document())]).frame
    # Area 01100 keeps its leading zero.
    assert set(frame["area_code"]) == {"01100"}


def test_six_digit_area_code_verified():
    values = real_values()[:2]
    values[0]["@area"] = "143839"  # 14383 with its check digit 9
    values[1]["@area"] = "143830"
    page = parse(page_document(values[:1], start=1, total=1, next_key=None))
    assert tidy_pages([page]).frame.iloc[0]["area_code"] == "14383"

    page = parse(page_document(values[1:], start=1, total=1, next_key=None))
    with pytest.raises(InputError) as raised:
        tidy_pages([page])
    assert "143830" in raised.value.message


def test_indicator_mapping_keeps_mapped_codes():
    values = real_values()[:2]
    values[1]["@cat01"] = "B1103"
    page = parse(page_document(values, start=1, total=2, next_key=None))
    options = TidyOptions(indicators={"B1103": "habitable_area"})
    dataset = tidy_pages([page], options)
    assert list(dataset.frame["indicator"]) == ["habitable_area"]
    assert dataset.labels == {"habitable_area": "可住地面積"}


def test_provenance_from_table_inf():
    page = parse(real_document())
    page.file = "data/raw/estat/page.json"
    page.sha256 = "0" * 64
    dataset = tidy_pages([page])
    (source,) = dataset.provenance.values()

    assert "社会・人口統計体系" in source.source
    assert "基礎データ（廃置分合処理済）" in source.source
    assert "0000020202" in source.table
    assert "公開日 2025-06-20" in source.reference
    assert source.notice == CREDIT
    # The 出典 line under every chart and table that uses the rows ends with
    # the sentence e-Stat's terms require.
    assert credit_text([source]).endswith(CREDIT)
    assert source.file == "data/raw/estat/page.json"


def test_large_page_tidy():
    dataset = tidy_pages([parse(large_page())])
    frame = dataset.frame
    assert len(frame) == 100_000
    # Row 99,999 of the generated page has "$" "99999".
    assert frame["value"].iloc[-1] == 99999.0
    assert not frame.duplicated(["indicator", "area_code", "period"]).any()


def test_meta_info():
    table, classes = parse_meta_info(meta_document(), place="test")
    assert table.title == "Ｂ　自然環境"
    assert sorted(classes) == ["area", "cat01", "tab", "time"]


# The API over HTTP, against a local server.


def stats_url(httpserver) -> str:
    return httpserver.url_for("/rest/3.0/app/json")


@pytest.mark.parametrize("http_status", [200, 403])
def test_status_no_data_is_empty(httpserver, http_status):
    httpserver.expect_request("/rest/3.0/app/json/getStatsData").respond_with_json(
        result_document(1, MESSAGE_NO_DATA), status=http_status
    )
    with EstatClient(APP_ID, api_url=stats_url(httpserver), policy=FAST) as client:
        _, page = client.get_stats_data({"statsDataId": "0000020202"})

    assert page.status == 1
    assert page.values == []
    assert page.total_number == 0
    assert tidy_pages([page]).frame.empty


@pytest.mark.parametrize("http_status", [200, 403])
def test_status_authentication_error(httpserver, http_status):
    httpserver.expect_request("/rest/3.0/app/json/getStatsData").respond_with_json(
        result_document(100, MESSAGE_AUTHENTICATION), status=http_status
    )
    with (
        EstatClient(APP_ID, api_url=stats_url(httpserver), policy=FAST) as client,
        pytest.raises(RemoteDataError) as raised,
    ):
        client.get_stats_data({"statsDataId": "0000020202"})

    assert "STATUS 100" in raised.value.message
    assert MESSAGE_AUTHENTICATION in raised.value.message
    assert "ESTAT_APP_ID" in raised.value.hint
    assert APP_ID not in str(raised.value)


@pytest.mark.parametrize("http_status", [200, 403])
def test_status_unknown_error(httpserver, http_status):
    httpserver.expect_request("/rest/3.0/app/json/getStatsData").respond_with_json(
        result_document(999, "テスト用の未知のエラー"), status=http_status
    )
    with (
        EstatClient(APP_ID, api_url=stats_url(httpserver), policy=FAST) as client,
        pytest.raises(RemoteDataError) as raised,
    ):
        client.get_stats_data({"statsDataId": "0000020202"})

    assert "STATUS 999" in raised.value.message
    assert "テスト用の未知のエラー" in raised.value.message
    assert raised.value.hint


def test_forbidden_without_json(httpserver):
    httpserver.expect_request("/rest/3.0/app/json/getStatsData").respond_with_data(
        "<html>Forbidden</html>", status=403, content_type="text/html"
    )
    with (
        EstatClient(APP_ID, api_url=stats_url(httpserver), policy=FAST) as client,
        pytest.raises(RemoteDataError) as raised,
    ):
        client.get_stats_data({"statsDataId": "0000020202"})
    assert "HTTP 403" in raised.value.message
    assert APP_ID not in str(raised.value)


def test_truncated_json_rejected(httpserver):
    body = json.dumps(real_document(), ensure_ascii=False).encode("utf-8")
    httpserver.expect_request("/rest/3.0/app/json/getStatsData").respond_with_data(
        body[: len(body) // 2], content_type="application/json"
    )
    with (
        EstatClient(APP_ID, api_url=stats_url(httpserver), policy=FAST) as client,
        pytest.raises(RemoteDataError) as raised,
    ):
        client.get_stats_data({"statsDataId": "0000020202"})
    assert "途中で切れています" in raised.value.message


def test_pages_resend_filters(httpserver):
    filters = {"statsDataId": "0000020202", "cdArea": "01100", "cdCat01": "B1101"}
    for page, start in zip(split_pages([4, 4, 2]), (1, 5, 9), strict=True):
        httpserver.expect_ordered_request(
            "/rest/3.0/app/json/getStatsData",
            query_string={**filters, "appId": APP_ID, "startPosition": str(start)},
        ).respond_with_json(page)

    pages = []
    with EstatClient(APP_ID, api_url=stats_url(httpserver), policy=FAST) as client:
        start = 1
        while True:
            _, page = client.get_stats_data({**filters, "startPosition": str(start)})
            pages.append(page)
            if page.next_key is None:
                break
            start = page.next_key

    httpserver.check_assertions()
    assert len(httpserver.log) == 3
    for request, _ in httpserver.log:
        assert request.args["cdArea"] == "01100"
        assert request.args["cdCat01"] == "B1101"
    frame = tidy_pages(pages).frame
    # The 10 real values, in order: 111801 ×7, then 112118 ×3.
    assert list(frame["value"]) == [111801.0] * 7 + [112118.0] * 3
    assert list(frame["period"]) == [str(year) for year in range(1981, 1991)]


def test_large_page_over_http(httpserver):
    httpserver.expect_request("/rest/3.0/app/json/getStatsData").respond_with_json(
        large_page()
    )
    with EstatClient(APP_ID, api_url=stats_url(httpserver), policy=FAST) as client:
        body, page = client.get_stats_data({"statsDataId": "0000020202"})

    assert len(page.values) == 100_000
    assert page.next_key is None
    assert len(body) > 10_000_000
    assert len(tidy_pages([page]).frame) == 100_000
