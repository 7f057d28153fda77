import gzip
import json

from onrecord.errors import InputError
from onrecord.read import iter_articles
from onrecord.types import Article


def read(*paths):
    return list(iter_articles([str(p) for p in paths]))


def test_date_header_is_not_part_of_the_body(tmp_path):
    for raw in ("date 2024-03-01\nThe minister spoke.", "   date 2024-03-01 The minister spoke.",
                "date 2024-03-01 The minister spoke."):
        f = tmp_path / "a.txt"
        f.write_text(raw)
        (art,) = read(f)
        assert art.date == "2024-03-01"
        assert art.text == "The minister spoke."


def test_text_without_header_is_kept_whole(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("  Dated nothing.\n")
    (art,) = read(f)
    assert art.date is None and art.text == "  Dated nothing.\n"


def test_jsonl_keeps_ids_and_reports_bad_lines(tmp_path):
    f = tmp_path / "batch.jsonl"
    f.write_text(json.dumps({"id": "a1", "date": "2024-01-02", "text": "One."}) + "\n"
                 + "{not json\n"
                 + json.dumps({"id": "a3"}) + "\n"
                 + json.dumps({"id": "a4", "text": "Four."}) + "\n")
    items = read(f)
    assert [type(x) for x in items] == [Article, InputError, InputError, Article]
    assert items[0].id == "a1" and items[0].date == "2024-01-02" and items[3].id == "a4"
    assert items[1].line == 2 and "malformed JSON" in str(items[1])
    assert str(items[2]).startswith(f"{f}:3:")


def test_gzipped_jsonl(tmp_path):
    f = tmp_path / "batch.jsonl.gz"
    f.write_bytes(gzip.compress(json.dumps({"id": "z", "text": "Zipped."}).encode() + b"\n"))
    (art,) = read(f)
    assert art.id == "z"


def test_bad_files_are_errors_not_exceptions(tmp_path):
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02binary\x00")
    (tmp_path / "latin1.txt").write_bytes("café au lait".encode("latin-1"))
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "good.txt").write_text("Fine.")
    items = read(tmp_path)  # a directory, read recursively
    msgs = {str(x) for x in items if isinstance(x, InputError)}
    assert any("bin.txt: binary file" in m for m in msgs)
    assert any("latin1.txt: not UTF-8" in m for m in msgs)
    assert any("empty.txt: empty file" in m for m in msgs)
    assert [x.text for x in items if isinstance(x, Article)] == ["Fine."]
    assert "missing.txt: no such file" in str(read(tmp_path / "missing.txt")[0])


def test_huge_article_is_refused_with_a_message(tmp_path):
    f = tmp_path / "huge.txt"
    f.write_text("word " * 300_000)
    (err,) = read(f)
    assert isinstance(err, InputError) and "too long" in str(err)


def test_html_body_title_and_date(tmp_path):
    f = tmp_path / "page.html"
    body = " ".join(["The council met on Tuesday to discuss the harbour plan."] * 6)
    f.write_text(f"""<html><head><title>Harbour plan approved</title>
<meta property="article:published_time" content="2025-06-03"></head>
<body><nav>Home | News | Sport</nav><article><h1>Harbour plan approved</h1>
<p>{body}</p><p>“We are delighted,” said councillor Mia Holt.</p></article>
<footer>Copyright notice</footer></body></html>""")
    (art,) = read(f)
    assert art.title == "Harbour plan approved"
    assert art.date == "2025-06-03"
    assert "We are delighted" in art.text and "Copyright" not in art.text


def test_jsonl_is_read_line_by_line_and_a_bad_line_costs_only_itself(tmp_path):
    f = tmp_path / "mixed.jsonl"
    f.write_bytes(b'{"id": "a", "text": "One."}\n{"id": "b", "text": "caf\xe9"}\n{"id": "c", "text": "Three."}\n')
    items = read(f)
    assert [getattr(x, "id", None) for x in items] == ["a", None, "c"]
    assert isinstance(items[1], InputError) and items[1].line == 2 and "not UTF-8" in str(items[1])


def test_broken_gzip_is_an_error(tmp_path):
    f = tmp_path / "broken.jsonl.gz"
    f.write_bytes(b"not gzip at all")
    (err,) = read(f)
    assert isinstance(err, InputError) and "gzip" in str(err)


def test_utf16_and_utf32_files_are_read(tmp_path):
    text = "“We are ready,” said Mayor Lina Ortiz."
    for name, data in [("bom16.txt", text.encode("utf-16")), ("le16.txt", text.encode("utf-16-le")),
                       ("be16.txt", text.encode("utf-16-be")), ("bom32.txt", text.encode("utf-32"))]:
        (tmp_path / name).write_bytes(data)
    (tmp_path / "wire.jsonl").write_bytes(
        (json.dumps({"id": "w1", "text": text}, ensure_ascii=False) + "\n").encode("utf-16"))
    items = read(tmp_path)
    assert all(isinstance(x, Article) and x.text == text for x in items), items
    assert len(items) == 5 and items[-1].id == "w1"


def test_dates_are_read_as_people_write_them_and_stored_as_iso(tmp_path):
    f = tmp_path / "dates.jsonl"
    values = ["March 3, 2026", "2026-03-03T23:30:00-05:00", "3 March 2026", "2026-13-45", 12, "March 2026",
              None, "yesterday"]
    f.write_text("".join(json.dumps({"id": str(i), "date": v, "text": "Ann Lee said it rained."}) + "\n"
                         for i, v in enumerate(values)))
    items = read(f)
    assert all(isinstance(x, Article) for x in items)  # a bad date never costs the article
    assert [x.date for x in items] == ["2026-03-03", "2026-03-03", "2026-03-03", None, None, None, None, None]
    assert [len(x.warnings) for x in items] == [0, 0, 0, 1, 1, 1, 0, 1]
    assert "not a valid date" in items[3].warnings[0] and "whole date" in items[5].warnings[0]


def test_a_bad_date_header_keeps_the_article_without_a_date(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("date 2026-13-45\nThe minister spoke.")
    (art,) = read(f)
    assert art.date is None and art.text == "The minister spoke." and "2026-13-45" in art.warnings[0]
    g = tmp_path / "b.txt"
    g.write_text("Date: March 3, 2026\nThe minister spoke.")
    (art,) = read(g)
    assert art.date == "2026-03-03" and art.text == "The minister spoke."
    h = tmp_path / "c.txt"
    h.write_text("Date night at the White House\nThe minister danced.")
    (art,) = read(h)
    assert art.date is None and art.text.startswith("Date night")  # not a header at all


def test_an_empty_directory_is_said(tmp_path):
    (tmp_path / "empty").mkdir()
    (err,) = read(tmp_path / "empty")
    assert isinstance(err, InputError) and "no article files in this directory" in str(err)


def test_lone_surrogates_in_json_are_replaced_and_said(tmp_path):
    f = tmp_path / "s.jsonl"
    f.write_text('{"id": "s", "text": "Ann Lee said \\ud800 it rained."}\n')
    (art,) = read(f)
    assert art.text == "Ann Lee said \ufffd it rained." and "surrogate" in art.warnings[0]
