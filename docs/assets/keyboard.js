// Regions of an article that scroll (a wide table, a long line of code) take the keyboard's
// focus, so that the arrow keys scroll them, and are named for screen readers, as Material
// does for its own code blocks. Whether a region scrolls depends on the window's width: the
// check runs after each page is shown (and typeset) and again when the window is resized.
function focusScrollers() {
  for (const el of document.querySelectorAll("article :is(div, pre, code, table)")) {
    if (el.hasAttribute("tabindex")) continue;
    const style = getComputedStyle(el);
    const sideways = el.scrollWidth > el.clientWidth + 1 && /auto|scroll/.test(style.overflowX);
    const down = el.scrollHeight > el.clientHeight + 1 && /auto|scroll/.test(style.overflowY);
    if (!sideways && !down) continue;
    el.setAttribute("tabindex", "0");
    if (!el.hasAttribute("role")) el.setAttribute("role", "group");  // named, but not one more landmark
    if (!el.hasAttribute("aria-label")) {
      el.setAttribute("aria-label", (el.querySelector("table") || el.matches("table") ? "Table" : "Code")
                                    + (sideways ? ", scrolls sideways" : ", scrolls"));
    }
  }
}
const focusScrollersSoon = () => requestAnimationFrame(focusScrollers);  // after the page's other scripts
if (typeof document$ !== "undefined") { document$.subscribe(focusScrollersSoon); }
else { document.addEventListener("DOMContentLoaded", focusScrollersSoon); }
window.addEventListener("resize", focusScrollersSoon);
