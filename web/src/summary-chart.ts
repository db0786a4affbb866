/** One bar group of the summary chart: a title and counts by label. */
export interface ChartGroup {
  readonly title: string;
  readonly counts: Readonly<Record<string, number>>;
}

const SVG = 'http://www.w3.org/2000/svg';
const BAR_HEIGHT = 18;
const GAP = 6;
const LABEL_WIDTH = 150;
const WIDTH = 560;

/** Colours by label: the same meaning keeps the same colour across groups. */
const COLOURS: Readonly<Record<string, string>> = {
  exact: '#1b7f3b',
  confirmed: '#1b7f3b',
  fuzzy: '#4c9a2a',
  nickname: '#7fb24a',
  new: '#2166ac',
  updated: '#b35806',
  none: '#8a8a8a',
  unverified: '#8a8a8a',
  invalid: '#b2182b',
  rejected: '#b2182b',
  error: '#762a83',
};

/**
 * Horizontal bars drawn as plain SVG (no chart library): one row per label, grouped, each
 * with its count. The figure is an image for assistive technology, described by the table
 * the page renders beside it.
 */
export function summaryChart(groups: readonly ChartGroup[], description: string): SVGSVGElement {
  const max = Math.max(1, ...groups.flatMap((g) => Object.values(g.counts)));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', description);
  let y = 0;
  for (const group of groups) {
    svg.append(text(0, y + 14, group.title, 'chart-title'));
    y += 22;
    for (const [label, count] of Object.entries(group.counts).sort((a, b) => b[1] - a[1])) {
      const width = Math.max(2, ((WIDTH - LABEL_WIDTH - 60) * count) / max);
      svg.append(text(8, y + 13, label, 'chart-label'));
      const bar = document.createElementNS(SVG, 'rect');
      bar.setAttribute('x', String(LABEL_WIDTH));
      bar.setAttribute('y', String(y));
      bar.setAttribute('width', width.toFixed(1));
      bar.setAttribute('height', String(BAR_HEIGHT));
      bar.setAttribute('fill', COLOURS[label] ?? '#5e3c99');
      svg.append(bar);
      svg.append(text(LABEL_WIDTH + width + 6, y + 13, String(count), 'chart-count'));
      y += BAR_HEIGHT + GAP;
    }
    y += GAP;
  }
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${y}`);
  svg.setAttribute('width', String(WIDTH));
  svg.setAttribute('height', String(y));
  return svg;
}

function text(x: number, y: number, content: string, className: string): SVGTextElement {
  const node = document.createElementNS(SVG, 'text');
  node.setAttribute('x', String(x));
  node.setAttribute('y', String(y));
  node.setAttribute('class', className);
  node.textContent = content;
  return node;
}
