// A small hash router: #/path → a view function that renders into <main> and returns a cleanup (to stop
// its timers and streams). Hashes that are not routes ("#main" from a skip link) are left alone. The
// navigation's link to the current section carries aria-current="page".

export function startRouter(main, routes, notFound) {
  let cleanup = null;

  function render() {
    const hash = window.location.hash || '#/';
    if (!hash.startsWith('#/')) return;
    const [pathPart, queryPart] = hash.slice(1).split('?');
    const query = new URLSearchParams(queryPart || '');
    markCurrent(pathPart);
    if (cleanup) cleanup();
    cleanup = null;
    main.replaceChildren();
    for (const [pattern, view] of routes) {
      const match = pathPart.match(pattern);
      if (match) {
        cleanup = view(main, { params: match.slice(1).map(decodeURIComponent), query }) || null;
        focusHeading(main);
        return;
      }
    }
    cleanup = notFound(main) || null;
    focusHeading(main);
  }

  window.addEventListener('hashchange', render);
  render();
  return { render };
}

function markCurrent(path) {
  document.querySelectorAll('header nav a[href^="#/"]').forEach((link) => {
    const target = link.getAttribute('href').slice(1);
    const current = target === path || (target !== '/' && path.startsWith(`${target}/`))
      || (target === '/' && path.startsWith('/sale/'));
    if (current) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  });
}

/** Moves focus to the new view's heading, so keyboard and screen-reader users start at the top of it. */
function focusHeading(main) {
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: true });
  }
  window.scrollTo(0, 0);
}

/** Wires a skip link to focus <main> without touching the hash (which the router owns). */
export function wireSkipLink(link, main) {
  link.addEventListener('click', (event) => {
    event.preventDefault();
    main.focus();
  });
}
