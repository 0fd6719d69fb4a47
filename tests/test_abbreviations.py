"""Tests for vnsearch.abbreviations: keys, agreement, the file format, definitions, learning, the table."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnsearch.abbreviations import (
    Abbreviation,
    Table,
    Veto,
    agrees,
    builtin,
    decode,
    definitions,
    encode,
    key,
    learned,
    load_file,
    long_key,
    parse,
)

A = Abbreviation


# -- key, long_key -----------------------------------------------------------------


@pytest.mark.parametrize("written", ["TP.HCM", "TPHCM", "TP HCM", "Tp.HCM", "tp.hcm", "TP. HCM"])
def test_key_of_variants(written):
    assert key(written) == "tphcm"


@pytest.mark.parametrize(
    "written, expected",
    [("GD&ĐT", "gddt"), ("GD-ĐT", "gddt"), ("DS-KHHGĐ", "dskhhgd"), ("NSƯT", "nsut"), ("G7", "g7")],
)
def test_key(written, expected):
    assert key(written) == expected


def test_key_of_decomposed_text():
    assert key(unicodedata.normalize("NFD", "HĐND")) == "hdnd"


@pytest.mark.parametrize(
    "written",
    [
        "Ủy ban nhân dân",
        "Uỷ ban nhân dân",
        "Ủy Ban Nhân Dân",
        "ỦY BAN NHÂN DÂN",
        unicodedata.normalize("NFD", "Uỷ ban nhân dân"),
    ],
)
def test_long_key_ignores_case_and_tone_placement(written):
    assert long_key(written) == ("ủy", "ban", "nhân", "dân")


def test_long_key_drops_punctuation_and_reads_ampersand_as_va():
    assert long_key("Dân số - Kế hoạch hóa gia đình") == ("dân", "số", "kế", "hoạch", "hóa", "gia", "đình")
    assert long_key("Giáo dục & Đào tạo") == long_key("Giáo dục và Đào tạo")
    assert long_key("Văn hóa, Thể thao và Du lịch") == ("văn", "hóa", "thể", "thao", "và", "du", "lịch")
    assert long_key("ủy_ban nhân_dân") == ("ủy", "ban", "nhân", "dân")  # pyvi's compounds


# -- agrees ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "short, long",
    [
        ("UBND", "Ủy ban nhân dân"),
        ("HĐND", "Hội đồng nhân dân"),
        ("hđnd", "hội đồng nhân dân"),
        ("TP.HCM", "Thành phố Hồ Chí Minh"),
        ("TPHCM", "thành phố Hồ Chí Minh"),
        ("THPT", "Trung học phổ thông"),  # TH: Trung học, not "th"
        ("GD&ĐT", "Giáo dục và Đào tạo"),
        ("GD&ĐT", "Giáo dục & Đào tạo"),
        ("GDĐT", "Giáo dục và Đào tạo"),  # "và" without a letter
        ("NN-PTNT", "Nông nghiệp và Phát triển nông thôn"),
        ("DNVVN", "doanh nghiệp vừa và nhỏ"),  # "và" with its letter
        ("DS-KHHGĐ", "Dân số - Kế hoạch hóa gia đình"),
        ("KT-XH", "Kinh tế - xã hội"),
        ("LĐ-TB&XH", "Lao động - Thương binh và Xã hội"),
        ("VH-TT&DL", "Văn hóa, Thể thao và Du lịch"),
        ("NSƯT", "Nghệ sĩ Ưu tú"),
        ("DĐT", "Delta Đồng Tháp"),
        ("HAGL", "Hoàng Anh Gia Lai"),
    ],
)
def test_agrees(short, long):
    assert agrees(short, long)


@pytest.mark.parametrize(
    "short, long",
    [
        ("UBND", "Ủy ban nhân"),  # too few words
        ("UBND", "Ủy ban nhân dân tỉnh"),  # too many
        ("HĐNB", "Hội đồng nhân dân"),  # a wrong letter
        ("BHXH", "Bảo hiểm y tế"),
        ("THPT", "Trung học cơ sở"),
        ("GD&ĐT", "Giáo dục Đào tạo"),  # "&" needs a "và"
        ("G7", "Nhóm bảy"),  # digits are not initials
        ("H5N1", "Hờ năm nờ một"),
        ("TTXVN", "Thông tấn xã"),
        ("VN", "và Nam"),  # a long form does not start with "và"
        ("U", "Ủy"),  # one letter is no abbreviation
        ("UB/ND", "Ủy ban nhân dân"),  # "/" is not allowed
        ("UBND", ""),
        ("QK7", "Quân khu 7"),
    ],
)
def test_does_not_agree(short, long):
    assert not agrees(short, long)


def test_agrees_counts_d_and_dd_alike():
    assert agrees("HDND", "Hội đồng nhân dân")
    assert agrees("HĐNĐ", "Hội đồng nhân dân")


# -- parse, load_file --------------------------------------------------------------


def test_parse_entries_comments_and_vetoes():
    text = """# my abbreviations

UBND = Ủy ban nhân dân
  TW   =  Trung ương
!BTC
!TP.HCM = Thành phố Hồ Chí Minh
  # indented comment
"""
    entries, vetoes = parse(text)
    assert entries == [A("UBND", "Ủy ban nhân dân"), A("TW", "Trung ương")]
    assert vetoes == [Veto("btc", None), Veto("tphcm", ("thành", "phố", "hồ", "chí", "minh"))]


@pytest.mark.parametrize(
    "line, reason",
    [
        ("UBND Ủy ban nhân dân", 'no "="'),
        ("= Ủy ban nhân dân", 'nothing before "="'),
        ("UBND =", 'nothing after "="'),
        ("UBND = Ủy ban = nhân dân", 'more than one "="'),
        ("!", 'nothing after "!"'),
        ("UB/ND = Ủy ban nhân dân", "holds '/'"),
        ("U = Ủy ban", "fewer than two letters"),
        ("UBND = - , –", "no words"),
        ("HĐND = Hội đồng Nhân dân", "repeats line 2"),
    ],
)
def test_parse_bad_lines_name_source_and_line(line, reason):
    text = "# header\nHĐND = Hội đồng nhân dân\n" + line + "\n"
    with pytest.raises(ValueError, match=r"^my.txt, line 3: ") as info:
        parse(text, "my.txt")
    assert reason in str(info.value)


def test_parse_requires_agreement_only_when_asked():
    text = "BHXH = Bảo hiểm xã hội\nTW = Trung ương\n"
    assert len(parse(text)[0]) == 2  # a user's file may add anything
    with pytest.raises(ValueError, match=r"^abbreviations, line 2: the letters of 'TW' are not the initials"):
        parse(text, require_agreement=True)


def test_load_file(tmp_path):
    path = tmp_path / "viet-tat.txt"
    path.write_text("\ufeffBHTN = Bảo hiểm thất nghiệp\n!UBND\n", encoding="utf-8")
    assert load_file(path) == ([A("BHTN", "Bảo hiểm thất nghiệp")], [Veto("ubnd", None)])
    path.write_text("BHTN Bảo hiểm\n", encoding="utf-8")
    with pytest.raises(ValueError, match=rf"^{path}, line 1: "):
        load_file(path)
    path.write_bytes("BHTN = Bảo hiểm thất nghiệp".encode("utf-16"))
    with pytest.raises(ValueError, match=rf"^{path}: not UTF-8"):
        load_file(path)


# -- the built-in list -------------------------------------------------------------


BUILTIN = builtin()


@pytest.mark.parametrize("entry", BUILTIN, ids=[a.short for a in BUILTIN])
def test_builtin_entry_agrees(entry):
    assert agrees(entry.short, entry.long)
    assert parse(f"{entry.short} = {entry.long}", require_agreement=True)[0] == [entry]
    assert len(key(entry.short)) >= 3  # one- and two-letter ones clash with words


def test_builtin_has_one_long_form_per_abbreviation():
    keys = [key(a.short) for a in BUILTIN]
    assert len(keys) == len(set(keys))
    assert 40 <= len(BUILTIN) <= 120
    assert {"ubnd", "hdnd", "tphcm", "gddt", "dskhhgd", "ktxh", "bhxh", "thpt"} <= set(keys)


def test_builtin_is_a_fresh_list():
    builtin().clear()
    assert builtin() == BUILTIN


# -- definitions -------------------------------------------------------------------


def test_definitions_in_real_sentences():
    text = (
        "Chiều 12-3, Ủy ban nhân dân (UBND) tỉnh Gia Lai đã làm việc với đội bóng Hoàng Anh Gia Lai "
        "(HAGL) về sân Pleiku. Theo Sở Giáo dục và Đào tạo (GD&ĐT), kỳ thi tốt nghiệp trung học phổ "
        "thông (THPT) năm nay có hơn 20.000 thí sinh."
    )
    assert definitions(text) == [
        A("UBND", "Ủy ban nhân dân"),
        A("HAGL", "Hoàng Anh Gia Lai"),
        A("GD&ĐT", "Giáo dục và Đào tạo"),
        A("THPT", "trung học phổ thông"),  # across a line break, spaces collapsed
    ]


def test_definitions_with_hyphens_commas_and_skipped_va():
    text = (
        "Ban chỉ đạo công tác Dân số - Kế hoạch hóa gia đình (DS-KHHGĐ) huyện cho biết; "
        "chế độ cho cán bộ, công chức (CBCC) và Bộ Nông nghiệp và Phát triển nông thôn (NN-PTNT)."
    )
    assert definitions(text) == [
        A("DS-KHHGĐ", "Dân số - Kế hoạch hóa gia đình"),
        A("CBCC", "cán bộ, công chức"),
        A("NN-PTNT", "Nông nghiệp và Phát triển nông thôn"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Tàu khách du lịch cao tốc hiện đại (ảnh) phục vụ hành khách.",
        "Luật Đất đai mới (2003) có hiệu lực.",
        "Bão số 6 đã đổ bộ vào miền Trung (TTXVN).",  # a credit, not a definition
        "Quảng Nam: nông dân mất mùa (NLĐ)",
        "gia nhập Tổ chức Thương mại Thế giới (WTO)",  # a foreign abbreviation
        "bệnh nhân N.T.B.H (16 tuổi) đã xuất viện",
        "cho virus cúm A (H5N1)",
        "Nguyễn Văn A (Q.3)",
        "Không có ngoặc đơn nào ở đây.",
        "Hội đồng nhân dân. (HĐND)",  # a full stop ends the run
    ],
)
def test_parentheses_that_are_not_definitions(text):
    assert definitions(text) == []


def test_definitions_do_not_start_inside_a_word():
    # definitions() looks a few characters back per letter; the first word there is taken whole.
    assert definitions("nghiệp" + " " * 15 + "huyện (GH)") == []
    assert definitions("Vùng Đồng bằng sông Cửu Long (ĐBSCL)") == [A("ĐBSCL", "Đồng bằng sông Cửu Long")]


# -- learned -----------------------------------------------------------------------


def test_learned_drops_pairs_seen_once():
    counts = {A("HĐXX", "hội đồng xét xử"): 1, A("QSDĐ", "quyền sử dụng đất"): 3}
    assert learned(counts, min_seen=2) == [A("QSDĐ", "quyền sử dụng đất")]


def test_learned_drops_competing_long_forms():
    counts = {
        A("BTC", "Ban tổ chức"): 5,
        A("BTC", "Bộ Tài chính"): 4,
        A("TTK", "Tổng thư ký"): 9,
        A("TTK", "thị trường kỳ"): 1,  # a stray match does not sink the rest
    }
    assert learned(counts, min_seen=2, min_share=0.8) == [A("TTK", "Tổng thư ký")]


def test_learned_returns_the_commonest_written_forms():
    counts = {
        A("TN-MT", "Tài nguyên - Môi trường"): 4,
        A("TN&MT", "Tài nguyên và Môi trường"): 1,
        A("TNMT", "tài nguyên môi trường"): 2,
        A("UBCKNN", "Uỷ ban chứng khoán Nhà nước"): 2,
        A("UBCKNN", "Ủy ban Chứng khoán Nhà nước"): 1,
    }
    assert learned(counts, min_seen=3, min_share=0.8) == [
        A("TN-MT", "Tài nguyên - Môi trường"),  # 4 of the 7 "tài nguyên (và) môi trường"
        A("UBCKNN", "Uỷ ban chứng khoán Nhà nước"),
    ]


def test_learned_counts_long_forms_with_and_without_va_as_one():
    counts = {A("KHCN", "khoa học công nghệ"): 3, A("KH&CN", "khoa học và công nghệ"): 1}
    assert learned(counts, min_seen=4, min_share=0.8) == [A("KHCN", "khoa học công nghệ")]


def test_learned_leaves_out_two_letter_abbreviations():
    assert learned({A("HS", "học sinh"): 50}) == []
    assert learned({A("HS", "học sinh"): 50}, min_letters=2) == [A("HS", "học sinh")]


# -- Table -------------------------------------------------------------------------


def test_table_lookups_both_ways():
    table = Table(BUILTIN)
    assert len(table) == len(BUILTIN) and list(table) == BUILTIN
    (hcm,) = table.long_forms("tphcm")
    assert hcm == A("TP.HCM", "Thành phố Hồ Chí Minh")
    assert table.long_forms("Tp.HCM") == table.long_forms("TP HCM") == [hcm]
    assert table.long_forms("XYZ") == []
    assert table.abbreviations_of(["thành", "phố", "Hồ", "Chí", "Minh"]) == [hcm]
    assert table.abbreviations_of(["Uỷ", "Ban", "nhân", "dân"]) == [A("UBND", "Ủy ban nhân dân")]
    assert table.longest_long_form() == 7  # Văn hóa, Thể thao và Du lịch; Dân số - Kế hoạch hóa gia đình


def test_table_finds_long_forms_typed_without_accents():
    table = Table(BUILTIN)
    ubnd = [A("UBND", "Ủy ban nhân dân")]
    assert table.abbreviations_of(["uy", "ban", "nhan", "dan"]) == ubnd
    assert table.abbreviations_of(["ủy_ban", "nhan", "dân"]) == ubnd  # partly accented
    assert table.abbreviations_of(["ủy", "ban", "nhân", "dần"]) == []  # a wrong accent
    assert table.abbreviations_of(["giao", "duc", "va", "dao", "tao"]) == [A("GD&ĐT", "Giáo dục và Đào tạo")]


def test_table_vetoes():
    entries = [
        A("BTC", "Ban tổ chức"),
        A("BTC", "Bộ Tài chính"),
        A("UBND", "Ủy ban nhân dân"),
        A("HĐND", "Hội đồng nhân dân"),
        A("HĐND", "hội đồng nhân dân"),  # the same pair: the first is kept
    ]
    table = Table(entries, [Veto("btc", ("bộ", "tài", "chính")), Veto("ubnd", None)])
    assert list(table) == [A("BTC", "Ban tổ chức"), A("HĐND", "Hội đồng nhân dân")]
    assert table.long_forms("UBND") == []
    assert table.abbreviations_of(["bộ", "tài", "chính"]) == []
    entries_, vetoes = parse("!BTC\n")
    assert Table(entries, vetoes).long_forms("BTC") == []


def test_empty_table():
    table = Table([])
    assert len(table) == 0 and table.longest_long_form() == 0 and table.abbreviations_of([]) == []


# -- encode, decode ----------------------------------------------------------------


def test_encode_is_readable():
    assert encode(A("UBND", "Ủy ban nhân dân")) == "UBND=Ủy ban nhân dân"
    assert encode(A("VH-TT&DL", "Văn hóa, Thể thao và Du lịch")) == "VH-TT&DL=Văn hóa%2C Thể thao và Du lịch"


@pytest.mark.parametrize("term", ["UBND", "UBND=Ủy ban%", "UBND=Ủy ban%2", "UBND=%FF", "100%=x"])
def test_decode_rejects_malformed_terms(term):
    with pytest.raises(ValueError, match="malformed abbreviation term"):
        decode(term)


@settings(deadline=None)  # no time limit on a busy machine
@given(st.text(), st.text())
def test_encode_decode_round_trip(short, long):
    term = encode(A(short, long))
    assert "," not in term and "\n" not in term and "\r" not in term
    assert term == term.strip()  # Whoosh's comma-separated keywords strip each term
    assert decode(term) == A(short, long)
