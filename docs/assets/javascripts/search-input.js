// Run Material's search however the query was entered.
// Material re-runs the query on `keyup` only, so text that arrives without a key
// release (an IME composition such as Korean, paste, mobile autocomplete, dictation)
// left the old results on screen. Every `input` and `compositionend` on the search
// box is passed on as a keyup; Material ignores a value that did not change.
document.addEventListener("input", relay, true);
document.addEventListener("compositionend", relay, true);

function relay(event) {
  var box = event.target;
  if (box instanceof HTMLInputElement && box.matches("[data-md-component=search-query]")) {
    box.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  }
}
