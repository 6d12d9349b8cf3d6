// What tests/test_browser.py reads from a page once it has settled (evaluated by Playwright).
() => {
  const article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
  const hiddenTags = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"]);

  // All text a reader, a screen reader or "view source" shows: text nodes outside scripts and styles,
  // and the attributes that carry text or addresses.
  const parts = [];
  const walker = document.createTreeWalker(document.documentElement, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent || !hiddenTags.has(parent.tagName)) parts.push(walker.currentNode.nodeValue);
  }
  const attributes = ["alt", "title", "aria-label", "href", "src", "download"];
  for (const el of document.querySelectorAll(attributes.map((a) => `[${a}]`).join(","))) {
    for (const a of attributes) if (el.hasAttribute(a)) parts.push(el.getAttribute(a));
  }

  const images = [...document.images].map((img) => {
    const box = img.getBoundingClientRect();
    const figure = img.closest("figure");
    return {
      src: img.getAttribute("src"), url: img.currentSrc || img.src, alt: (img.getAttribute("alt") || "").trim(),
      width: box.width, height: box.height, naturalWidth: img.naturalWidth,
      figure: figure ? figure.id || "(a figure without an id)" : null,
    };
  });

  // Elements that stick out of the content column, outermost only, unless inside a scroll container. The
  // theme wraps every table in one (pst-scrollable-table-container), which would excuse any table however
  // wide: that wrapper does not count, a scroll container the book sets on purpose (a code block) does.
  const limit = article.getBoundingClientRect().right - parseFloat(getComputedStyle(article).paddingRight) + 1;
  const wide = new Set();
  // A deliberate scroll container, one a keyboard can reach (tabindex 0): a named region the book sets around a
  // wide table (swis.book.myst.scroll_region), or a code block (the theme gives a scrolling <pre> its tab stop).
  const reachable = (el) =>
    el.getAttribute("tabindex") === "0" &&
    ((el.getAttribute("role") === "region" && !!el.getAttribute("aria-label")) || el.tagName === "PRE");
  const scrolls = (el) =>
    !el.classList.contains("pst-scrollable-table-container") &&
    ["auto", "scroll"].includes(getComputedStyle(el).overflowX) &&
    reachable(el);
  for (const el of article.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= limit) continue;
    let up = el.parentElement, skip = false;
    while (up && up !== article) {
      if (wide.has(up) || scrolls(up)) { skip = true; break; }
      up = up.parentElement;
    }
    if (!skip) wide.add(el);
  }
  const describe = (el) => {
    const table = el.closest("table") || el.querySelector("table");
    const caption = table && table.caption ? table.caption.innerText.trim().slice(0, 80) : "";
    return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} ${Math.round(el.getBoundingClientRect().width)}px ${caption}`.trim();
  };

  return {
    title: document.title,
    h1: (document.querySelector("h1") || { innerText: "" }).innerText.trim(),
    text: parts.join("\n"),
    images,
    nav: [...document.querySelectorAll("nav.bd-docs-nav a[href], .bd-header a[href]")].map((a) => a.href),
    wide: [...wide].map(describe),
    cells: [...article.querySelectorAll("td, th")].map((c) => c.innerText.trim()),
  };
}
