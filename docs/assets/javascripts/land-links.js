// Links into the page land on their target, at once.
// 1. til.css lets the browser skip the layout of blocks far from the viewport (content-visibility:
//    auto), which makes the long note complete sooner on a slow phone, but a jump to a heading is
//    then computed from the blocks' estimated heights and misses by thousands of pixels. Before a
//    link into this page is followed (a TOC entry, "식 (6)", a footnote), or when the page is
//    opened at an address with a #fragment, every block is laid out for real: the reader pays for
//    that layout once, when they navigate, and not while the page loads.
// 2. Material's instant navigation fetches and swaps in the whole page on the first link a reader
//    follows, even a link into the page itself (its location stream has no first value to compare
//    with): on the 1 MB note the jump came 2.5 s after the click, and a test that stopped waiting
//    sooner saw the link miss. A link into the page is the browser's own fragment navigation, so
//    it is kept from Material; so is going back and forward between places in this page. The
//    browser fires popstate for a fragment jump too, and listeners on window run in the order
//    they were added: this script is loaded in the page's head (overrides/main.html), before
//    Material's bundle adds its own.
(function () {
  var SHOW_ALL = "til-laid-out";
  var shown = location.pathname;  // the page on screen (instant navigation changes it)

  function layOutAll() {
    document.documentElement.classList.add(SHOW_ALL);
  }

  function intoPage(link) {
    return link.hash.length > 1 && link.origin === location.origin &&
      link.pathname === location.pathname && link.search === location.search;
  }

  // capture on window: runs before Material's click handling on document.body
  window.addEventListener("click", function (event) {
    var link = event.target instanceof Element && event.target.closest("a[href]");
    if (!link || link.target || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (!intoPage(link)) return;
    layOutAll();
    // the default action stays: the browser jumps, records the place in the history and fires
    // hashchange, on which Material closes the drawer and the search and opens enclosing details
    event.stopPropagation();
  }, true);

  // back or forward between two places of this page: the browser restores the place; Material
  // would fetch the page again. Its scroll restoration is "manual" once it has navigated, and
  // it keeps each entry's offset in history.state, so the offset is restored here then.
  window.addEventListener("popstate", function (event) {
    if (location.pathname !== shown) return;  // another page: Material's instant navigation
    event.stopImmediatePropagation();
    layOutAll();
    var state = history.state;
    if (history.scrollRestoration === "manual" && state && typeof state.y === "number") {
      window.scrollTo(state.x || 0, state.y);
    }
  }, true);

  function landOnHash() {
    if (location.hash.length <= 1) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) return;
    layOutAll();
    target.scrollIntoView();
  }

  function ready() {
    // opened at page#section: the browser's own jump came before the layout was exact
    landOnHash();
    // a page swapped in by instant navigation (Material's bundle has run by now)
    if (window.document$) window.document$.subscribe(function () { shown = location.pathname; });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
  window.addEventListener("hashchange", layOutAll);
})();
