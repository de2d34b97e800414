// Links into the page land on their target.
// til.css lets the browser skip the layout of blocks far from the viewport (content-visibility:
// auto), which makes the long note complete sooner on a slow phone, but a jump to a heading is
// then computed from the blocks' estimated heights and misses by thousands of pixels. Before a
// link into this page is followed (a TOC entry, "식 (6)", a footnote), or when the page is opened
// at an address with a #fragment, every block is laid out for real: the reader pays for that
// layout once, when they navigate, and not while the page loads.
(function () {
  var SHOW_ALL = "til-laid-out";

  function layOutAll() {
    document.documentElement.classList.add(SHOW_ALL);
  }

  function intoPage(link) {
    return link.hash.length > 1 && link.pathname === location.pathname && link.origin === location.origin;
  }

  // capture on window: runs before Material's own click handling (instant navigation, drawer)
  window.addEventListener("click", function (event) {
    var link = event.target instanceof Element && event.target.closest("a[href]");
    if (link && intoPage(link)) layOutAll();
  }, true);

  function landOnHash() {
    if (location.hash.length <= 1) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) return;
    layOutAll();
    target.scrollIntoView();
  }

  // opened at page#section: the browser's own jump came before the layout was exact
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", landOnHash);
  else landOnHash();
  window.addEventListener("hashchange", layOutAll);
})();
