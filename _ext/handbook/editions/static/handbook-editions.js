/* Published editions (see ../editions.py).
 *
 * The archive's switcher.json sits one level above each edition and lists the
 * editions with URLs relative to the archive's root, so the archive works
 * wherever an intranet serves it. This script
 *  - turns the version switcher's relative links into links from that root;
 *  - on an edition that is not the newest, shows "Archived edition X - see the
 *    current edition", linking to the same page in the newest edition when the
 *    newest edition's manifest lists it, else to its front page.
 * It requests nothing outside the archive.
 */
(function () {
  "use strict";
  // Sphinx declares DOCUMENTATION_OPTIONS with const: a global, not a window property.
  // eslint-disable-next-line no-undef
  const options = typeof DOCUMENTATION_OPTIONS === "undefined" ? {} : DOCUMENTATION_OPTIONS;
  const thisEdition = options.theme_switcher_version_match;
  const editionRoot = new URL(document.documentElement.dataset.content_root || "./", window.location.href);
  const siteRoot = new URL("../", editionRoot);
  const pagePath = `${options.pagename}.html`;

  function fromSiteRoot(anchor) {
    const href = anchor.getAttribute("href");
    if (href && !/^([a-z][a-z0-9+.-]*:|\/)/i.test(href)) {
      anchor.setAttribute("href", new URL(href, siteRoot).href);
    }
  }

  function watchSwitcherMenus() {
    document.querySelectorAll(".version-switcher__menu").forEach((menu) => {
      menu.querySelectorAll("a").forEach(fromSiteRoot);
      new MutationObserver((records) => {
        records.forEach((record) => record.addedNodes.forEach((node) => {
          if (node.nodeName === "A") fromSiteRoot(node);
        }));
      }).observe(menu, { childList: true });
    });
  }

  async function showArchivedBanner() {
    const response = await fetch(new URL("switcher.json", siteRoot));
    if (!response.ok) return;
    const editions = await response.json();
    const newest = editions.find((entry) => entry.preferred);
    if (!newest || newest.version === thisEdition) return;
    const newestRoot = new URL(newest.url, siteRoot);
    let target = new URL("index.html", newestRoot);
    try {
      const manifest = await (await fetch(new URL("manifest.json", newestRoot))).json();
      if (manifest.files.some((file) => file.path === pagePath)) {
        target = new URL(pagePath, newestRoot);
      }
    } catch (error) {
      /* no manifest: link the newest edition's front page */
    }
    const banner = document.createElement("div");
    banner.className = "handbook-banner handbook-banner-archived";
    banner.setAttribute("role", "note");
    const text = document.createElement("p");
    const strong = document.createElement("strong");
    strong.textContent = `Archived edition ${thisEdition}`;
    const link = document.createElement("a");
    link.href = target.href;
    link.textContent = "see the current edition";
    text.append(strong, " \u2014 ", link, ` (${newest.version}). Kept for audit: this page may no longer be in force.`);
    banner.append(text);
    const article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
    article.prepend(banner);
  }

  function start() {
    watchSwitcherMenus();
    showArchivedBanner().catch((error) => console.info("[handbook] no archive list:", error));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
