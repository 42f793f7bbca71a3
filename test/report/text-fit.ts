/**
 * In-page check that every SVG text is shown whole, as rendered by the browser: no text node
 * shortened with "…", every text inside the viewport of the <svg> that clips it, legend text
 * clear of the plot area, no two legend or tick labels of one chart overlapping, and no HTML
 * table or preformatted block wider than the page column.
 * Passed to page.evaluate, so it must be self-contained (no imports, no closures).
 */
export interface TextProblem { chart: string; text: string; problem: string }

export function findTextProblems(): TextProblem[] {
  const problems: TextProblem[] = [];
  const slack = 1; // px: anti-aliasing and rounding
  const inside = (r: DOMRect, box: DOMRect) =>
    r.left >= box.left - slack && r.right <= box.right + slack && r.top >= box.top - slack && r.bottom <= box.bottom + slack;
  const overlap = (a: DOMRect, b: DOMRect) =>
    Math.min(a.right, b.right) - Math.max(a.left, b.left) > slack && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > slack;
  const nameOf = (svg: SVGSVGElement) => {
    let top: SVGSVGElement = svg;
    while (top.ownerSVGElement) top = top.ownerSVGElement;
    const section = top.closest('section')?.id ?? '?';
    return `${section}: ${top.querySelector(':scope > title')?.textContent ?? '(untitled chart)'}`;
  };
  for (const t of Array.from(document.querySelectorAll('svg text')) as SVGTextElement[]) {
    const svg = t.ownerSVGElement;
    const text = t.textContent ?? '';
    if (!svg || text.trim() === '') continue;
    const chart = nameOf(svg);
    if (text.includes('…')) problems.push({ chart, text, problem: 'shortened with an ellipsis' });
    const r = t.getBoundingClientRect();
    if (!inside(r, svg.getBoundingClientRect())) problems.push({ chart, text, problem: 'runs outside its chart' });
    if (t.closest('.legend')) {
      const plot = svg.querySelector('rect.plot-area');
      if (plot && overlap(r, plot.getBoundingClientRect())) problems.push({ chart, text, problem: 'legend text over the plot area' });
    }
  }
  // Labels of one chart that collide: legend entries, and tick labels along each axis.
  for (const svg of Array.from(document.querySelectorAll('svg')) as SVGSVGElement[]) {
    const own = (Array.from(svg.querySelectorAll('text')) as SVGTextElement[]).filter((t) => t.ownerSVGElement === svg && !t.closest('.series'));
    const groups = [own.filter((t) => t.closest('.legend')), own.filter((t) => !t.closest('.legend') && !t.getAttribute('transform') && !t.classList.contains('title'))];
    for (const g of groups) {
      const rects = g.map((t) => t.getBoundingClientRect());
      for (let i = 0; i < g.length; i++) {
        for (let j = i + 1; j < g.length; j++) {
          if (overlap(rects[i], rects[j])) problems.push({ chart: nameOf(svg), text: `${g[i].textContent} / ${g[j].textContent}`, problem: 'labels overlap' });
        }
      }
    }
  }
  // HTML tables and preformatted text must fit the page column (nothing hidden past its edge).
  for (const el of Array.from(document.querySelectorAll('section table, section pre')) as HTMLElement[]) {
    const section = el.closest('section')!;
    const r = el.getBoundingClientRect();
    const box = section.getBoundingClientRect();
    if (r.right > box.right + slack || el.scrollWidth > el.clientWidth + slack) {
      problems.push({ chart: `${section.id}: ${el.tagName.toLowerCase()}`, text: (el.textContent ?? '').slice(0, 60), problem: 'wider than the page column' });
    }
  }
  return problems;
}
