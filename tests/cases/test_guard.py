"""The personal-data guard (issue 4 item 6): what looks like residents' personal data, and what not."""
import pytest

from app.cases.guard import find_in_text, find_personal_data


@pytest.mark.parametrize(("text", "kind", "match"), [
    ("詳細は090-1234-5678へ", "phone", "090-1234-5678"),
    ("携帯 ０９０－１２３４－５６７８", "phone", "０９０－１２３４－５６７８"),
    ("フリーダイヤル0120-123-456", "phone", "0120-123-456"),
    ("電話024-000-0000", "phone", "024-000-0000"),
    ("09012345678まで", "phone", "09012345678"),
    ("問合せ：ｔａｒｏ＠example.jp", "email", "ｔａｒｏ＠example.jp"),
    ("tanaka.taro@city.example.lg.jp に送付", "email", "tanaka.taro@city.example.lg.jp"),
    ("番号1234 5678 9012を控えた", "twelve_digits", "1234 5678 9012"),
    ("１２３４-５６７８-９０１２", "twelve_digits", "１２３４-５６７８-９０１２"),
    ("123456789012", "twelve_digits", "123456789012"),
    ("田中さんの協力", "honorific", "田中さん"),
    ("山田太郎様より", "honorific", "山田太郎様"),
    ("担当の佐藤氏が説明", "honorific", "佐藤氏"),
    ("タナカさんが参加", "honorific", "タナカさん"),
])
def test_personal_data_is_found(text, kind, match):
    assert [(f.kind, f.match) for f in find_in_text("outcomes", text)] == [(kind, match)]


@pytest.mark.parametrize("text", [
    "人口：0.5万人", "【参考情報】 人口：10.1万人", "2024年5月16日", "2024-05-16", "令和6年4月1日", "R2.1.1",
    "3市町村で実施", "住民の皆様", "お客様", "事業者様", "申請様式を見直し", "職員の様子", "氏名欄を削除",
    "69,545千円", "1,234,567,890,123", "約70％（3,843件）", "支援実施：2回（合計3.5時間）", "001:170",
    "https://www.city.sakata.lg.jp/shisei/dx/index.html",
])
def test_ordinary_case_text_is_not_flagged(text):
    assert find_in_text("outcomes", text) == []


def test_every_field_and_list_item_is_checked_and_named():
    found = find_personal_data({"title": "事例：題", "key_points": ["良い点", "鈴木さん"], "outcomes": None,
                                "overview": ["連絡先 taro@example.jp"]})
    assert [(f.field, f.kind) for f in found] == [("key_points", "honorific"), ("overview", "email")]
