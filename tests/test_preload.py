"""tilsite/render/preload.py: the scripts at the end of the body are asked for from the head."""

from __future__ import annotations

from tilsite.render import preload

PAGE = ('<!doctype html><html><head><meta charset="utf-8"><title>t</title>'
        '<script src="head.js"></script></head><body><p>text</p>'
        '<script id="__config" type="application/json">{}</script>'
        '<script src="../assets/javascripts/bundle.abc.min.js"></script>'
        '<script src="extra.js"></script><script src="later.js" defer></script>'
        '<script src="mod.js" type="module"></script><script src="a.js" async></script>'
        '<script>inline()</script><script src="extra.js"></script></body></html>')


def test_body_scripts_are_the_parser_blocking_external_ones():
    assert preload.body_scripts(PAGE) == ["../assets/javascripts/bundle.abc.min.js", "extra.js"]


def test_preload_links_follow_the_charset_in_order():
    out = preload.preload_body_scripts(PAGE)
    assert out.startswith('<!doctype html><html><head><meta charset="utf-8">'
                          '<link rel="preload" href="../assets/javascripts/bundle.abc.min.js" as="script">'
                          '<link rel="preload" href="extra.js" as="script"><title>t</title>')
    assert out.count("<script") == PAGE.count("<script"), "scripts stay where they are"
    assert preload.preload_body_scripts(out) == out, "applying it twice changes nothing"


def test_pages_without_body_scripts_or_head_are_unchanged():
    plain = '<html><head><meta charset="utf-8"></head><body><p>x</p></body></html>'
    assert preload.preload_body_scripts(plain) == plain
    assert preload.preload_body_scripts("<p>fragment</p>") == "<p>fragment</p>"


def test_without_a_charset_the_links_open_the_head():
    out = preload.preload_body_scripts('<html><head lang="ko"><title>t</title></head><body><script src="b.js"></script></body>')
    assert out.startswith('<html><head lang="ko"><link rel="preload" href="b.js" as="script"><title>')
