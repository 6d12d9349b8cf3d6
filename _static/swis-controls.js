/* Names for the theme's controls that match what they show (pydata-sphinx-theme 0.17, sphinx-book-theme 1.3).
 *
 * - The search buttons read "Search Ctrl+K" but are labelled "Search": a label that leaves out the visible
 *   text fails WCAG 2.5.3 (label in name). Without the label the button is named by what it shows.
 * - The colour-mode button is labelled "Color mode" but its icon carries a title ("Light", "Dark", "System
 *   Settings") that becomes its visible name. The icons are decoration (the tooltip says "Color mode"); the
 *   label names the mode in use and is kept up to date.
 * - The sidebar's expand toggles (<summary> holding only an icon) have no name: each is named after the
 *   chapter whose sections it shows.
 *
 * The theme makes these controls with JavaScript (the buttons are `pst-js-only`) or shows them in the
 * navigation it generates, so this script, loaded on every page from _static/, names them once the page
 * is ready. tests/test_browser.py audits every page with axe-core.
 */
(function () {
  "use strict";

  var MODES = { light: "light", dark: "dark", auto: "as the system" };

  function nameSearchButtons() {
    document.querySelectorAll(".search-button-field[aria-label]").forEach(function (button) {
      button.removeAttribute("aria-label");
    });
  }

  function nameModeButton() {
    document.querySelectorAll(".theme-switch-button").forEach(function (button) {
      button.querySelectorAll(".theme-switch").forEach(function (icon) {
        icon.removeAttribute("title");
        icon.removeAttribute("aria-labelledby");
        icon.removeAttribute("role");
        icon.setAttribute("aria-hidden", "true");
        icon.querySelectorAll("title").forEach(function (title) {
          title.remove();
        });
      });
      var mode = MODES[document.documentElement.dataset.mode] || MODES.auto;
      button.setAttribute("aria-label", "Color mode: " + mode);
    });
  }

  function nameToggles() {
    document.querySelectorAll("nav li.has-children > details > summary").forEach(function (summary) {
      var link = summary.parentElement.parentElement.querySelector(":scope > a");
      var chapter = link ? link.textContent.trim() : "this chapter";
      summary.setAttribute("aria-label", "Sections of " + chapter);
    });
  }

  function nameAll() {
    nameSearchButtons();
    nameModeButton();
    nameToggles();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", nameAll);
  } else {
    nameAll();
  }
  // Font Awesome swaps the icons for SVGs (with titles) after the page is parsed; the theme changes the mode.
  window.addEventListener("load", nameModeButton);
  new MutationObserver(nameModeButton).observe(document.documentElement, { attributeFilter: ["data-mode"] });
})();
