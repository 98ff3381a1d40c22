from databook.model import Provenance, credit_text


def source(edition: str, survey: str | None) -> Provenance:
    return Provenance(
        id=f"{edition}/{survey}",
        source=f"独立行政法人統計センター「SSDSE-A-{edition}」",
        survey=survey,
        table="",
        file=f"SSDSE-A-{edition}.csv",
        sha256="",
        licence="",
        series="独立行政法人統計センター「SSDSE-A」",
        edition=edition,
    )


def test_credit_merges_editions_into_runs():
    editions = ["2018", "2019", "2020", "2021", "2023", "2024", "2025", "2026"]
    text = credit_text([source(e, "厚生労働省「人口動態統計」") for e in editions])
    assert text == (
        "厚生労働省「人口動態統計」（独立行政法人統計センター「SSDSE-A」"
        "2018～2021・2023～2026年版より作成）"
    )


def test_credit_names_each_survey_once():
    text = credit_text(
        [
            source("2021", "総務省「国勢調査」"),
            source("2026", "総務省「国勢調査」"),
            source("2026", "厚生労働省「人口動態統計」"),
        ]
    )
    assert text == (
        "総務省「国勢調査」、厚生労働省「人口動態統計」"
        "（独立行政法人統計センター「SSDSE-A」2021・2026年版より作成）"
    )


def test_credit_without_survey():
    text = credit_text([source("2026", None)])
    assert text == "独立行政法人統計センター「SSDSE-A」2026年版"
