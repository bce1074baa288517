// Vega-Lite spec -> SVG text, headless: Vega's scenegraph renders to an SVG string
// without a DOM or a canvas, so this runs the same in Node and in a browser.
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * `name` prefixes the SVG's ids (clip paths, gradients): several charts inline in one
 * page share one id space, and Vega numbers them per process, not per chart.
 */
export async function renderSvg(spec: TopLevelSpec, name: string): Promise<string> {
  // renderer 'none': no DOM to draw into; toSVG builds the markup from the scenegraph.
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return svg.replace(/\bid="([^"]+)"/g, `id="${name}-$1"`).replace(/url\(#([^)]+)\)/g, `url(#${name}-$1)`).replace(/href="#([^"]+)"/g, `href="#${name}-$1"`);
  } finally {
    view.finalize();
  }
}
